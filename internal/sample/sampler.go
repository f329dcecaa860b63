package sample

import (
	"errors"
	"fmt"
	"math"
)

// Limits on sampling parameters. Values outside them are almost always a
// typo or a hostile request; rejecting them keeps every sampler numerically
// well behaved.
const (
	// MaxTemperature: beyond 10 the distribution is practically uniform;
	// OpenAI-compatible APIs cap at 2, llama.cpp does not cap at all.
	MaxTemperature = 10
	// MinRepeatPenalty and MaxRepeatPenalty bound the llama.cpp-style
	// repetition penalty (a divisor, so it must be > 0; 1 = off).
	MinRepeatPenalty = 0.01
	MaxRepeatPenalty = 10
	// MaxAdditivePenalty bounds presence and frequency penalties to
	// [-2, 2], the range of the OpenAI API that users port settings from.
	MaxAdditivePenalty = 2
	// MaxRepeatLastN bounds the penalty window (-1 = whole history).
	MaxRepeatLastN = 1 << 20
	// MaxVocabSize bounds the vocabulary a Sampler is built for (the
	// largest real vocabularies are ~260k).
	MaxVocabSize = 1 << 22
)

// ErrParams is wrapped by every parameter validation error of New.
var ErrParams = errors.New("sample: invalid parameters")

// ErrLogits is wrapped by errors about the logits or history passed to
// Sample, Greedy and LogSoftmax.
var ErrLogits = errors.New("sample: invalid logits")

// Sampler picks the next token with llama.cpp's default chain: penalties →
// top-k → top-p → min-p → temperature → dist (temperature 0: greedy after
// the penalties). It owns a seeded random stream, so a Sampler must not be
// used by two goroutines at once; for a given Params, vocabulary size and
// sequence of Sample calls, the choices are identical on every platform.
type Sampler struct {
	p     Params
	vocab int
	rng   rng
	cand  []candidate // scratch, reused across calls
	pens  []candidate // scratch: the penalised tokens, by id (prune.go)
	top   floatHeap   // scratch: the k largest logits (prune.go)
	count map[int32]int32
	wm    Watermark // optional keyed bias, see SetWatermark
}

// New validates p and returns a Sampler for logits of length vocabSize.
func New(p Params, vocabSize int) (*Sampler, error) {
	if err := validate(p); err != nil {
		return nil, err
	}
	if vocabSize <= 0 || vocabSize > MaxVocabSize {
		return nil, fmt.Errorf("%w: vocabulary size %d outside [1, %d]", ErrParams, vocabSize, MaxVocabSize)
	}
	return &Sampler{p: p, vocab: vocabSize, rng: newRNG(p.Seed), count: map[int32]int32{}}, nil
}

func finite(f float32) bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

func validate(p Params) error {
	checks := []struct {
		name   string
		v      float32
		lo, hi float32
		loOpen bool
	}{
		{"temperature", p.Temperature, 0, MaxTemperature, false},
		{"top_p", p.TopP, 0, 1, true},
		{"min_p", p.MinP, 0, 1, false},
		{"repeat_penalty", p.RepeatPenalty, MinRepeatPenalty, MaxRepeatPenalty, false},
		{"presence_penalty", p.PresencePenalty, -MaxAdditivePenalty, MaxAdditivePenalty, false},
		{"frequency_penalty", p.FrequencyPenalty, -MaxAdditivePenalty, MaxAdditivePenalty, false},
	}
	for _, c := range checks {
		if !finite(c.v) {
			return fmt.Errorf("%w: %s is %v, want a finite number", ErrParams, c.name, c.v)
		}
		if c.v < c.lo || c.v > c.hi || (c.loOpen && c.v == c.lo) {
			open := "["
			if c.loOpen {
				open = "("
			}
			return fmt.Errorf("%w: %s = %v outside %s%v, %v]", ErrParams, c.name, c.v, open, c.lo, c.hi)
		}
	}
	if p.TopK < 0 {
		return fmt.Errorf("%w: top_k = %d, want >= 0 (0 disables)", ErrParams, p.TopK)
	}
	if p.RepeatLastN < -1 || p.RepeatLastN > MaxRepeatLastN {
		return fmt.Errorf("%w: repeat_last_n = %d outside [-1, %d]", ErrParams, p.RepeatLastN, MaxRepeatLastN)
	}
	return nil
}

// Params returns the (validated) parameters of s.
func (s *Sampler) Params() Params { return s.p }

// Sample chooses the next token from logits (length = the vocabulary size
// given to New) after penalising tokens in history (the ids generated or
// fed so far, oldest first). −Inf logits (grammar masking) are excluded;
// NaN or +Inf, or all −Inf, is an error. logits is not modified.
func (s *Sampler) Sample(logits []float32, history []int32) (int32, error) {
	if len(logits) != s.vocab {
		return -1, fmt.Errorf("%w: got %d logits, want %d", ErrLogits, len(logits), s.vocab)
	}
	if s.p.Temperature == 0 && s.wm == nil && !s.penalizes() {
		// Nothing moves a logit and nothing is drawn: the chain's argmax
		// (largest logit, ties to the lower id) is Greedy's, without the
		// candidate list of the whole vocabulary (0.5 ms a token at 128K).
		if err := s.checkHistory(history); err != nil {
			return -1, err
		}
		return Greedy(logits)
	}
	cand, err := s.candidates(logits, history)
	if err != nil {
		return -1, err
	}
	return s.choose(cand)
}

