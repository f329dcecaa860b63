//go:build !purego

package kernels

// quantQ8_0NEON quantizes nb blocks of 32 activations like
// tensor.QuantizeQ8_0: per block amax = max|x[j]|, d = fp16(amax/127),
// q[j] = int8(roundEven(x[j]*(127/amax))) (0 for an all-zero block).
// len(x) >= 32*nb, len(dst) >= 34*nb.
//
//go:noescape
func quantQ8_0NEON(x []float32, dst []byte, nb int)

// quantQ8_0Asm is the bounds-checked entry of quantQ8_0NEON.
func quantQ8_0Asm(x []float32, dst []byte) {
	nb := len(x) / 32
	quantQ8_0NEON(x[:nb*32], dst[:nb*q8_0Bytes], nb)
}
