package kernels

import (
	"math"
	"testing"
)

// vexpf (ggml_v_expf) stays within 2 ulp of e^x over the float32 range and
// saturates like the AVX2 code: +Inf on overflow, 0 on underflow, NaN in.
func TestVexpf(t *testing.T) {
	for x := float32(-103); x < 89; x += 0.0137 {
		want := math.Exp(float64(x))
		got := float64(vexpf(x))
		ulp := float64(math.Nextafter32(float32(want), float32(math.Inf(1)))) - float64(float32(want))
		if want < 0x1p-126 { // subnormal results: absolute error of the subnormal spacing
			ulp = 0x1p-149
		}
		if math.Abs(got-want) > 2*ulp {
			t.Fatalf("vexpf(%g) = %g, e^x = %g", x, got, want)
		}
	}
	edges := []struct {
		x, want float32
	}{
		{0, 1}, {float32(math.Inf(-1)), 0}, {-200, 0}, {float32(math.Inf(1)), float32(math.Inf(1))}, {100, float32(math.Inf(1))},
	}
	for _, e := range edges {
		if got := vexpf(e.x); got != e.want {
			t.Errorf("vexpf(%g) = %g, want %g", e.x, got, e.want)
		}
	}
	if got := vexpf(float32(math.NaN())); !math.IsNaN(float64(got)) {
		t.Errorf("vexpf(NaN) = %g", got)
	}
}
