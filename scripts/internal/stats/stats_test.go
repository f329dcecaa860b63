package stats

import (
	"math"
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
