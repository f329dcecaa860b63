package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/plumewriter/plume/internal/model"
	"github.com/plumewriter/plume/internal/sample"
)

// ErrContextLength reports a prompt that does not fit in the context.
var ErrContextLength = errors.New("prompt does not fit in the context window")

// MaxTopLogprobs bounds the alternatives reported per position (OpenAI's
// API allows 20).
const MaxTopLogprobs = 20

// scoreChunk is how many positions Score evaluates per forward pass: the
// logits of every position are kept, so this bounds that buffer to
// scoreChunk × vocab floats (about 39 MB for a 152k vocabulary).
const scoreChunk = 64

// Session is one sequence with its KV cache. Not safe for concurrent use.
type Session struct {
	m   *Model
	st  *model.State
	ids []int32 // tokens whose K/V are in the cache
	// reuse lets a prompt start from the cached prefix it shares (off
	// with Options.NoPromptCache: every prompt is evaluated whole).
	reuse bool
	cache *PromptCache // other sequences to look prompts up in
}

// NewSession allocates a KV cache of m.ContextLength() positions, with a
// prompt cache of MaxCachedSequences sequences bounded by
// Options.PromptCacheBytes (by default, the size of that KV cache or a
// quarter of the available memory, whichever is less) unless the model was
// loaded with NoPromptCache.
func (m *Model) NewSession() (*Session, error) { return m.newSessionLen(m.ctxLen) }

// promptCacheMemoryShare: by default a session's prompt cache takes at most
// this fraction (1/4) of the memory available when the session is made, so
// that it never competes with the weights' page cache, and at most the size
// of the session's own KV cache (kv bytes).
const promptCacheMemoryShare = 4

func defaultPromptCacheBytes(kv int64, mem Memory) int64 {
	if mem.Total != 0 {
		return min(kv, int64(mem.Available/promptCacheMemoryShare))
	}
	return kv
}

// PromptCache returns the session's prompt cache (nil when it is off).
func (s *Session) PromptCache() *PromptCache { return s.cache }

// Len returns the number of cached tokens.
func (s *Session) Len() int { return len(s.ids) }

// Reset empties the cache.
func (s *Session) Reset() {
	s.st.Truncate(0)
	s.ids = s.ids[:0]
}

// Eval appends ids to the sequence and returns the logits after the last
// one (valid until the next call).
func (s *Session) Eval(ctx context.Context, ids []int32) ([]float32, error) {
	logits, err := s.forward(ctx, ids, false)
	// Forward advances the cache batch by batch; keep ids in step with it.
	s.ids = append(s.ids, ids[:s.st.Len()-len(s.ids)]...)
	return logits, err
}

// prefill makes the cache hold prompt and returns the logits after its last
// token and how many of its tokens were reused rather than evaluated: the
// longest prefix it shares with the live sequence or, when longer, with a
// sequence of the prompt cache (the live one is then cached in its place).
// The last prompt token is always evaluated, for its logits.
func (s *Session) prefill(ctx context.Context, prompt []int32) ([]float32, int, error) {
	if len(prompt) == 0 {
		return nil, 0, fmt.Errorf("empty prompt")
	}
	if err := s.m.model.CheckTokens(prompt); err != nil {
		return nil, 0, err
	}
	if len(prompt) >= s.st.Cap() {
		return nil, 0, fmt.Errorf("%w: %d tokens, context %d", ErrContextLength, len(prompt), s.st.Cap())
	}
	n, err := s.reusable(prompt)
	if err != nil {
		return nil, 0, err
	}
	s.st.Truncate(n)
	s.ids = s.ids[:n]
	logits, err := s.Eval(ctx, prompt[n:])
	return logits, n, err
}

