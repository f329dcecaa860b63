package kernels

import "math"

// vexpLanes is the vector width of llama.cpp's AVX2 softmax and SiLU loops:
// groups of eight values use ggml_v_expf, the leftovers libm's expf.
const vexpLanes = 8

// vexpf is one lane of ggml_v_expf (AVX2+FMA), llama.cpp's vectorised
// float32 e^x: a range reduction x = n·ln2 + b with fused multiply-adds and a
// degree-5 polynomial, scaled by 2^n through the exponent bits, with the
// same handling of |n| > 126 (overflow/underflow) — reproduced bit for bit.
func vexpf(x float32) float32 {
	const r = 0x1.8p23
	z := fmaf(x, 0x1.715476p+0, r)
	n := z - r
	b := fmaf(-n, 0x1.7f7d1cp-20, fmaf(-n, 0x1.62e4p-1, x))
	e := math.Float32bits(z) << 23
	k := math.Float32frombits(e + math.Float32bits(1))
	u := b * b
	j := fmaf(fmaf(fmaf(0x1.0e4020p-7, b, 0x1.573e2ep-5), u, fmaf(0x1.555e66p-3, b, 0x1.fffdb6p-2)), u, 0x1.ffffecp-1*b)
	an := absf32(n)
	if !(an > 126) { // _CMP_GT_OQ: false for NaN
		return fmaf(j, k, k)
	}
	var g uint32
	if n <= 0 {
		g = 0x82000000
	}
	s1 := math.Float32frombits(g + 0x7f000000)
	s2 := math.Float32frombits(e - g)
	if an > 192 {
		return s1 * s1
	}
	return fmaf(s2, j, s2) * s1
}

func absf32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }
