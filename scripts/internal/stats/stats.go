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