// reusable makes the live sequence start with the longest cached prefix of
// prompt (at most all but its last token) and returns that prefix's length.
func (s *Session) reusable(prompt []int32) (int, error) {
	if !s.reuse {
		return 0, nil
	}
	n := min(commonPrefix(s.ids, prompt), len(prompt)-1)
	if s.cache == nil {
		return n, nil
	}
	e, en := s.cache.lookup(prompt)
	en = min(en, len(prompt)-1)
	if en <= n {
		if n < len(s.ids) { // the live sequence loses its tail: keep a copy
			return n, s.cache.save(s.st, s.ids)
		}
		return n, nil
	}
	if err := s.cache.save(s.st, s.ids); err != nil {
		return 0, err
	}
	if err := s.st.Restore(e.snap, en); err != nil {
		return 0, err
	}
	s.ids = append(s.ids[:0], e.ids[:en]...)
	s.cache.touch(e)
	return en, nil
}

// TokenOut is one generated token.
type TokenOut struct {
	ID      int32
	Logprob float32               // log-softmax of the raw logits, if asked for (else 0)
	Top     []sample.TokenLogprob // the TopLogprobs best, if asked for
}

// GenerateOptions control Session.Generate.
type GenerateOptions struct {
	MaxTokens   int             // 0 = until the context is full
	Sampler     *sample.Sampler // nil = greedy
	Grammar     *sample.Grammar // optional constraint
	TopLogprobs int             // alternatives per token, 0..MaxTopLogprobs
	// Logprobs asks for TokenOut.Logprob (TopLogprobs > 0 implies it). It
	// is opt-in because it is a log-softmax over the whole vocabulary for
	// every token: 2 ms at a 128K vocabulary on a Zen 5 core, 8% of a 1B
	// model's decode step, which an API request without logprobs and
	// most writer calls do not use.
	Logprobs bool
	// StopAtEOG ends generation after an end-of-generation token (which is
	// reported). Without it, EOG tokens are generated like any other.
	StopAtEOG bool
}

// Stats are the timings of a Generate call.
type Stats struct {
	PromptTokens   int // evaluated (not reused from the cache)
	PromptReused   int // reused from the cache: len(prompt) - PromptTokens
	Generated      int
	PromptDuration time.Duration
	GenDuration    time.Duration
	FinishReason   string // "stop", "length" or "cancelled"
}

// Generate evaluates prompt, then produces tokens until MaxTokens, the end
// of the context, an EOG token (with StopAtEOG), the grammar's end, or
// onToken returning an error, which Generate returns unchanged (the caller
// can use a sentinel error to stop early). The last generated token is not
// evaluated into the cache.
func (s *Session) Generate(ctx context.Context, prompt []int32, o GenerateOptions, onToken func(TokenOut) error) (Stats, error) {
	var st Stats
	if o.TopLogprobs < 0 || o.TopLogprobs > MaxTopLogprobs || o.MaxTokens < 0 {
		return st, fmt.Errorf("generate: top logprobs %d (0..%d), max tokens %d", o.TopLogprobs, MaxTopLogprobs, o.MaxTokens)
	}
	t0 := time.Now()
	logits, reused, err := s.prefill(ctx, prompt)
	st.PromptTokens, st.PromptReused = len(prompt)-reused, reused
	st.PromptDuration = time.Since(t0)
	if err != nil {
		return st, stopped(&st, ctx, err, "generate: prompt")
	}
	t1 := time.Now()
	err = s.decode(ctx, logits, prompt, o, &st, onToken)
	st.GenDuration = time.Since(t1)
	return st, err
}

// decode is Generate's sampling loop, after the prompt.
func (s *Session) decode(ctx context.Context, logits []float32, prompt []int32, o GenerateOptions, st *Stats, onToken func(TokenOut) error) error {
	budget := s.st.Cap() - len(s.ids)
	if o.MaxTokens > 0 {
		budget = min(budget, o.MaxTokens)
	}
	vocab := s.m.model.Config.Vocab
	lp, masked := make([]float32, vocab), make([]float32, vocab)
	history := append([]int32(nil), prompt...)
	st.FinishReason = "length"
	for st.Generated < budget {
		if err := ctx.Err(); err != nil {
			return stopped(st, ctx, err, "generate")
		}
		out, err := s.pick(logits, lp, masked, history, o)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		st.Generated++
		history = append(history, out.ID)
		if onToken != nil {
			if err := onToken(out); err != nil {
				return err
			}
		}
		eog := o.StopAtEOG && s.m.tok.IsEOG(out.ID)
		if eog || (o.Grammar != nil && o.Grammar.Done()) {
			st.FinishReason = "stop"
			return nil
		}
		if st.Generated == budget {
			break
		}
		if logits, err = s.Eval(ctx, []int32{out.ID}); err != nil {
			return stopped(st, ctx, err, "generate")
		}
	}
	return nil
}

