//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// The i8mm set (CPUs with SMMLA, see hasI8MM): SMMLA multiplies a 2×8 by
// an 8×2 int8 matrix, eight products per int32 lane, so it cannot form the
// four-product lanes that the eight-lane float accumulation of the plain
// kernels needs; it fits the repacked formats, whose arithmetic takes one
// exact integer sum per block. The repacked Q4_0 prompt kernel below is
// that: two weight rows times eight activations per call.

// dotQ4_0Rows2Cols8I8MM sets out[4p+2i+j] = dotQ4_0Q8_0Packed(32*nb,
// w[i*rowBytes:], x[(2p+j)*xBytes:]) for the two weight rows i < 2 and the
// eight activation rows 2p+j (p < 4, j < 2): per block s = Σ_{k<32}
// q_w[k]·q_x[k] (SMMLA), acc = fma(float32(s), fp16(w.d)*fp16(x.d), acc).
// len(w) >= rowBytes + 18*nb, rowBytes >= 18*nb, len(x) >= 7*xBytes +
// 34*nb, xBytes >= 34*nb. Needs i8mm.
//
//go:noescape
func dotQ4_0Rows2Cols8I8MM(w []byte, rowBytes int, x []byte, xBytes int, nb int) (out [16]float32)

// i8mmCols8 is the frame of the i8mm packedCols8 kernels (cols8Func, for
// the kernel named name): it checks the operands (rows weight rows of n
// elements in blocks of blockElems elements and wBlock bytes, eight
// activation rows of xBlock bytes a block, xBytes apart), has pair compute
// the 2×8 outputs o[4p+2i+j] (weight row r+i, activation 2p+j) of each
// pair of rows r, r+1 (rb bytes a row, nb blocks), and an odd last row's
// outputs come from one, the one-row kernel.
func i8mmCols8(name string, n, blockElems, wBlock, xBlock int, w []byte, rows int, x []byte, xBytes int, out []float32, ostride int,
	one dotFunc, pair func(r, rb, nb int) [16]float32) {
	nb := n / blockElems
	rb := nb * wBlock
	if nb == 0 || rows == 0 {
		for a := range 8 {
			clear(out[a*ostride : a*ostride+rows])
		}
		return
	}
	_ = w[rows*rb-1] // the last byte the assembly reads
	_ = x[7*xBytes+nb*xBlock-1]
	_ = out[7*ostride+rows-1]
	if xBytes < nb*xBlock {
		panic("kernels: " + name + ": activation rows overlap")
	}
	r := 0
	for ; r+2 <= rows; r += 2 {
		o := pair(r, rb, nb)
		for k, v := range o {
			i, a := (k>>1)&1, 2*(k>>2)+(k&1) // k = 4p+2i+j: row i, activation 2p+j
			out[a*ostride+r+i] = v
		}
	}
	if r < rows {
		for a := range 8 {
			out[a*ostride+r] = one(n, w[r*rb:(r+1)*rb], x[a*xBytes:a*xBytes+nb*xBlock])
		}
	}
}

// dotQ4_0PackedCols8I8MMAsm is the packedCols8 kernel of Q4_0: weight rows
// in pairs through dotQ4_0Rows2Cols8I8MM, an odd last row with the one-row
// SDOT kernel.
func dotQ4_0PackedCols8I8MMAsm(n int, w []byte, rows int, x []byte, xBytes int, out []float32, ostride int, _ *[]byte) {
	i8mmCols8("dotQ4_0PackedCols8I8MMAsm", n, 32, q4_0Bytes, q8_0Bytes, w, rows, x, xBytes, out, ostride,
		dotQ4_0PackedSDOTAsm, func(r, rb, nb int) [16]float32 {
			return dotQ4_0Rows2Cols8I8MM(w[r*rb:(r+2)*rb], rb, x, xBytes, nb)
		})
}

// q4KSumi2x8I8MM sets sumi[4p+2i+j] to the super-block sum of
// dotQ4KQ8KPacked for weight row i < 2 (its 128 bytes of nibbles in qs0,
// qs1) and activation 2p+j (quants at q8[(2p+j)*stride:]): Σ_{g<4}
// sc_i[2g]·Σ_{l<32} (qs_i[32g+l]&15)·q8[64g+l] + sc_i[2g+1]·Σ_{l<32}
// (qs_i[32g+l]>>4)·q8[64g+32+l], int32 wrapping, with scv[2g+h] =
// [sc_0[2g+h], sc_0[2g+h], sc_1[2g+h], sc_1[2g+h]]. len(qs0), len(qs1) >=
// 128, len(q8) >= 7*stride + 256. Needs i8mm.
//
//go:noescape
func q4KSumi2x8I8MM(qs0, qs1, q8 []byte, stride int, scv [8][4]int32) (sumi [16]int32)

// dotQ4KPackedCols8I8MMAsm is the packedCols8 kernel of Q4_K: weight rows
// in pairs with the integer sums of q4KSumi2x8I8MM and the float steps of
// the one-row kernel (q4KPackedStep), an odd last row with the one-row
// SDOT kernel.
func dotQ4KPackedCols8I8MMAsm(n int, w []byte, rows int, x []byte, xBytes int, out []float32, ostride int, _ *[]byte) {
	i8mmCols8("dotQ4KPackedCols8I8MMAsm", n, tensor.QK_K, q4KBytes, q8KBytes, w, rows, x, xBytes, out, ostride,
		dotQ4KPackedSDOTAsm, func(r, rb, nb int) [16]float32 {
			return q4KPackedRows2Cols8(w[r*rb:(r+2)*rb], rb, x, xBytes, nb)
		})
}

// q4KPackedRows2Cols8 returns o[4p+2i+j] = dotQ4KQ8KPacked(256*nb,
// w[i*rb:], x[(2p+j)*xBytes:]) for the two weight rows i and eight
// activations 2p+j, the integer sums from q4KSumi2x8I8MM (operands checked
// by i8mmCols8).
func q4KPackedRows2Cols8(w []byte, rb int, x []byte, xBytes, nb int) [16]float32 {
	var acc, accm [16]float32
	for ib := range nb {
		wb := [2][]byte{w[ib*q4KBytes : (ib+1)*q4KBytes], w[rb+ib*q4KBytes : rb+(ib+1)*q4KBytes]}
		sc0, m0 := kScalesMins(wb[0][4:16])
		sc1, m1 := kScalesMins(wb[1][4:16])
		var scv [8][4]int32
		for s := range 8 {
			scv[s] = [4]int32{sc0[s], sc0[s], sc1[s], sc1[s]}
		}
		sumi := q4KSumi2x8I8MM(wb[0][16:144], wb[1][16:144], x[ib*q8KBytes+4:], xBytes, scv)
		m := [2]*[8]int32{&m0, &m1}
		for k, s := range sumi {
			i, a := (k>>1)&1, 2*(k>>2)+(k&1) // k = 4p+2i+j: row i, activation 2p+j
			xb := x[a*xBytes+ib*q8KBytes : a*xBytes+(ib+1)*q8KBytes]
			q4KPackedStep(wb[i], xb, m[i], s, &acc[k], &accm[k])
		}
	}
	var o [16]float32
	for k := range o {
		o[k] = acc[k] - accm[k]
	}
	return o
}

// addI8MM puts the i8mm kernels in k.
func addI8MM(k *kernelSet) {
	k.packedCols8[tensor.Q4_0] = dotQ4_0PackedCols8I8MMAsm
	k.packedCols8[tensor.Q4_K] = dotQ4KPackedCols8I8MMAsm
}
