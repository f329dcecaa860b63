//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// withKernels runs f with the kernel set k active.
func withKernels(k *kernelSet, f func()) {
	defer func(old *kernelSet) { active = old }(active)
	active = k
	f()
}

func firstDiff(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestNEONRoPEMatchesGeneric runs RoPE with the NEON set and the generic
// one on odd and even head sizes, both modes, with dimensions past len(cs)
// that must stay unchanged.
func TestNEONRoPEMatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(6, 6))
	for _, nDims := range []int{0, 2, 6, 8, 10, 16, 24, 64, 72, 128} {
		for _, neox := range []bool{false, true} {
			cs := make([]float32, nDims)
			RoPECache(cs, r.IntN(5000), 10000, 1, nil)
			x := randVec(r, nDims+5)
			want, got := append([]float32(nil), x...), append([]float32(nil), x...)
			withKernels(&genericKernels, func() { RoPE(want, cs, neox) })
			withKernels(&neonKernels, func() { RoPE(got, cs, neox) })
			if i := firstDiff(got, want); i >= 0 {
				t.Errorf("nDims=%d neox=%v: x[%d] = %.9g, want %.9g", nDims, neox, i, got[i], want[i])
			}
		}
	}
}

// TestNEONSoftmaxMatchesGeneric runs Softmax (whose max and scale passes
// the NEON set replaces) with both sets over the gonum lengths, with large
// values, ±0 and -Inf among them.
func TestNEONSoftmaxMatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(1, 7))
	for _, n := range floatLens {
		for variant := range 3 {
			x := randVec(r, n)
			for i := range x {
				switch {
				case variant == 1:
					x[i] *= 30
				case variant == 2 && i%3 == 0:
					x[i] = float32(math.Copysign(0, float64(1-2*(i%2))))
				case variant == 2 && i%5 == 1:
					x[i] = float32(math.Inf(-1))
				}
			}
			want, got := append([]float32(nil), x...), append([]float32(nil), x...)
			withKernels(&genericKernels, func() { Softmax(want) })
			withKernels(&neonKernels, func() { Softmax(got) })
			if i := firstDiff(got, want); i >= 0 {
				t.Errorf("n=%d variant %d: x[%d] = %.9g, want %.9g", n, variant, i, got[i], want[i])
			}
		}
	}
	for _, n := range []int{0, 7, 8, 17} {
		x := randVec(r, n)
		i, m := maxGroupsNEON(x)
		want := float32(math.Inf(-1))
		for _, v := range x[:n&^7] {
			want = max(want, v)
		}
		if i != n&^7 || m != want {
			t.Errorf("maxGroups(n=%d) = %d, %g; want %d, %g", n, i, m, n&^7, want)
		}
		y := append([]float32(nil), x...)
		if k := scaleGroupsNEON(y, 0.37); k != n&^7 {
			t.Errorf("scaleGroups(n=%d) = %d, want %d", n, k, n&^7)
		}
		for j := range x {
			want := x[j]
			if j < n&^7 {
				want *= 0.37
			}
			if math.Float32bits(y[j]) != math.Float32bits(want) {
				t.Errorf("scaleGroups n=%d: y[%d] = %g, want %g", n, j, y[j], want)
			}
		}
	}
}

// expCases returns rows for the vexpf kernels: normal values, the ranges
// where |n| > 126 and > 192 (overflow and underflow paths), ±Inf, NaN, ±0.
func expCases(r *rand.Rand, n int) [][]float32 {
	var rows [][]float32
	for variant := range 4 {
		x := make([]float32, n)
		for i := range x {
			switch variant {
			case 0:
				x[i] = float32(r.NormFloat64() * 4)
			case 1:
				x[i] = float32((r.Float64()*2 - 1) * 250) // |x| up to ~2^8: all three paths
			case 2:
				x[i] = float32((r.Float64()*2 - 1) * 100)
			case 3:
				x[i] = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
					float32(math.NaN()), 88.7, -87.4, 133.1, -133.2, 133.8, -133.8, 192, -192, 1e-40}[r.IntN(14)]
			}
		}
		rows = append(rows, x)
	}
	return rows
}

// TestNEONExpGroupsMatchesGeneric checks the softmax exponentials (values
// and the float64 sum) and SiLU·up against the generic groups.
func TestNEONExpGroupsMatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(10, 3))
	for _, n := range []int{0, 1, 7, 8, 9, 16, 33, 64, 130} {
		for v, x := range expCases(r, n) {
			m := float32(r.NormFloat64())
			got, want := append([]float32(nil), x...), append([]float32(nil), x...)
			gi, gs := expGroupsNEON(got, m)
			wi, ws := expGroupsGeneric(want, m)
			if gi != wi || math.Float64bits(gs) != math.Float64bits(ws) && !(math.IsNaN(gs) && math.IsNaN(ws)) {
				t.Errorf("exp n=%d variant %d: (%d, %v), want (%d, %v)", n, v, gi, gs, wi, ws)
			}
			if i := firstDiff(got, want); i >= 0 {
				t.Errorf("exp n=%d variant %d: x[%d] = %#08x, want %#08x (x = %g)", n, v, i, math.Float32bits(got[i]), math.Float32bits(want[i]), x[i])
			}
			up := randVec(r, n)
			got, want = append([]float32(nil), x...), append([]float32(nil), x...)
			if gi, wi := siluGroupsAsm(got, up), siluGroupsGeneric(want, up); gi != wi {
				t.Errorf("silu n=%d: did %d, want %d", n, gi, wi)
			}
			if i := firstDiff(got, want); i >= 0 {
				t.Errorf("silu n=%d variant %d: gate[%d] = %#08x, want %#08x (x = %g)", n, v, i, math.Float32bits(got[i]), math.Float32bits(want[i]), x[i])
			}
		}
	}
}
