package sample

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/plumewriter/plume/internal/watermark"
)

// pruneCase is one random draw of TestCandidatesMatchAll.
type pruneCase struct {
	p       Params
	wm      Watermark
	logits  []float32
	history []int32
}

// fixedDelta is a watermark key with another bias.
type fixedDelta struct {
	*watermark.Key
	d float32
}

func (f fixedDelta) Delta() float32 { return f.d }

// countingWM counts the Green calls of the watermark it wraps.
type countingWM struct {
	Watermark
	calls *int
}

func (c countingWM) Green(prev, tok int32) bool { *c.calls++; return c.Watermark.Green(prev, tok) }

// randomPruneCase draws logits with ties, −Inf masks and extremes,
// penalties, a random key and bias, and a top-k at and around the edges.
func randomPruneCase(r *rng) pruneCase {
	pick := func(n int) int { return int(r.next() % uint64(n)) }
	sizes := []int{1, 2, 3, 40, 41, 97, 600, 3000}
	n := sizes[pick(len(sizes))]
	logits := make([]float32, n)
	masked := []float64{0, 0, 0.5, 0.99, 1}[pick(5)]
	for i := range logits {
		switch {
		case r.float64() < masked:
			logits[i] = float32(math.Inf(-1))
		case pick(50) == 0:
			logits[i] = []float32{math.MaxFloat32, -math.MaxFloat32, 1e-30, 0}[pick(4)]
		case pick(20000) == 0:
			logits[i] = []float32{float32(math.NaN()), float32(math.Inf(1))}[pick(2)]
		case pick(2) == 0:
			logits[i] = float32(pick(9)) / 2 // ties
		default:
			logits[i] = float32(r.float64()*20 - 10)
		}
	}
	p := DefaultParams()
	p.Seed = r.next()
	p.Temperature = []float32{0, 0.8, 1.5}[pick(3)]
	p.TopK = []int{0, 1, 2, 40, n - 1, n, n + 1, 1 + pick(n)}[pick(8)]
	p.TopK = max(p.TopK, 0)
	if pick(2) == 0 {
		p.RepeatPenalty = []float32{1, 1.3, MinRepeatPenalty, MaxRepeatPenalty}[pick(4)]
		p.PresencePenalty = float32(r.float64()*4 - 2)
		p.FrequencyPenalty = float32(r.float64()*4 - 2)
		p.RepeatLastN = []int{-1, 0, 3, 64}[pick(4)]
	}
	var wm Watermark
	if pick(4) != 0 {
		secret := make([]byte, 16)
		for i := range secret {
			secret[i] = byte(r.next())
		}
		key, err := watermark.NewKey(secret)
		if err != nil {
			panic(err)
		}
		d := []float32{0, 2, 1e-7, 1e30, math.MaxFloat32, -1, float32(r.float64() * 10)}[pick(7)]
		wm = fixedDelta{key, d}
	}
	history := make([]int32, pick(100))
	for i := range history {
		history[i] = int32(pick(min(n, 50))) // repeats, so penalties bite
	}
	return pruneCase{p, wm, logits, history}
}

// topOf is what the chain keeps of cand: the top k, or the argmax at
// temperature 0.
func topOf(p Params, cand []candidate) []candidate {
	cand = slices.Clone(cand)
	if p.Temperature == 0 {
		best := argmax(cand)
		i := slices.IndexFunc(cand, func(c candidate) bool { return c.id == best })
		return cand[i : i+1]
	}
	return topK(cand, p.TopK)
}

func sameCandidates(a, b []candidate) bool {
	return slices.EqualFunc(a, b, func(x, y candidate) bool {
		return x.id == y.id && math.Float32bits(x.logit) == math.Float32bits(y.logit)
	})
}

