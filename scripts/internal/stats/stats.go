// Package stats holds the statistics the benchmark scripts report.
package stats

import "math"

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
