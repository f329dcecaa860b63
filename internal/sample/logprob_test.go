package sample

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// logSoftmaxRef is LogSoftmax as it was before expShifted and maxLogit
// (detExp on every logit, summed in id order): the reference it must match
// bit for bit.
func logSoftmaxRef(logits, dst []float32) error {
	maxL := float32(math.Inf(-1))
	for i, l := range logits {
		if math.IsNaN(float64(l)) || math.IsInf(float64(l), 1) {
			return badLogit(i, l)
		}
		maxL = max(maxL, l)
	}
	if math.IsInf(float64(maxL), -1) {
		return errNoFinite(len(logits))
	}
	var sum float64
	for _, l := range logits {
		sum += detExp(float64(l) - float64(maxL))
	}
	lse := float64(maxL) + math.Log(sum)
	for i, l := range logits {
		dst[i] = float32(float64(l) - lse)
	}
	return nil
}

func sameBits64(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// TestExpShifted: expShifted returns detExp's bits on the edges of its
// fast domain, on every special value, and on millions of random inputs
// (uniform over the softmax range, log-uniform in magnitude, and random
// bit patterns).
func TestExpShifted(t *testing.T) {
	edges := []float64{0, math.Copysign(0, -1), expNearly, -expNearly, expNegLo, -708, -708.4, -709, -745.1, -746,
		expOver, expUnder, math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 700, 710, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}
	for _, x := range append([]float64(nil), edges...) {
		edges = append(edges, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
	}
	for _, x := range edges {
		if got, want := expShifted(x), detExp(x); !sameBits64(got, want) {
			t.Fatalf("expShifted(%v) = %v, detExp %v", x, got, want)
		}
	}
	n := 3_000_000
	if testing.Short() {
		n = 300_000
	}
	r := newRNG(31)
	gens := []struct {
		name string
		x    func() float64
	}{
		{"uniform [-750, 0]", func() float64 { return -750 * r.float64() }},
		{"log-uniform magnitude", func() float64 { return -math.Pow(10, 15*r.float64()-12) }},
		{"bit patterns", func() float64 { return math.Float64frombits(r.next()) }},
	}
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			for range n / len(gens) {
				x := g.x()
				if got, want := expShifted(x), detExp(x); !sameBits64(got, want) {
					t.Fatalf("expShifted(%v) = %v, detExp %v", x, got, want)
				}
			}
		})
	}
}

func FuzzExpShifted(f *testing.F) {
	for _, x := range []float64{0, -1e-9, -0.5, -700, expNegLo, -708, -745.2, math.Inf(-1), 3} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if got, want := expShifted(x), detExp(x); !sameBits64(got, want) {
			t.Fatalf("expShifted(%v) = %v, detExp %v", x, got, want)
		}
	})
}

