package sample

import (
	"container/heap"
	"slices"
)

// candidate is one token still in the running, like llama_token_data.
type candidate struct {
	id    int32
	logit float32
	p     float64 // probability, valid after softmax
}

// better orders candidates by descending logit, ties by ascending id, so
// that every sort and selection in the chain is deterministic.
func better(a, b candidate) bool {
	return a.logit > b.logit || (a.logit == b.logit && a.id < b.id)
}

func cmpCand(a, b candidate) int {
	switch {
	case better(a, b):
		return -1
	case better(b, a):
		return 1
	}
	return 0
}

// argmax returns the best candidate's id (ties: lowest id).
func argmax(c []candidate) int32 {
	best := c[0]
	for _, x := range c[1:] {
		if better(x, best) {
			best = x
		}
	}
	return best.id
}

// worstHeap is a heap whose root is the worst kept candidate.
type worstHeap []candidate

func (h worstHeap) Len() int           { return len(h) }
func (h worstHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h worstHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstHeap) Push(x any)        { *h = append(*h, x.(candidate)) }
func (h *worstHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topK keeps the k best candidates, sorted best first (llama.cpp top-k;
// k <= 0 disables it and leaves the order alone).
func topK(c []candidate, k int) []candidate {
	if k <= 0 {
		return c
	}
	if k >= len(c) {
		slices.SortFunc(c, cmpCand)
		return c
	}
	h := worstHeap(c[:k:k])
	heap.Init(&h)
	for _, x := range c[k:] {
		if better(x, h[0]) {
			h[0] = x
			heap.Fix(&h, 0)
		}
	}
	out := c[:k] // the heap was built in place over c[:k]
	slices.SortFunc(out, cmpCand)
	return out
}

// softmax fills c[i].p from the logits with float64 accumulation.
func softmax(c []candidate) {
	maxL := c[0].logit
	for _, x := range c[1:] {
		maxL = max(maxL, x.logit)
	}
	var sum float64
	for i := range c {
		c[i].p = detExp(float64(c[i].logit - maxL))
		sum += c[i].p
	}
	for i := range c {
		c[i].p /= sum
	}
}

// topP keeps the smallest best-first prefix whose probability mass reaches
// p (llama.cpp top-p with min_keep 1; p >= 1 disables it).
func topP(c []candidate, p float32) []candidate {
	if p >= 1 || len(c) <= 1 {
		return c
	}
	slices.SortFunc(c, cmpCand) // cheap when top-k already sorted
	softmax(c)
	var cum float64
	for i := range c {
		cum += c[i].p
		if cum >= float64(p) {
			return c[:i+1]
		}
	}
	return c
}

// minP keeps candidates whose probability is at least p times the best
// one's, i.e. logit − max ≥ ln p (llama.cpp min-p; p = 0 disables). Order
// is preserved.
func minP(c []candidate, p float32) []candidate {
	if p <= 0 || len(c) <= 1 {
		return c
	}
	maxL := c[0].logit
	for _, x := range c[1:] {
		maxL = max(maxL, x.logit)
	}
	out := c[:0]
	for _, x := range c {
		if detExp(float64(x.logit-maxL)) >= float64(p) {
			out = append(out, x)
		}
	}
	return out
}

// temperature divides every logit by t > 0.
func temperature(c []candidate, t float32) {
	for i := range c {
		c[i].logit /= t
	}
}

// dist draws one candidate with probability softmax(logit) using the
// uniform value u in [0, 1), walking the cumulative sum in list order.
func dist(c []candidate, u float64) int32 {
	softmax(c)
	var cum float64
	for _, x := range c {
		cum += x.p
		if u < cum {
			return x.id
		}
	}
	return c[len(c)-1].id // rounding left u ≥ the total mass
}