// allCandidates is the chain's first stage over the whole vocabulary:
// every finite logit, penalised, then watermarked. candidates uses it when
// its pruning does not apply; the result after top-k is the same.
func (s *Sampler) allCandidates(logits []float32, history []int32) ([]candidate, error) {
	cand, err := collect(s.cand[:0], logits)
	s.cand = cand
	if err != nil {
		return nil, err
	}
	if err := s.penalize(cand, history); err != nil {
		return nil, err
	}
	s.watermark(cand, history)
	return cand, nil
}

// choose runs the rest of the chain on the penalised and watermarked
// candidates: argmax at temperature 0, else top-k → top-p → min-p →
// temperature → dist. A logit that the penalties, the watermark's bias or
// the temperature pushed to +Inf (a hostile model's logits near the
// float32 limit, or a huge bias) is an error: the softmax of the steps
// after it would be NaN, and min-p would keep nothing to draw from.
func (s *Sampler) choose(cand []candidate) (int32, error) {
	if s.p.Temperature == 0 {
		return argmax(cand), nil
	}
	cand = topK(cand, s.p.TopK)
	if err := overflowed(cand, "the penalties or the watermark"); err != nil {
		return -1, err
	}
	cand = topP(cand, s.p.TopP)
	cand = minP(cand, s.p.MinP)
	temperature(cand, s.p.Temperature)
	if err := overflowed(cand, "the temperature"); err != nil {
		return -1, err
	}
	return dist(cand, s.rng.float64()), nil
}

// overflowed reports a candidate whose logit is +Inf after what.
func overflowed(cand []candidate, what string) error {
	for _, x := range cand {
		if math.IsInf(float64(x.logit), 1) {
			return fmt.Errorf("%w: token %d's logit overflowed to +Inf after %s", ErrLogits, x.id, what)
		}
	}
	return nil
}

// collect builds the candidate list, skipping −Inf (masked) tokens.
func collect(dst []candidate, logits []float32) ([]candidate, error) {
	for i, l := range logits {
		switch {
		case math.IsNaN(float64(l)) || math.IsInf(float64(l), 1):
			return dst, badLogit(i, l)
		case math.IsInf(float64(l), -1):
			continue
		}
		dst = append(dst, candidate{id: int32(i), logit: l})
	}
	if len(dst) == 0 {
		return dst, errAllMasked()
	}
	return dst, nil
}

// penalize applies llama.cpp's penalties sampler over the last RepeatLastN
// history tokens: a repeated token's logit is divided by RepeatPenalty if
// positive, multiplied if ≤ 0, then reduced by count·frequency + presence.
func (s *Sampler) penalize(cand []candidate, history []int32) error {
	if err := s.checkHistory(history); err != nil {
		return err
	}
	if !s.penalizes() {
		return nil
	}
	s.countWindow(history)
	for i := range cand {
		if n, ok := s.count[cand[i].id]; ok {
			cand[i].logit = s.penalized(cand[i].logit, n)
		}
	}
	return nil
}

// countWindow fills s.count with how often each token occurs in the last
// RepeatLastN tokens of history.
func (s *Sampler) countWindow(history []int32) {
	window := history
	if n := s.p.RepeatLastN; n > 0 && len(window) > n {
		window = window[len(window)-n:]
	}
	clear(s.count)
	for _, id := range window {
		s.count[id]++
	}
}

// penalized is logit l of a token seen n times in the window, penalised.
func (s *Sampler) penalized(l float32, n int32) float32 {
	p := s.p
	if l <= 0 {
		l *= p.RepeatPenalty
	} else {
		l /= p.RepeatPenalty
	}
	return l - (float32(float32(n)*p.FrequencyPenalty) + p.PresencePenalty)
}

// checkHistory reports a history token outside the vocabulary.
func (s *Sampler) checkHistory(history []int32) error {
	for _, id := range history {
		if id < 0 || int(id) >= s.vocab {
			return fmt.Errorf("%w: history token %d outside vocabulary [0, %d)", ErrLogits, id, s.vocab)
		}
	}
	return nil
}

// penalizes reports whether the penalties change any logit.
func (s *Sampler) penalizes() bool {
	p := s.p
	return p.RepeatLastN != 0 && (p.RepeatPenalty != 1 || p.FrequencyPenalty != 0 || p.PresencePenalty != 0)
}

// Greedy returns the id of the largest logit, ties going to the lowest id.
// NaN or +Inf logits, or all −Inf, are an error. One comparison per logit
// in the loop (NaN and +Inf both fail l < +Inf; −Inf never beats the best,
// which starts at −Inf), the best value in a register: at a 128K
// vocabulary it runs once per generated token, while the engine's other
// threads wait.
func Greedy(logits []float32) (int32, error) {
	inf := float32(math.Inf(1))
	best, bv := int32(-1), -inf
	for i, l := range logits {
		if !(l < inf) {
			return -1, fmt.Errorf("%w: logit %d is %v", ErrLogits, i, l)
		}
		if l > bv {
			best, bv = int32(i), l
		}
	}
	if best < 0 {
		return -1, fmt.Errorf("%w: no finite logit among %d", ErrLogits, len(logits))
	}
	return best, nil
}
