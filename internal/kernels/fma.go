package kernels

import "math"

// fmaf returns a*b+c rounded once to float32, like the x86 VFMADD*PS
// instructions llama.cpp's kernels use. a*b is exact in float64; the float64
// sum may round, and would then round again to float32 — which can differ
// from a single rounding only when the float64 sum lands exactly halfway
// between two float32 values. That case is detected with the exact error of
// the addition (TwoSum) and the sum nudged towards the true value first.
// (Results in the float32 subnormal range keep the plain double rounding.)
func fmaf(a, b, c float32) float32 {
	s := math.FMA(float64(a), float64(b), float64(c)) // exact a*b+c rounded to float64
	const tie = 1 << 28                               // float64 mantissa bits below float32 precision: 1000…0
	if math.Float64bits(s)&(1<<29-1) != tie {
		return float32(s) // not halfway between two float32s: one correct rounding
	}
	return fmafTie(a, b, c)
}

// fmafTie handles the rare float64 sum that sits exactly halfway between two
// float32 values: the exact error of the addition decides the direction.
func fmafTie(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	fc := float64(c)
	s := p + fc
	bv := s - p
	e := (p - (s - bv)) + (fc - bv)
	if e != 0 {
		bits := math.Float64bits(s)
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}
