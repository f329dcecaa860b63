package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float32, tol float64) bool { return math.Abs(float64(a)-float64(b)) <= tol }

func TestRMSNorm(t *testing.T) {
	tests := []struct {
		name      string
		x, w      []float32
		eps       float32
		want      []float32
		tolerance float64
	}{
		// mean(x²) = 4 → scale exactly 1/2.
		{"exact scale", []float32{2, -2, 2, 2}, []float32{1, 3, -0.5, 0}, 0, []float32{1, -3, -0.5, 0}, 0},
		// mean 1 + eps 3 → 1/2.
		{"eps", []float32{1, 1, -1, 1}, nil, 3, []float32{0.5, 0.5, -0.5, 0.5}, 0},
		// mean = 7.5 → scale = 1/sqrt(7.5) = 0.36514837.
		{"general", []float32{1, 2, 3, 4}, []float32{1, 1, 2, 0.5}, 0,
			[]float32{0.36514837, 0.73029674, 2.1908902, 0.73029674}, 1e-7},
	}
	for _, tc := range tests {
		dst := make([]float32, len(tc.x))
		RMSNorm(dst, tc.x, tc.w, tc.eps)
		for i := range dst {
			if !near(dst[i], tc.want[i], tc.tolerance) {
				t.Errorf("%s: dst[%d] = %.9g, want %.9g", tc.name, i, dst[i], tc.want[i])
			}
		}
	}
	// In place works.
	x := []float32{2, 2}
	RMSNorm(x, x, nil, 0)
	if x[0] != 1 || x[1] != 1 {
		t.Errorf("in place: %v", x)
	}
}

func TestSoftmax(t *testing.T) {
	tests := []struct {
		name string
		x    []float32
		want []float32
	}{
		{"powers of two", []float32{0, float32(math.Ln2), float32(2 * math.Ln2)}, []float32{1.0 / 7, 2.0 / 7, 4.0 / 7}},
		{"max subtracted", []float32{1000, 1000}, []float32{0.5, 0.5}},
		{"masked", []float32{float32(math.Inf(-1)), 3, float32(math.Inf(-1))}, []float32{0, 1, 0}},
		{"single", []float32{-5}, []float32{1}},
	}
	for _, tc := range tests {
		x := append([]float32(nil), tc.x...)
		Softmax(x)
		for i := range x {
			if !near(x[i], tc.want[i], 1e-7) {
				t.Errorf("%s: x[%d] = %.9g, want %.9g", tc.name, i, x[i], tc.want[i])
			}
		}
	}
	Softmax(nil) // no panic
}

func TestSiLUMul(t *testing.T) {
	gate := []float32{0, 1, -1, 20, -20}
	up := []float32{5, 2, 1, 1, 1}
	SiLUMul(gate, up)
	want := []float32{0, 2 * 0.7310586, -0.26894143, 20, -4.1223073e-08}
	for i := range gate {
		if !near(gate[i], want[i], 1e-6*math.Max(1, math.Abs(float64(want[i])))) {
			t.Errorf("gate[%d] = %.9g, want %.9g", i, gate[i], want[i])
		}
	}
}

func TestDotAxpyAddMulScale(t *testing.T) {
	if got := Dot([]float32{1, 2, 3}, []float32{4, 5, 6}); got != 32 {
		t.Errorf("Dot = %g, want 32", got)
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range floatLens {
		a, b := randVec(r, n), randVec(r, n)
		var ref, mag float64
		for i := range a {
			ref += float64(a[i]) * float64(b[i])
			mag += math.Abs(float64(a[i]) * float64(b[i]))
		}
		if got := Dot(a, b); math.Abs(float64(got)-ref) > dotTolerance[0]*mag {
			t.Errorf("Dot n=%d: %g, want %g", n, got, ref)
		}
	}
	y := []float32{1, 1, 1}
	Axpy(2, []float32{1, -1, 0.5}, y)
	if y[0] != 3 || y[1] != -1 || y[2] != 2 {
		t.Errorf("Axpy: %v", y)
	}
	dst := make([]float32, 3)
	Add(dst, []float32{1, 2, 3}, []float32{10, 20, 30})
	if dst[0] != 11 || dst[2] != 33 {
		t.Errorf("Add: %v", dst)
	}
	Mul(dst, dst, []float32{2, 0, -1})
	if dst[0] != 22 || dst[1] != 0 || dst[2] != -33 {
		t.Errorf("Mul: %v", dst)
	}
	Scale(dst, 0.5)
	if dst[0] != 11 || dst[2] != -16.5 {
		t.Errorf("Scale: %v", dst)
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Dot":     func() { Dot(make([]float32, 2), make([]float32, 3)) },
		"Axpy":    func() { Axpy(1, make([]float32, 2), make([]float32, 1)) },
		"RMSNorm": func() { RMSNorm(make([]float32, 2), make([]float32, 2), make([]float32, 1), 0) },
		"SiLUMul": func() { SiLUMul(make([]float32, 2), make([]float32, 1)) },
		"Add":     func() { Add(make([]float32, 2), make([]float32, 2), make([]float32, 1)) },
		"RoPE":    func() { RoPE(make([]float32, 2), make([]float32, 4), false) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on mismatched lengths", name)
				}
			}()
			f()
		}()
	}
}

func TestRoPE(t *testing.T) {
	cs := make([]float32, 4)
	RoPECache(cs, 0, 10000, 1, nil)
	if cs[0] != 1 || cs[1] != 0 || cs[2] != 1 || cs[3] != 0 {
		t.Fatalf("position 0 cache = %v, want identity", cs)
	}
	// Position 1, 4 dims, base 10000: theta = 1 and 1*10000^(-2/4) = 0.01.
	RoPECache(cs, 1, 10000, 1, nil)
	c1, s1 := float32(math.Cos(1)), float32(math.Sin(1))
	c2, s2 := float32(math.Cos(0.01)), float32(math.Sin(0.01))
	if !near(cs[0], c1, 1e-7) || !near(cs[1], s1, 1e-7) || !near(cs[2], c2, 1e-7) || !near(cs[3], s2, 1e-7) {
		t.Fatalf("position 1 cache = %v", cs)
	}
	x := []float32{1, 0, 0, 1, 7} // the fifth dimension is not rotated
	RoPE(x, cs, false)            // pairs (0,1), (2,3)
	want := []float32{c1, s1, -s2, c2, 7}
	for i := range x {
		if !near(x[i], want[i], 1e-7) {
			t.Errorf("normal: x[%d] = %g, want %g", i, x[i], want[i])
		}
	}
	x = []float32{1, 0, 0, 1}
	RoPE(x, cs, true) // pairs (0,2), (1,3)
	want = []float32{c1, -s2, s1, c2}
	for i := range x {
		if !near(x[i], want[i], 1e-7) {
			t.Errorf("neox: x[%d] = %g, want %g", i, x[i], want[i])
		}
	}
	// Frequency factors divide theta; freqScale multiplies it.
	RoPECache(cs, 2, 10000, 0.5, []float32{2, 1})
	if !near(cs[0], float32(math.Cos(0.5)), 1e-7) || !near(cs[2], float32(math.Cos(0.01)), 1e-7) {
		t.Errorf("factors/scale cache = %v", cs)
	}
}
