package sample

import "math"

// detExp computes e**x in float64 with a fixed sequence of IEEE operations
// (fdlibm-style Cody–Waite reduction and a degree-5 minimax polynomial).
// math.Exp has assembly versions on some architectures whose last bit can
// differ; sampling decisions depend on exp, so we use our own to make a
// seed's choices identical on every platform. Every product that feeds an
// addition is wrapped in float64() to forbid fused multiply-add, which the
// Go spec otherwise allows.
func detExp(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1):
		return 0
	case x > expOver:
		return math.Inf(1)
	case x < expUnder:
		return 0
	case -expNearly < x && x < expNearly:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(expLog2e*x) - 0.5)
	default:
		k = int(float64(expLog2e*x) + 0.5)
	}
	return scale2(expReduced(x, k), k)
}

// detExp's constants.
const (
	expLn2Hi  = 6.93147180369123816490e-01
	expLn2Lo  = 1.90821492927058770002e-10
	expLog2e  = 1.44269504088896338700e+00
	expP1     = 1.66666666666666657415e-01
	expP2     = -2.77777777770155933842e-03
	expP3     = 6.61375632143793436117e-05
	expP4     = -1.65339022054652515390e-06
	expP5     = 4.13813679705723846039e-08
	expOver   = 7.09782712893383973096e+02
	expUnder  = -7.45133219101941108420e+02
	expNearly = 1.0 / (1 << 28)
)

// expReduced is e**x / 2**k for detExp's x and k = round(x/ln 2): x − k·ln 2
// in two parts, then the polynomial.
func expReduced(x float64, k int) float64 {
	hi := x - float64(float64(k)*expLn2Hi)
	lo := float64(k) * expLn2Lo
	r := hi - lo
	t := float64(r * r)
	c := float64(t * expP5)
	c = float64(t * (expP4 + c))
	c = float64(t * (expP3 + c))
	c = float64(t * (expP2 + c))
	c = r - float64(t*(expP1+c))
	return 1 - ((lo - float64(float64(r*c)/(2-c))) - hi)
}

// expNegLo bounds expShifted's fast domain from below: for x ≥ −707,
// k = int(log2e·x − 0.5) ≥ −1020, so 2**k is a normal number and scale2
// is one multiplication.
const expNegLo = -707

// expShifted is detExp(x) for x = logit − max ≤ 0 (any x, in fact). In
// [expNegLo, −expNearly], the common case of a softmax, it skips detExp's
// special cases and branches but does the same operations in the same
// order, so it returns the same bits (TestExpShifted, FuzzExpShifted).
func expShifted(x float64) float64 {
	if !(x >= expNegLo && x <= -expNearly) {
		return detExp(x)
	}
	k := int(float64(expLog2e*x) - 0.5)
	return expReduced(x, k) * math.Float64frombits(uint64(k+1023)<<52)
}

// scale2 returns math.Ldexp(y, k) for detExp's y (in [0.7, 1.5]): where
// the result is a normal number, one multiplication by the exact power of
// two 2**k (the same bits, five times faster than Ldexp, which was half of
// a log-softmax over a vocabulary); Ldexp itself near overflow and for
// subnormal results.
func scale2(y float64, k int) float64 {
	if k < -1021 || k > 1023 {
		return math.Ldexp(y, k)
	}
	return y * math.Float64frombits(uint64(k+1023)<<52)
}
