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
	t := kthHeap{h: s.top[:0], k: k, d: d, root: float32(math.Inf(-1)), cand: s.cand[:0]}
	err := t.walk(logits, s.pens)
	s.top, s.cand = t.h, t.cand
	if err != nil {
		return nil, err
	}
	s.watermark(t.cand, history)
	return t.cand, nil
}

// penalties appends, sorted by id, every token of the penalty window with
// its penalised logit (computed from whatever logits holds there; walk
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

// kthHeap finds, in one pass over the logits, the candidates that can
// reach the top k: it keeps the k largest candidate logits seen (h, the
// smallest at the root; root is h[0] once k are held, −Inf before) and
// every candidate whose logit plus d reaches the root when it is seen
// (cand). The root only grows, so cand holds every candidate that reaches
// the final k-th largest logit, which walk then keeps alone.
type kthHeap struct {
	h    floatHeap
	k    int
	d    float32
	root float32
	cand []candidate
}

// walk goes over the logits in id order, the penalised tokens of pens
// (sorted by id) taking their penalised logit, and leaves in t.cand the
// candidates whose logit plus d is at least the k-th largest (all of them
// when there are fewer than k). It reports a NaN or +Inf logit (the first
// by id) and a vocabulary with no candidate, as collect does.
func (t *kthHeap) walk(logits []float32, pens []candidate) error {
	lo := 0
	for _, p := range pens {
		if err := t.scan(logits, lo, int(p.id)); err != nil {
			return err
		}
		switch l := logits[p.id]; {
		case math.IsNaN(float64(l)) || math.IsInf(float64(l), 1):
			return badLogit(int(p.id), l)
		case !math.IsInf(float64(l), -1):
			t.offer(p)
		}
		lo = int(p.id) + 1
	}
	if err := t.scan(logits, lo, len(logits)); err != nil {
		return err
	}
	if len(t.h) == 0 {
		return errAllMasked()
	}
	kept := t.cand[:0]
	for _, c := range t.cand {
		if float32(c.logit+t.d) >= t.root {
			kept = append(kept, c)
		}
	}
	t.cand = kept
	return nil
}

// scan offers the raw logits[lo:hi] (−Inf skipped, NaN or +Inf an error).
// It is offer for a logit that is not penalised, with the root in a local
// (t.root would be reloaded for every logit), and one comparison for most
// logits: one that cannot reach the root is passed over at once, and NaN,
// which fails every comparison, is not (nor +Inf, nor −Inf while the root
// is −Inf), so the special values are sorted out after it.
func (t *kthHeap) scan(logits []float32, lo, hi int) error {
	root, d := t.root, t.d
	for i, l := range logits[lo:hi] {
		if float32(l+d) < root {
			continue
		}
		if math.Float32bits(l)&expMask == expMask {
			if math.IsInf(float64(l), -1) {
				continue
			}
			return badLogit(lo+i, l)
		}
		t.cand = append(t.cand, candidate{id: int32(lo + i), logit: l})
		if l > root { // always true until k values are held
			t.add(l)
			root = t.root
		}
	}
	return nil
}

// offer adds candidate c to cand if its logit plus d reaches the root,
// and its logit to the k largest.
func (t *kthHeap) offer(c candidate) {
	if float32(c.logit+t.d) >= t.root {
		t.cand = append(t.cand, c)
		t.add(c.logit)
	}
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
