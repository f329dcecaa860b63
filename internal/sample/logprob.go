package sample

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
)

// LogSoftmax writes log(softmax(logits)) into dst (same length), with the
// normaliser accumulated in float64. −Inf logits give −Inf; NaN, +Inf or
// all −Inf is an error.
func LogSoftmax(logits, dst []float32) error {
	if len(dst) != len(logits) {
		return fmt.Errorf("%w: LogSoftmax dst has %d elements, logits %d", ErrLogits, len(dst), len(logits))
	}
	maxL, bad := maxLogit(logits)
	if bad >= 0 {
		return badLogit(bad, logits[bad])
	}
	if math.IsInf(float64(maxL), -1) {
		return errNoFinite(len(logits))
	}
	var sum float64
	for _, l := range logits {
		sum += expShifted(float64(l) - float64(maxL))
	}
	subtract(dst, logits, float64(maxL)+math.Log(sum))
	return nil
}

// maxLogit returns the largest of logits (−Inf if none is finite), or the
// index of the first NaN or +Inf (else −1).
func maxLogit(logits []float32) (float32, int) {
	maxL := float32(math.Inf(-1))
	for i, l := range logits {
		// One comparison for most logits: NaN fails l < maxL too, so the
		// tests for NaN and +Inf and the builtin max (−0 < +0) are only
		// for the logits that may raise the maximum (a fifth of the time
		// of IsNaN, IsInf and max on every logit).
		if l < maxL {
			continue
		}
		if math.IsNaN(float64(l)) || math.IsInf(float64(l), 1) {
			return maxL, i
		}
		maxL = max(maxL, l)
	}
	return maxL, -1
}

// subtract writes logits − lse (in float64, rounded) into dst.
func subtract(dst, logits []float32, lse float64) {
	for i, l := range logits {
		dst[i] = float32(float64(l) - lse)
	}
}

// errNoFinite is the error for n logits that are all −Inf.
func errNoFinite(n int) error {
	return fmt.Errorf("%w: no finite logit among %d", ErrLogits, n)
}

// TokenLogprob is a token id with its log-probability.
type TokenLogprob struct {
	ID      int32
	Logprob float32
}

// TopK returns the k largest entries of logprobs (indexed by token id),
// sorted by descending log-probability, ties by lower id. NaN entries are
// skipped; k <= 0 returns nil.
func TopK(logprobs []float32, k int) []TokenLogprob {
	if k <= 0 {
		return nil
	}
	h := make(worstHeap, 0, min(k, len(logprobs)))
	i := 0
	for ; i < len(logprobs) && len(h) < k; i++ {
		if l := logprobs[i]; !math.IsNaN(float64(l)) {
			heap.Push(&h, candidate{id: int32(i), logit: l})
		}
	}
	if len(h) == k {
		// Ids come in increasing order, so a later entry is better than
		// the worst kept one exactly when its value is larger (equal, it
		// loses on id); NaN fails that test too. One comparison a logit.
		floor := h[0].logit
		for j, l := range logprobs[i:] {
			if l > floor {
				h[0] = candidate{id: int32(i + j), logit: l}
				heap.Fix(&h, 0)
				floor = h[0].logit
			}
		}
	}
	slices.SortFunc(h, cmpCand)
	out := make([]TokenLogprob, len(h))
	for i, c := range h {
		out[i] = TokenLogprob{ID: c.id, Logprob: c.logit}
	}
	return out
}
