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

func TestRatioCI(t *testing.T) {
	for _, c := range []struct {
		name          string
		r             []float64
		geo, lo, hi   float64
		noCI, invalid bool
	}{
		{name: "constant", r: []float64{1.2, 1.2, 1.2}, geo: 1.2, lo: 1.2, hi: 1.2},
		// logs ±ln 2: mean 0, sd ln2·√2, half-width 12.706·ln2·√2/√2.
		{name: "two", r: []float64{2, 0.5}, geo: 1, lo: math.Exp(-12.706 * math.Ln2), hi: math.Exp(12.706 * math.Ln2)},
		{name: "geometric", r: []float64{1, 4}, geo: 2, lo: 2 * math.Exp(-12.706*math.Ln2), hi: 2 * math.Exp(12.706*math.Ln2)},
		{name: "one", r: []float64{1.5}, geo: 1.5, noCI: true},
		{name: "zero", r: []float64{1, 0}, invalid: true},
		{name: "negative", r: []float64{1, -1}, invalid: true},
		{name: "NaN", r: []float64{1, math.NaN()}, invalid: true},
		{name: "Inf", r: []float64{1, math.Inf(1)}, invalid: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			geo, lo, hi := RatioCI(c.r)
			switch {
			case c.invalid:
				if !math.IsNaN(geo) || !math.IsNaN(lo) || !math.IsNaN(hi) {
					t.Errorf("RatioCI(%v) = %v, %v, %v, want NaNs", c.r, geo, lo, hi)
				}
			case c.noCI:
				if math.Abs(geo-c.geo) > 1e-12 || !math.IsNaN(lo) || !math.IsNaN(hi) {
					t.Errorf("RatioCI(%v) = %v, %v, %v", c.r, geo, lo, hi)
				}
			default:
				for _, p := range [][2]float64{{geo, c.geo}, {lo, c.lo}, {hi, c.hi}} {
					if math.Abs(p[0]-p[1]) > 1e-9*p[1] {
						t.Errorf("RatioCI(%v) = %v, %v, %v, want %v, %v, %v", c.r, geo, lo, hi, c.geo, c.lo, c.hi)
						break
					}
				}
			}
		})
	}
	// Many rounds: the normal quantile.
	r := make([]float64, 40)
	for i := range r {
		r[i] = 1 + 0.01*float64(i%2*2-1)
	}
	geo, lo, hi := RatioCI(r)
	if !(lo < geo && geo < hi) || hi/lo > 1.01 {
		t.Errorf("40 ratios: %v %v %v", geo, lo, hi)
	}
}