// TestCandidatesMatchAll: the pruned candidates keep the top k of the
// whole vocabulary's (penalised, watermarked) candidates bit for bit, and
// the token chosen from them is the whole path's, for random logits,
// penalties, keys and biases (0, tiny, huge, negative) and top-k values
// at the edges.
func TestCandidatesMatchAll(t *testing.T) {
	trials := 20000
	if testing.Short() {
		trials = 2000
	}
	r := newRNG(19)
	errs := 0
	defer func() {
		if errs == 0 || errs > trials/2 {
			t.Errorf("%d of %d trials were errors: the draws need adjusting", errs, trials)
		}
	}()
	for trial := range trials {
		c := randomPruneCase(&r)
		fast, err := New(c.p, len(c.logits))
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := New(c.p, len(c.logits))
		fast.SetWatermark(c.wm)
		ref.SetWatermark(c.wm)
		got, gerr := fast.candidates(c.logits, c.history)
		want, werr := ref.allCandidates(c.logits, c.history)
		if (gerr == nil) != (werr == nil) || (werr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("trial %d: errors %v and %v", trial, gerr, werr)
		}
		if werr != nil {
			errs++
			continue
		}
		g, w := topOf(c.p, got), topOf(c.p, want)
		if !sameCandidates(g, w) {
			t.Fatalf("trial %d (n=%d, %+v): top of pruned %v, of all %v", trial, len(c.logits), c.p, g, w)
		}
		// A logit that overflowed to +Inf (a huge bias or penalty on an
		// extreme logit) is the same error on both paths.
		gid, gerr := fast.choose(got)
		wid, werr := ref.choose(want)
		if gid != wid || (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("trial %d: chose %d (%v), whole path %d (%v)", trial, gid, gerr, wid, werr)
		}
	}
}

// TestCandidatesErrors: bad logits or history give the whole path's error,
// the first bad logit by id, also at a penalised id.
func TestCandidatesErrors(t *testing.T) {
	ninf, nan, inf := float32(math.Inf(-1)), float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		name    string
		logits  []float32
		history []int32
	}{
		{"NaN", []float32{1, nan, 2, 3}, []int32{3}},
		{"+Inf at a penalised id before a NaN", []float32{1, inf, nan, 3}, []int32{1}},
		{"NaN after a penalised id", []float32{1, 2, nan, 3}, []int32{1}},
		{"NaN below a full heap's root", []float32{1, 2, 3, nan, 0}, []int32{4}},
		{"+Inf after a full heap", []float32{1, 2, 3, inf, nan}, []int32{0}},
		{"all -Inf", []float32{ninf, ninf, ninf, ninf}, []int32{1}},
		{"bad history", []float32{1, 2, 3, 4}, []int32{1, 9}},
		{"bad history and NaN", []float32{1, 2, nan, 4}, []int32{-1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams()
			p.TopK, p.RepeatPenalty = 2, 1.5
			fast, _ := New(p, len(tc.logits))
			ref, _ := New(p, len(tc.logits))
			_, gerr := fast.candidates(tc.logits, tc.history)
			_, werr := ref.allCandidates(tc.logits, tc.history)
			if !errors.Is(gerr, ErrLogits) || !errors.Is(werr, ErrLogits) || gerr.Error() != werr.Error() {
				t.Fatalf("pruned: %v; whole path: %v", gerr, werr)
			}
		})
	}
}

// TestPruneAsksFewGreens: on a Qwen-sized vocabulary with a model-like
// spread of logits, the watermark is asked about a small fraction of the
// tokens (the point of pruning), and the choices match the whole path's.
func TestPruneAsksFewGreens(t *testing.T) {
	logits := benchLogits(151936, 5)
	var calls int
	wm := countingWM{watermark.DefaultKey(), &calls}
	p := DefaultParams()
	fast, _ := New(p, len(logits))
	ref, _ := New(p, len(logits))
	fast.SetWatermark(wm)
	ref.SetWatermark(watermark.DefaultKey())
	history := []int32{11, 12}
	for step := range 20 {
		calls = 0
		got, err := fast.Sample(logits, history)
		if err != nil {
			t.Fatal(err)
		}
		if calls == 0 || calls > len(logits)/20 {
			t.Fatalf("step %d: %d Green calls for %d tokens", step, calls, len(logits))
		}
		cand, err := ref.allCandidates(logits, history)
		if err != nil {
			t.Fatal(err)
		}
		if want, err := ref.choose(cand); err != nil || got != want {
			t.Fatalf("step %d: chose %d, whole path %d", step, got, want)
		}
		history = append(history, got)
	}
}
