package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// greedyRef is Greedy as first written, each case tested in turn: the
// reference of TestGreedyMatchesReference.
func greedyRef(logits []float32) int32 {
	best := int32(-1)
	for i, l := range logits {
		if math.IsNaN(float64(l)) || math.IsInf(float64(l), 1) {
			return -2
		}
		if math.IsInf(float64(l), -1) {
			continue
		}
		if best < 0 || l > logits[best] {
			best = int32(i)
		}
	}
	return best
}

// Greedy picks what the reference picks, and fails where it fails, on
// random logits with ties, −Inf, NaN, +Inf, −0 and +0, and huge values.
func TestGreedyMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	specials := []float32{float32(math.Inf(-1)), float32(math.Inf(1)), float32(math.NaN()), 0, float32(math.Copysign(0, -1)),
		math.MaxFloat32, -math.MaxFloat32, 1, 1}
	for trial := range 20000 {
		n := 1 + r.IntN(40)
		logits := make([]float32, n)
		for i := range logits {
			switch r.IntN(4) {
			case 0:
				logits[i] = specials[r.IntN(len(specials))]
			case 1:
				logits[i] = float32(r.IntN(3)) // ties
			default:
				logits[i] = float32(r.NormFloat64() * 10)
			}
		}
		want := greedyRef(logits)
		got, err := Greedy(logits)
		if want == -2 || want == -1 {
			if err == nil {
				t.Fatalf("trial %d: Greedy(%v) = %d, want an error", trial, logits, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Fatalf("trial %d: Greedy(%v) = %d, %v; want %d", trial, logits, got, err, want)
		}
	}
}

// BenchmarkGreedy128k is a temperature-0 token over Llama 3's vocabulary.
func BenchmarkGreedy128k(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	logits := make([]float32, 128256)
	for i := range logits {
		logits[i] = float32(r.NormFloat64() * 5)
	}
	for b.Loop() {
		if _, err := Greedy(logits); err != nil {
			b.Fatal(err)
		}
	}
}
