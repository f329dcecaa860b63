package kernels

import (
	"math"
	"testing"
)

// sinf/cosf reproduce the system libm (glibc) bit for bit: trig.f32 holds
// (x, cosf(x), sinf(x)) written by gen.c through the same libm llama.cpp uses.
func TestGoldenSinCos(t *testing.T) {
	tr := goldenF32(t, "trig.f32")
	for i := 0; i+3 <= len(tr); i += 3 {
		x := tr[i]
		if c := cosf(x); math.Float32bits(c) != math.Float32bits(tr[i+1]) {
			t.Errorf("cosf(%g) = %.9g, libm %.9g", x, c, tr[i+1])
		}
		if s := sinf(x); math.Float32bits(s) != math.Float32bits(tr[i+2]) {
			t.Errorf("sinf(%g) = %.9g, libm %.9g", x, s, tr[i+2])
		}
	}
	if len(tr) < 3*4096 {
		t.Fatalf("trig.f32 has %d values", len(tr))
	}
}

// Accuracy and special values: within 0.6 ulp of the true value (glibc's
// bound), NaN for Inf/NaN, exact small-argument shortcuts.
func TestSinCosAccuracy(t *testing.T) {
	for x := float32(-2000); x < 2000; x += 0.01731 {
		for _, c := range []struct {
			got  float32
			want float64
		}{{sinf(x), math.Sin(float64(x))}, {cosf(x), math.Cos(float64(x))}} {
			ulp := float64(math.Nextafter32(float32(math.Abs(c.want)), float32(math.Inf(1)))) - math.Abs(float64(float32(c.want)))
			if math.Abs(float64(c.got)-c.want) > 0.6*ulp {
				t.Fatalf("x=%g: got %g, want %g", x, c.got, c.want)
			}
		}
	}
	if !math.IsNaN(float64(sinf(float32(math.Inf(1))))) || !math.IsNaN(float64(cosf(float32(math.NaN())))) {
		t.Error("sinf(Inf)/cosf(NaN) not NaN")
	}
	if sinf(1e-5) != 1e-5 || cosf(1e-5) != 1 || sinf(0) != 0 || cosf(0) != 1 {
		t.Error("small-argument shortcuts")
	}
}

// powf reproduces the system libm's powf for RoPE's theta_scale: pow.f32
// holds (base, -2/n, powf(base, -2/n)) for common and uncommon bases.
func TestGoldenPowf(t *testing.T) {
	pw := goldenF32(t, "pow.f32")
	for i := 0; i+3 <= len(pw); i += 3 {
		if got := powf(pw[i], pw[i+1]); math.Float32bits(got) != math.Float32bits(pw[i+2]) {
			t.Errorf("powf(%g, %g) = %.9g, libm %.9g", pw[i], pw[i+1], got, pw[i+2])
		}
	}
	if len(pw) != 12*256*3 {
		t.Fatalf("pow.f32 has %d values", len(pw))
	}
	// The fallback path: non-RoPE arguments stay correct.
	if powf(2, 10) != 1024 || powf(-2, 3) != -8 || powf(0, 2) != 0 || !math.IsInf(float64(powf(10, 50)), 1) {
		t.Error("powf fallback cases")
	}
}
