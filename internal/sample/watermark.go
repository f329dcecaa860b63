package sample

// Watermark is a keyed logit bias that the sampler applies before it
// chooses (see internal/watermark): Green reports whether tok follows prev
// on the key's green list, whose logits are raised by Delta. It is a pure
// function of (prev, tok), so the choice stays deterministic under the seed.
type Watermark interface {
	Green(prev, tok int32) bool
	Delta() float32
}

// SetWatermark makes s bias green tokens after the penalties and before
// top-k (or greedy), with the last history token as context; nil removes it.
// With an empty history (nothing to key on) no bias is applied.
func (s *Sampler) SetWatermark(w Watermark) { s.wm = w }

// watermark raises the logits of the candidates green after prev.
func (s *Sampler) watermark(cand []candidate, history []int32) {
	if s.wm == nil || len(history) == 0 {
		return
	}
	prev, d := history[len(history)-1], s.wm.Delta()
	for i := range cand {
		if s.wm.Green(prev, cand[i].id) {
			cand[i].logit += d
		}
	}
}
