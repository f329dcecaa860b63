package kernels

import (
	"encoding/binary"
	"math"
	"testing"
)

// Tolerances of the float32 ops against llama.cpp's CPU backend, in units in
// the last place of the llama.cpp value: all zero, because RMSNorm, softmax,
// SwiGLU and RoPE use ggml's exact formulas, rounding steps and fused
// multiply-adds, its vectorised exp (ggml_v_expf) and glibc's cosf/sinf.
const (
	rmsNormULPs = 0
	ropeULPs    = 0
	softmaxULPs = 0
	swigluULPs  = 0
)

func goldenF32(t *testing.T, name string) []float32 {
	t.Helper()
	b := readGolden(t, name)
	f := make([]float32, len(b)/4)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return f
}

// ulps is the distance between a and b in units in the last place of b.
func ulps(a, b float32) float64 {
	if a == b {
		return 0
	}
	ulp := float64(math.Nextafter32(float32(math.Abs(float64(b))), float32(math.Inf(1)))) - math.Abs(float64(b))
	return math.Abs(float64(a)-float64(b)) / ulp
}

func checkULPs(t *testing.T, name string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, llama.cpp has %d", name, len(got), len(want))
	}
	worst, at := 0.0, 0
	for i := range got {
		if u := ulps(got[i], want[i]); u > worst || math.IsNaN(u) {
			worst, at = u, i
		}
	}
	t.Logf("%s: max %.1f ulp (element %d)", name, worst, at)
	if !(worst <= tol) {
		t.Errorf("%s: element %d = %.9g, llama.cpp %.9g (%.1f ulp > %g)", name, at, got[at], want[at], worst, tol)
	}
}

func TestGoldenOps(t *testing.T) {
	x, w := goldenF32(t, "x.f32"), goldenF32(t, "w.f32")
	n := len(x)

	rms := make([]float32, n)
	RMSNorm(rms, x, w, 1e-5)
	checkULPs(t, "rms_norm*w", rms, goldenF32(t, "op_rms_norm_mul.f32"), rmsNormULPs)

	sm := append([]float32(nil), x[32:]...)
	Softmax(sm)
	checkULPs(t, "soft_max", sm, goldenF32(t, "op_soft_max.f32"), softmaxULPs)

	gate, up := append([]float32(nil), x[:n/2]...), x[n/2:]
	SiLUMul(gate, up)
	checkULPs(t, "swiglu", gate, goldenF32(t, "op_swiglu.f32"), swigluULPs)

	// x viewed as [64 dims, 4 heads, 4 tokens] at positions 0, 1, 7, 1000.
	for _, c := range []struct {
		file string
		base float32
		neox bool
	}{{"op_rope_norm.f32", 10000, false}, {"op_rope_neox.f32", 1e6, true}} {
		got := append([]float32(nil), x...)
		cs := make([]float32, 64)
		for tok, pos := range []int{0, 1, 7, 1000} {
			RoPECache(cs, pos, c.base, 1, nil)
			for h := range 4 {
				off := (tok*4 + h) * 64
				RoPE(got[off:off+64], cs, c.neox)
			}
		}
		checkULPs(t, c.file, got, goldenF32(t, c.file), ropeULPs)
	}
}
