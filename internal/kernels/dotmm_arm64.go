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

// dotQ4_0PackedCols8I8MMAsm is the packedCols8 kernel of Q4_0 (cols8Func):
// weight rows in pairs through dotQ4_0Rows2Cols8I8MM, an odd last row with
// the one-row SDOT kernel.
func dotQ4_0PackedCols8I8MMAsm(n int, w []byte, rows int, x []byte, xBytes int, out []float32, ostride int, _ *[]byte) {
	nb := n / 32
	rb := nb * q4_0Bytes
	if nb == 0 || rows == 0 {
		for a := range 8 {
			clear(out[a*ostride : a*ostride+rows])
		}
		return
	}
	_ = w[rows*rb-1] // the last byte the assembly reads
	_ = x[7*xBytes+nb*q8_0Bytes-1]
	_ = out[7*ostride+rows-1]
	if xBytes < nb*q8_0Bytes {
		panic("kernels: dotQ4_0PackedCols8I8MMAsm: activation rows overlap")
	}
	r := 0
	for ; r+2 <= rows; r += 2 {
		o := dotQ4_0Rows2Cols8I8MM(w[r*rb:(r+2)*rb], rb, x, xBytes, nb)
		for p := range 4 {
			out[2*p*ostride+r], out[(2*p+1)*ostride+r] = o[4*p], o[4*p+1]
			out[2*p*ostride+r+1], out[(2*p+1)*ostride+r+1] = o[4*p+2], o[4*p+3]
		}
	}
	if r < rows {
		for a := range 8 {
			out[a*ostride+r] = dotQ4_0PackedSDOTAsm(n, w[r*rb:(r+1)*rb], x[a*xBytes:a*xBytes+nb*q8_0Bytes])
		}
	}
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
	nb := n / tensor.QK_K
	rb := nb * q4KBytes
	if nb == 0 || rows == 0 {
		for a := range 8 {
			clear(out[a*ostride : a*ostride+rows])
		}
		return
	}
	_ = w[rows*rb-1]
	_ = x[7*xBytes+nb*q8KBytes-1]
	_ = out[7*ostride+rows-1]
	if xBytes < nb*q8KBytes {
		panic("kernels: dotQ4KPackedCols8I8MMAsm: activation rows overlap")
	}
	r := 0
	for ; r+2 <= rows; r += 2 {
		var acc, accm [16]float32
		for ib := range nb {
			wb := [2][]byte{w[r*rb+ib*q4KBytes : r*rb+(ib+1)*q4KBytes], w[(r+1)*rb+ib*q4KBytes : (r+1)*rb+(ib+1)*q4KBytes]}
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
		for k := range 16 {
			i, a := (k>>1)&1, 2*(k>>2)+(k&1)
			out[a*ostride+r+i] = acc[k] - accm[k]
		}
	}
	if r < rows {
		xr := nb * q8KBytes
		for a := range 8 {
			out[a*ostride+r] = dotQ4KPackedSDOTAsm(n, w[r*rb:(r+1)*rb], x[a*xBytes:a*xBytes+xr])
		}
	}
}

// addI8MM puts the i8mm kernels in k.
func addI8MM(k *kernelSet) {
	k.packedCols8[tensor.Q4_0] = dotQ4_0PackedCols8I8MMAsm
	k.packedCols8[tensor.Q4_K] = dotQ4KPackedCols8I8MMAsm
}
