package stats

import (
	"math"
	"slices"
	"testing"
)

func TestMeanSD(t *testing.T) {
	tests := []struct {
		name     string
		x        []float64
		mean, sd float64
	}{
		{"one", []float64{3}, 3, 0},
		{"two", []float64{1, 3}, 2, math.Sqrt2},
		{"four", []float64{2, 4, 4, 6}, 4, math.Sqrt(8.0 / 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, sd := MeanSD(tc.x)
			if math.Abs(m-tc.mean) > 1e-12 || math.Abs(sd-tc.sd) > 1e-12 {
				t.Errorf("MeanSD(%v) = %v, %v; want %v, %v", tc.x, m, sd, tc.mean, tc.sd)
			}
		})
	}
	if m, sd := MeanSD(nil); !math.IsNaN(m) || !math.IsNaN(sd) {
		t.Errorf("MeanSD(nil) = %v, %v; want NaN, NaN", m, sd)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{1, 100, 2, 3, 50}, 3},
	} {
		in := slices.Clone(tc.x)
		if got := Median(tc.x); got != tc.want || !slices.Equal(in, tc.x) {
			t.Errorf("Median(%v) = %v (input now %v), want %v, input unchanged", in, got, tc.x, tc.want)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
	if got := PairedRatios([]float64{2, 9, 1}, []float64{4, 3}); !slices.Equal(got, []float64{0.5, 3}) {
		t.Errorf("PairedRatios = %v, want [0.5 3]", got)
	}
}
