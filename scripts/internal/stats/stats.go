// Package stats holds the statistics the benchmark scripts report.
package stats

import (
	"math"
	"slices"
)

// MeanSD returns the mean and the sample standard deviation of x (0 for
// one sample; NaN and NaN for none).
func MeanSD(x []float64) (float64, float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	var m, s float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	if len(x) > 1 {
		s = math.Sqrt(s / float64(len(x)-1))
	}
	return m, s
}

// Median returns the median of x (the mean of the two middle values for an
// even count; NaN for none), leaving x as it was.
func Median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// PairedRatios returns a[i]/b[i] for the pairs of two alternating series.
func PairedRatios(a, b []float64) []float64 {
	r := make([]float64, min(len(a), len(b)))
	for i := range r {
		r[i] = a[i] / b[i]
	}
	return r
}

// tCrit975 are Student's t quantiles t(0.975, df) for df = 1..30: the
// half-width of a two-sided 95% confidence interval, in standard errors.
var tCrit975 = [...]float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// RatioCI summarises per-round ratios r (each > 0) as their geometric mean
// and its two-sided 95% confidence interval, from Student's t on log r:
// the paired comparison of two series measured in alternation, where the
// machine's drift divides out of each round's ratio. Fewer than two
// ratios give no interval (lo = hi = NaN); a ratio that is not positive
// makes all three NaN.
func RatioCI(r []float64) (geo, lo, hi float64) {
	logs := make([]float64, len(r))
	for i, v := range r {
		if !(v > 0) || math.IsInf(v, 1) {
			return math.NaN(), math.NaN(), math.NaN()
		}
		logs[i] = math.Log(v)
	}
	m, sd := MeanSD(logs)
	if len(r) < 2 {
		return math.Exp(m), math.NaN(), math.NaN()
	}
	t := 1.960 // the normal quantile, for more than 31 ratios
	if df := len(r) - 1; df <= len(tCrit975) {
		t = tCrit975[df-1]
	}
	half := t * sd / math.Sqrt(float64(len(r)))
	return math.Exp(m), math.Exp(m - half), math.Exp(m + half)
}
