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

func sameBits(a, b []float32) int {
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
			if i := sameBits(got, want); i >= 0 {
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
			if i := sameBits(got, want); i >= 0 {
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
