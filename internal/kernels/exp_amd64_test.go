//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expInputs mixes ordinary values with the ones that take ggml_v_expf's
// slow path (|n| > 126, > 192), zeros, infinities and NaN.
func expInputs(r *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), -87, -88.5, -100, -103.9, -104, -150, -200, -1e30,
		float32(math.Inf(-1)), 88.3, 88.5, 100, 200, float32(math.Inf(1)), float32(math.NaN()), 1e-40}
	x := make([]float32, n)
	for i := range x {
		if r.IntN(4) == 0 {
			x[i] = special[r.IntN(len(special))]
		} else {
			x[i] = float32(20 * r.NormFloat64())
		}
	}
	return x
}

func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func TestAsmSoftmaxGroupsMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 16, 63, 64, 257, 1024} {
		for _, m := range []float32{0, 3.5, -2, 50} {
			x := expInputs(r, n+2)
			got := append([]float32(nil), x...)
			done, sum := softmaxGroups(got[1:n+1], m)
			if done != n&^7 {
				t.Fatalf("n=%d: %d done, want %d", n, done, n&^7)
			}
			var want float64
			for i := 1; i+8 <= n+1; i += 8 {
				var g [8]float32
				for k := range g {
					g[k] = vexpf(x[i+k] - m)
				}
				want += float64(reduce8(&g))
				for k := range g {
					if !sameBits(got[i+k], g[k]) {
						t.Fatalf("n=%d m=%g: exp(%g) = %g, generic %g", n, m, x[i+k]-m, got[i+k], g[k])
					}
				}
			}
			if math.Float64bits(sum) != math.Float64bits(want) && !(sum != sum && want != want) {
				t.Errorf("n=%d m=%g: sum %g, generic %g", n, m, sum, want)
			}
			if !sameBits(got[0], x[0]) || (n+1 < len(x) && n&7 != 0 && !sameBits(got[n+1], x[n+1])) {
				t.Errorf("n=%d: guard values changed", n)
			}
		}
	}
}

func TestAsmSiLUMulGroupsMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{0, 1, 8, 15, 16, 100, 1536} {
		gate, up := expInputs(r, n+1), expInputs(r, n+1)
		got := append([]float32(nil), gate...)
		done := siluMulGroups(got[:n], up[:n])
		for i := range n {
			want := gate[i]
			if i < done {
				want = gate[i] / (1 + vexpf(0-gate[i])) * up[i]
			}
			if !sameBits(got[i], want) {
				t.Fatalf("n=%d i=%d: silu(%g)*%g = %g, generic %g", n, i, gate[i], up[i], got[i], want)
			}
		}
		if !sameBits(got[n], gate[n]) {
			t.Errorf("n=%d: guard value changed", n)
		}
	}
}

func BenchmarkSoftmaxExp(b *testing.B) {
	requireAVX2(b)
	x := expInputs(rand.New(rand.NewPCG(1, 1)), 4096)
	for i := range x {
		x[i] = max(min(x[i], 10), -60)
	}
	y := make([]float32, len(x))
	b.Run("generic", func(b *testing.B) {
		for b.Loop() {
			copy(y, x)
			for i := range y {
				y[i] = vexpf(y[i] - 10)
			}
		}
	})
	b.Run("avx2", func(b *testing.B) {
		for b.Loop() {
			copy(y, x)
			softmaxGroups(y, 10)
		}
	})
}

// Softmax with the assembly max and scale passes equals the generic loops
// bit for bit, guards untouched; rows holding a NaN come out all NaN both
// ways.
func TestAsmSoftmaxMaxScaleMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(4, 5))
	asm, generic := avx2Kernels, avx2Kernels
	generic.maxGroups, generic.scaleGroups = genericKernels.maxGroups, genericKernels.scaleGroups
	defer func(k *kernelSet) { active = k }(active)
	for _, n := range []int{1, 7, 8, 9, 16, 31, 64, 130} {
		for trial := range 20 {
			x := make([]float32, n+2)
			for i := range x {
				x[i] = float32(8 * r.NormFloat64())
			}
			if trial%5 == 1 {
				x[1+r.IntN(n)] = float32(math.Inf(-1))
			}
			if trial%5 == 2 {
				x[1+r.IntN(n)] = float32(math.NaN())
			}
			got, want := append([]float32(nil), x...), append([]float32(nil), x...)
			active = &asm
			Softmax(got[1 : n+1])
			active = &generic
			Softmax(want[1 : n+1])
			for i := range got {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("n=%d trial %d: element %d = %g, generic %g", n, trial, i, got[i], want[i])
				}
			}
			if got[0] != x[0] || got[n+1] != x[n+1] {
				t.Fatalf("n=%d: guard values changed", n)
			}
		}
	}
	// maxAVX2 alone against max over a plain loop.
	for _, n := range []int{8, 16, 24, 1024} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		x[r.IntN(n)] = 99
		if _, m := maxGroups(x); m != 99 {
			t.Errorf("n=%d: max %g, want 99", n, m)
		}
	}
}

// RoPE with the assembly pairs equals the generic loop bit for bit in both
// modes, for head sizes with and without leftover pairs; dimensions past
// len(cs) stay untouched.
func TestAsmRoPEMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(4, 6))
	asm, generic := avx2Kernels, avx2Kernels
	generic.ropePairs = genericKernels.ropePairs
	defer func(k *kernelSet) { active = k }(active)
	for _, nDims := range []int{2, 6, 8, 14, 16, 24, 32, 40, 64, 128} {
		for _, neox := range []bool{false, true} {
			for pos := range 5 {
				cs := make([]float32, nDims)
				RoPECache(cs, 37*pos+r.IntN(100), 10000, 1, nil)
				x := make([]float32, nDims+3)
				for i := range x {
					x[i] = float32(4 * r.NormFloat64())
				}
				got, want := append([]float32(nil), x...), append([]float32(nil), x...)
				active = &asm
				RoPE(got, cs, neox)
				active = &generic
				RoPE(want, cs, neox)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("nDims=%d neox=%v: x[%d] = %g, generic %g", nDims, neox, i, got[i], want[i])
					}
				}
				for i := nDims; i < len(x); i++ {
					if got[i] != x[i] {
						t.Fatalf("nDims=%d neox=%v: x[%d] past the rotated dimensions changed", nDims, neox, i)
					}
				}
			}
		}
	}
}
