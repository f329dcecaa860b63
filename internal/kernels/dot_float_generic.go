package kernels

import "github.com/plumewriter/plume/internal/tensor"

// The float dot products follow llama.cpp's x86 ggml_vec_dot_f32 / _f16
// (AVX2+FMA, GGML_F32_STEP 32): 32 float32 accumulators, accumulator k
// taking a fused multiply-add of the elements i with i%32 == k over the
// first n&^31 elements; then the fixed reduction of GGML_F32x8_REDUCE; then
// the leftover elements. This is the arithmetic of llama.cpp's
// single-token (decode) matmuls, reproduced bit for bit.

// reduce32 is GGML_F32x8_REDUCE over four 8-lane accumulators acc[8j+l]:
// x0+=x2, x1+=x3, x0+=x1 lane-wise, then the 8 lanes l as
// ((l0+l4)+(l1+l5)) + ((l2+l6)+(l3+l7)).
func reduce32(acc *[32]float32) float32 {
	var x [8]float32
	for l := range 8 {
		a := acc[l] + acc[16+l]
		b := acc[8+l] + acc[24+l]
		x[l] = a + b
	}
	return ((x[0] + x[4]) + (x[1] + x[5])) + ((x[2] + x[6]) + (x[3] + x[7]))
}

// reduce8 adds eight lane sums like llama.cpp's hsum_float_8:
// ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)).
func reduce8(s *[8]float32) float32 {
	return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
}

// dotF32Generic returns a·b over min(len(a), len(b)) elements with the
// arithmetic of ggml_vec_dot_f32 (leftovers: float32 fused multiply-adds).
func dotF32Generic(a, b []float32) float32 {
	n := min(len(a), len(b))
	a, b = a[:n], b[:n]
	np := n &^ 31
	var acc [32]float32
	for i := 0; i < np; i += 32 {
		p, q := (*[32]float32)(a[i:i+32]), (*[32]float32)(b[i:i+32])
		for k := range 32 {
			acc[k] = fmaf(p[k], q[k], acc[k])
		}
	}
	sum := reduce32(&acc)
	for i := np; i < n; i++ {
		sum = fmaf(a[i], b[i], sum)
	}
	return sum
}

// dotF32Row is the F32 weight kernel (activations stay float32).
func dotF32Row(n int, w, x []byte) float32 {
	return dotF32Generic(f32view(w)[:n], f32view(x)[:n])
}

// dotHalfRow is ggml_vec_dot_f16's arithmetic for F16 weight rows: the
// reduction is added to a float64 sum, leftovers are float32 products added
// in float64. The activation is converted by xconv: fp16 bits (the row as
// QuantizeRow gives it), or float32 values that are each an fp16
// (F16RowsDot), for the same products.
func dotHalfRow[X uint16 | float32](n int, wh []uint16, x []X, xconv func(X) float32) float32 {
	wh, x = wh[:n], x[:n]
	np := n &^ 31
	var acc [32]float32
	for i := 0; i < np; i += 32 {
		p, q := (*[32]uint16)(wh[i:i+32]), (*[32]X)(x[i:i+32])
		for k := range 32 {
			acc[k] = fmaf(tensor.F16ToF32(p[k]), xconv(q[k]), acc[k])
		}
	}
	sum := float64(reduce32(&acc))
	for i := np; i < n; i++ {
		sum += float64(tensor.F16ToF32(wh[i]) * xconv(x[i]))
	}
	return float32(sum)
}

// dotHalfRowX32 is dotHalfRow for an activation of float32 fp16 values.
func dotHalfRowX32(n int, wh []uint16, x []float32) float32 {
	return dotHalfRow(n, wh, x, func(v float32) float32 { return v })
}

// dotF16Row is the F16 weight kernel: the activations were rounded to F16 by
// QuantizeRow (as ggml does).
func dotF16Row(n int, w, x []byte) float32 {
	return dotHalfRow(n, u16view(w), u16view(x), tensor.F16ToF32)
}

// dotBF16Row is the BF16 weight kernel, after ggml_vec_dot_bf16's AVX2 code:
// four 8-lane accumulators of fused multiply-adds over 32-element steps,
// combined as (c1+c3)+(c2+c4) and reduced like hsum_float_8, then the
// leftovers as float32 products added in float64.
func dotBF16Row(n int, w, x []byte) float32 {
	wh, xh := u16view(w)[:n], u16view(x)[:n]
	np := n &^ 31
	var acc [32]float32
	for i := 0; i < np; i += 32 {
		p, q := (*[32]uint16)(wh[i:i+32]), (*[32]uint16)(xh[i:i+32])
		for k := range 32 {
			acc[k] = fmaf(tensor.BF16ToF32(p[k]), tensor.BF16ToF32(q[k]), acc[k])
		}
	}
	var c [8]float32
	for l := range 8 {
		c[l] = (acc[l] + acc[16+l]) + (acc[8+l] + acc[24+l])
	}
	sum := float64(reduce8(&c))
	for i := np; i < n; i++ {
		sum += float64(tensor.BF16ToF32(wh[i]) * tensor.BF16ToF32(xh[i]))
	}
	return float32(sum)
}

// axpyGeneric computes y[i] = fma(alpha, x[i], y[i]) in float32, as
// ggml_vec_mad_f32 does with FMA.
func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = fmaf(alpha, v, y[i])
	}
}
