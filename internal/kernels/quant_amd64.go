//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

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

// roundF16AVX2 sets dst[i] to src[i] rounded to fp16 and back (VCVTPS2PH
// to nearest even, VCVTPH2PS), as tensor.F16ToF32(tensor.F32ToF16(src[i])).
// len(dst) >= len(src).
//
//go:noescape
func roundF16AVX2(dst, src []float32)

// roundF16Asm is the bounds-checked entry of roundF16AVX2.
func roundF16Asm(dst, src []float32) { roundF16AVX2(dst[:len(src)], src) }

// quantQ8_KAVX2 quantizes nb blocks of 256 activations to Q8_K exactly as
// tensor.QuantizeQ8_K (llama.cpp's quantize_row_q8_K_ref) does, byte for byte
// for every input, NaN and ±Inf included: vmax is the first value of largest
// magnitude among the non-NaN ones, an all-zero block (amax == 0) gives 292
// zero bytes, iscale = -127/vmax, the quants use nearest_int's float32
// bit trick (a float32 product, not an FMA, then + 1.5*2^23 and the mantissa
// bits) clamped to 127 and truncated to int8, the 16 bsums are exact int16
// sums of 16 quants, and d = 1/iscale is stored as float32. Each block is
// 4 bytes d, 256 quants, 32 bytes bsums. len(x) >= 256*nb,
// len(dst) >= 292*nb.
//
//go:noescape
func quantQ8_KAVX2(x []float32, dst []byte, nb int)

// quantQ8_KAsm is the bounds-checked entry of quantQ8_KAVX2; the lengths
// were validated by QuantizeRow.
func quantQ8_KAsm(x []float32, dst []byte) {
	nb := len(x) / tensor.QK_K
	quantQ8_KAVX2(x[:nb*tensor.QK_K], dst[:nb*q8KBytes], nb)
}
