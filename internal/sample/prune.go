package sample

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Pruning: the chain after the watermark only ever looks at the k best
// candidates (top-k; argmax is k = 1). The watermark raises a logit by
// Delta ≥ 0 or leaves it, so every one of the k best logits before it, the
// k-th of which is kth, is still ≥ kth after it; a token whose logit plus
// Delta (rounded to float32, as the watermark adds it) is below kth is
// strictly worse than k candidates whatever its colour, and cannot be in
// the top k. candidates keeps the others (≥ kth, so ties at kth stay and
// topK's order by id decides them) and asks the watermark only about
// those: the top k, hence every later stage and the chosen token, are
// those of the whole vocabulary, for a few hundred Green calls instead of
// one per token of the vocabulary.

// expMask is the exponent field of a float32: all ones for ±Inf and NaN.
const expMask = 0x7f800000

// candidates returns the candidates whose top k (k = top-k, or 1 at
// temperature 0) is the top k of allCandidates(logits, history), with the
// same logits (penalised and watermarked), and the same errors.
func (s *Sampler) candidates(logits []float32, history []int32) ([]candidate, error) {
	k := s.p.TopK
	if s.p.Temperature == 0 {
		k = 1
	}
	var d float32
	if s.wm != nil && len(history) > 0 {
		d = s.wm.Delta()
	}
	// Outside the argument above (no top-k, nothing to prune, a negative
	// or non-finite bias) or with a bad history (whose error must come
	// after the logits' own), the whole vocabulary goes through the chain.
	if k <= 0 || k >= len(logits) || !(d >= 0 && d <= math.MaxFloat32) || s.checkHistory(history) != nil {
		return s.allCandidates(logits, history)
	}
	s.pens = s.penalties(s.pens[:0], logits, history)
	kth, err := s.kthLogit(logits, s.pens, k)
	if err != nil {
		return nil, err
	}
	s.cand = gather(s.cand[:0], logits, s.pens, d, kth)
	s.watermark(s.cand, history)
	return s.cand, nil
}

// penalties appends, sorted by id, every token of the penalty window with
// its penalised logit (computed from whatever logits holds there; kthLogit
// checks the raw value first).
func (s *Sampler) penalties(dst []candidate, logits []float32, history []int32) []candidate {
	if !s.penalizes() {
		return dst
	}
	s.countWindow(history)
	for id, n := range s.count {
		dst = append(dst, candidate{id: id, logit: s.penalized(logits[id], n)})
	}
	slices.SortFunc(dst, func(a, b candidate) int { return cmp.Compare(a.id, b.id) })
	return dst
}

// kthLogit returns the k-th largest logit of the candidates (the finite
// logits, with the penalised values of pens), or −Inf when there are fewer
// than k. It reports a NaN or +Inf logit (the first by id) and a
// vocabulary with no candidate, as collect does.
func (s *Sampler) kthLogit(logits []float32, pens []candidate, k int) (float32, error) {
	t := kthHeap{h: s.top[:0], k: k, root: float32(math.Inf(-1))}
	defer func() { s.top = t.h }()
	lo := 0
	for _, p := range pens {
		if err := t.scan(logits, lo, int(p.id)); err != nil {
			return 0, err
		}
		switch l := logits[p.id]; {
		case math.IsNaN(float64(l)) || math.IsInf(float64(l), 1):
			return 0, badLogit(int(p.id), l)
		case !math.IsInf(float64(l), -1):
			t.add(p.logit)
		}
		lo = int(p.id) + 1
	}
	if err := t.scan(logits, lo, len(logits)); err != nil {
		return 0, err
	}
	if len(t.h) == 0 {
		return 0, errAllMasked()
	}
	return t.root, nil
}

// gather appends the candidates that can reach the top k: those whose
// logit (penalised, from pens) plus d is at least kth. With kth = −Inf
// that is every candidate.
func gather(dst []candidate, logits []float32, pens []candidate, d, kth float32) []candidate {
	ninf := float32(math.Inf(-1))
	lo := 0
	for i := 0; i <= len(pens); i++ {
		hi := len(logits)
		if i < len(pens) {
			hi = int(pens[i].id)
		}
		for j, l := range logits[lo:hi] {
			if float32(l+d) >= kth && l != ninf {
				dst = append(dst, candidate{id: int32(lo + j), logit: l})
			}
		}
		if i == len(pens) {
			break
		}
		if p := pens[i]; logits[p.id] != ninf && float32(p.logit+d) >= kth {
			dst = append(dst, p)
		}
		lo = hi + 1
	}
	return dst
}

// kthHeap keeps the k largest values seen, smallest at the root; root is
// h[0] once k values are held, −Inf before.
type kthHeap struct {
	h    floatHeap
	k    int
	root float32
}

// scan adds logits[lo:hi] (raw: −Inf skipped, NaN or +Inf an error).
func (t *kthHeap) scan(logits []float32, lo, hi int) error {
	root := t.root // a local: t.root would be reloaded for every logit
	for i, l := range logits[lo:hi] {
		if math.Float32bits(l)&expMask == expMask {
			if math.IsInf(float64(l), -1) {
				continue
			}
			return badLogit(lo+i, l)
		}
		if l > root { // always true until k values are held
			t.add(l)
			root = t.root
		}
	}
	return nil
}

// add offers v to the k largest.
func (t *kthHeap) add(v float32) {
	switch {
	case len(t.h) < t.k:
		t.h = append(t.h, v)
		t.h.up(len(t.h) - 1)
		if len(t.h) == t.k {
			t.root = t.h[0]
		}
	case v > t.h[0]:
		t.h[0] = v
		t.h.down(0)
		t.root = t.h[0]
	}
}

// floatHeap is a min-heap of float32 (container/heap would box every
// value it pushes).
type floatHeap []float32

// up moves h[i] towards the root until its parent is not larger.
func (h floatHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p] <= h[i] {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

// down moves h[i] towards the leaves until no child is smaller.
func (h floatHeap) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h[c+1] < h[c] {
			c++
		}
		if h[i] <= h[c] {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// badLogit is the error for logit i, NaN or +Inf.
func badLogit(i int, l float32) error {
	return fmt.Errorf("%w: logit %d is %v", ErrLogits, i, l)
}

// errAllMasked is the error for logits that are all −Inf.
func errAllMasked() error {
	return fmt.Errorf("%w: every logit is -Inf (nothing can be sampled)", ErrLogits)
}
