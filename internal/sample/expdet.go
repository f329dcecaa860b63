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
	const (
		ln2Hi  = 6.93147180369123816490e-01
		ln2Lo  = 1.90821492927058770002e-10
		log2e  = 1.44269504088896338700e+00
		p1     = 1.66666666666666657415e-01
		p2     = -2.77777777770155933842e-03
		p3     = 6.61375632143793436117e-05
		p4     = -1.65339022054652515390e-06
		p5     = 4.13813679705723846039e-08
		over   = 7.09782712893383973096e+02
		under  = -7.45133219101941108420e+02
		nearly = 1.0 / (1 << 28)
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1):
		return 0
	case x > over:
		return math.Inf(1)
	case x < under:
		return 0
	case -nearly < x && x < nearly:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	default:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(k) * ln2Lo
	r := hi - lo
	t := float64(r * r)
	c := float64(t * p5)
	c = float64(t * (p4 + c))
	c = float64(t * (p3 + c))
	c = float64(t * (p2 + c))
	c = r - float64(t*(p1+c))
	y := 1 - ((lo - float64(float64(r*c)/(2-c))) - hi)
	return scale2(y, k)
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
