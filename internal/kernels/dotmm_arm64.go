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

// addI8MM puts the i8mm kernels in k.
func addI8MM(k *kernelSet) {
	k.packedCols8[tensor.Q4_0] = dotQ4_0PackedCols8I8MMAsm
}