// pick chooses the next token from logits and reports its log-probability.
func (s *Session) pick(logits, lp, masked []float32, history []int32, o GenerateOptions) (TokenOut, error) {
	withLP := o.Logprobs || o.TopLogprobs > 0
	if withLP {
		if err := sample.LogSoftmax(logits, lp); err != nil {
			return TokenOut{}, err
		}
	}
	cand := logits
	if o.Grammar != nil {
		copy(masked, logits)
		o.Grammar.Mask(masked)
		cand = masked
	}
	var id int32
	var err error
	if o.Sampler != nil {
		id, err = o.Sampler.Sample(cand, history)
	} else {
		id, err = sample.Greedy(cand)
	}
	if err != nil {
		return TokenOut{}, err
	}
	if o.Grammar != nil {
		if err := o.Grammar.Accept(id); err != nil {
			return TokenOut{}, err
		}
	}
	out := TokenOut{ID: id}
	if withLP {
		out.Logprob = lp[id]
	}
	if o.TopLogprobs > 0 {
		out.Top = sample.TopK(lp, o.TopLogprobs)
	}
	return out, nil
}

// stopped returns the error that ended a generation, wrapped with what was
// being done ("generate: prompt: …"), and marks a cancelled one. A
// cancellation is reported once, as ctx's error ("generate: context
// canceled"), whichever layer noticed it: not as the chain of layers it
// crossed ("generate: prompt: forward: context canceled").
func stopped(st *Stats, ctx context.Context, err error, what string) error {
	cerr := ctx.Err()
	if cerr == nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	st.FinishReason = "cancelled"
	if errors.Is(err, cerr) {
		return fmt.Errorf("generate: %w", cerr)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ctxErr returns ctx's error in place of err when err is that error,
// however deeply wrapped (by the forward pass, "forward: context
// canceled"), and err otherwise.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		return cerr
	}
	return err
}

// Scored is the teacher-forced rating of one token: its log-probability
// given the tokens before it, and the best alternatives there.
type Scored struct {
	ID      int32
	Logprob float32
	Top     []sample.TokenLogprob
}

// Score evaluates ids from an empty cache and rates ids[1:] (the first
// token has no context): len(ids)-1 entries. topK may be 0.
func (s *Session) Score(ctx context.Context, ids []int32, topK int) ([]Scored, error) {
	if topK < 0 || topK > MaxTopLogprobs {
		return nil, fmt.Errorf("score: top %d, want 0..%d", topK, MaxTopLogprobs)
	}
	if err := s.m.model.CheckTokens(ids); err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	if len(ids) > s.st.Cap() {
		return nil, fmt.Errorf("score: %w: %d tokens, context %d", ErrContextLength, len(ids), s.st.Cap())
	}
	s.Reset()
	vocab := s.m.model.Config.Vocab
	lp := make([]float32, vocab)
	out := make([]Scored, 0, max(len(ids)-1, 0))
	for start := 0; start < len(ids)-1; start += scoreChunk {
		end := min(start+scoreChunk, len(ids)-1)
		logits, err := s.forward(ctx, ids[start:end], true)
		if err != nil {
			return nil, fmt.Errorf("score: %w", ctxErr(ctx, err))
		}
		s.ids = append(s.ids, ids[start:end]...)
		for i := range end - start {
			if err := sample.LogSoftmax(logits[i*vocab:(i+1)*vocab], lp); err != nil {
				return nil, fmt.Errorf("score: position %d: %w", start+i, err)
			}
			next := ids[start+i+1]
			sc := Scored{ID: next, Logprob: lp[next]}
			if topK > 0 {
				sc.Top = sample.TopK(lp, topK)
			}
			if math.IsNaN(float64(sc.Logprob)) {
				return nil, fmt.Errorf("score: position %d: NaN log-probability", start+i)
			}
			out = append(out, sc)
		}
	}
	return out, nil
}
