//go:build !purego

package kernels

// quantQ8_0AVX2 quantizes nb blocks of 32 activations to Q8_0 exactly as
// tensor.QuantizeQ8_0 (llama.cpp's AVX2 quantize_row_q8_0) does for finite
// input whose block maxima exceed 127/MaxFloat32 (≈3.7e-37; below that
// 127/max overflows and, as in llama.cpp, the quants become -128 where the Go
// reference writes 0). len(x) >= 32*nb, len(dst) >= 34*nb.
//
//go:noescape
func quantQ8_0AVX2(x []float32, dst []byte, nb int)

// quantQ8_0Asm is the bounds-checked entry of quantQ8_0AVX2; the lengths
// were validated by QuantizeRow.
func quantQ8_0Asm(x []float32, dst []byte) {
	nb := len(x) / 32
	quantQ8_0AVX2(x[:nb*32], dst[:nb*q8_0Bytes], nb)
}

// f32ToF16AVX2 converts x to fp16 like tensor.F32ToF16 (round to nearest
// even, NaN kept quiet). len(dst) >= len(x).
//
//go:noescape
func f32ToF16AVX2(x []float32, dst []uint16)

// f32ToF16Asm is the bounds-checked entry of f32ToF16AVX2.
func f32ToF16Asm(x []float32, dst []uint16) { f32ToF16AVX2(x, dst[:len(x)]) }