// TestLogSoftmaxMatchesReference: LogSoftmax gives the reference's bits
// and errors on random logits with
// ties, −Inf masks, spreads wide enough for subnormal and zero
// probabilities, and bad inputs.
func TestLogSoftmaxMatchesReference(t *testing.T) {
	r := newRNG(5)
	ninf := float32(math.Inf(-1))
	gen := func(n int, f func(i int) float32) []float32 {
		l := make([]float32, n)
		for i := range l {
			l[i] = f(i)
		}
		return l
	}
	cases := map[string][]float32{
		"empty":           {},
		"one":             {3},
		"model-like 152k": benchLogits(151936, 9),
		"uniform": gen(12305, func(int) float32 {
			return float32(r.float64()*40 - 20)
		}),
		"ties and masks": gen(5000, func(i int) float32 {
			if i%3 == 0 {
				return ninf
			}
			return float32(i % 7)
		}),
		"spread past underflow": gen(9000, func(int) float32 { return float32(r.float64()*2000 - 1000) }),
		"huge":                  gen(300, func(int) float32 { return float32((r.float64()*2 - 1) * math.MaxFloat32) }),
		"one far above": func() []float32 {
			l := gen(12288, func(int) float32 { return float32(r.float64()) })
			l[4099] = 1000 // a wrong max overflows the sum
			return l
		}(),
		"all -Inf": gen(4200, func(int) float32 { return ninf }),
		"NaN late": gen(8197, func(i int) float32 {
			if i == 8196 {
				return float32(math.NaN())
			}
			return 0
		}),
		"+Inf then NaN": {1, float32(math.Inf(1)), float32(math.NaN())},
	}
	for name, logits := range cases {
		want := make([]float32, len(logits))
		werr := logSoftmaxRef(logits, want)
		check := func(t *testing.T, got []float32, err error) {
			t.Helper()
			if werr != nil {
				if !errors.Is(err, ErrLogits) || err.Error() != werr.Error() {
					t.Fatalf("error %v, want %v", err, werr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("logprob %d = %v, want %v", i, got[i], want[i])
				}
			}
		}
		t.Run(name+"/LogSoftmax", func(t *testing.T) {
			got := make([]float32, len(logits))
			check(t, got, LogSoftmax(logits, got))
		})
	}
}

// TestMaxLogit: maxLogit is the builtin max folded over the logits (the
// same bits, −0 < +0) and finds the first NaN or +Inf.
func TestMaxLogit(t *testing.T) {
	nz, ninf, inf, nan := float32(math.Copysign(0, -1)), float32(math.Inf(-1)), float32(math.Inf(1)), float32(math.NaN())
	tests := []struct {
		name   string
		logits []float32
		bad    int
	}{
		{"empty", nil, -1},
		{"-0 then +0", []float32{nz, 0, -1}, -1},
		{"+0 then -0", []float32{0, nz}, -1},
		{"only -0", []float32{ninf, nz, nz}, -1},
		{"all -Inf", []float32{ninf, ninf}, -1},
		{"ties", []float32{2, 2, 1, 2}, -1},
		{"NaN", []float32{1, 5, nan, inf}, 2},
		{"+Inf after -Inf", []float32{ninf, inf, nan}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, bad := maxLogit(tc.logits)
			if bad != tc.bad {
				t.Fatalf("bad = %d, want %d", bad, tc.bad)
			}
			seen := tc.logits // the logits before the first bad one
			if tc.bad >= 0 {
				seen = tc.logits[:tc.bad]
			}
			want := float32(math.Inf(-1))
			for _, l := range seen {
				want = max(want, l)
			}
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("max = %v (bits %x), want %v (bits %x)", got, math.Float32bits(got), want, math.Float32bits(want))
			}
		})
	}
}

// topKRef is TopK as it was before its one-comparison scan: the reference.
func topKRef(logprobs []float32, k int) []TokenLogprob {
	if k <= 0 {
		return nil
	}
	var h []candidate
	for i, l := range logprobs {
		if !math.IsNaN(float64(l)) {
			h = append(h, candidate{id: int32(i), logit: l})
		}
	}
	slices.SortFunc(h, cmpCand)
	h = h[:min(k, len(h))]
	out := make([]TokenLogprob, len(h))
	for i, c := range h {
		out[i] = TokenLogprob{ID: c.id, Logprob: c.logit}
	}
	return out
}

// TestTopKMatchesReference: TopK gives a full sort's k best (ties to the
// lower id, NaN skipped, −Inf kept) for random values with many ties, NaN
// and −Inf, and k from 0 past the length.
func TestTopKMatchesReference(t *testing.T) {
	r := newRNG(23)
	pick := func(n int) int { return int(r.next() % uint64(n)) }
	for trial := range 3000 {
		lp := make([]float32, pick(200))
		for i := range lp {
			switch pick(6) {
			case 0:
				lp[i] = float32(math.NaN())
			case 1:
				lp[i] = float32(math.Inf(-1))
			case 2:
				lp[i] = float32(r.float64() * -30)
			default:
				lp[i] = -float32(pick(5)) // ties
			}
		}
		k := pick(len(lp) + 3)
		got, want := TopK(lp, k), topKRef(lp, k)
		if !slices.EqualFunc(got, want, func(a, b TokenLogprob) bool {
			return a.ID == b.ID && math.Float32bits(a.Logprob) == math.Float32bits(b.Logprob)
		}) {
			t.Fatalf("trial %d: TopK(%v, %d) = %v, want %v", trial, lp, k, got, want)
		}
	}
}
