package engine

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/testutil"
)

// cacheModels are the models the prompt cache's exactness is checked on: a
// synthetic one (quantized, several layers, GQA) and the two fixtures.
func cacheModels(t *testing.T) map[string]string {
	return map[string]string{
		"synth-qwen2-Q4_K":      synthPath(t, testmodel.Base("qwen2", tensor.Q4_K)),
		"stories260K":           testutil.Fixture(t, "stories260K.gguf"),
		"TinyStories-656K-Q8_0": testutil.Fixture(t, "TinyStories-656K-Q8_0.gguf"),
	}
}

// cacheIDs returns n deterministic token ids in 3..vocab-1 (past the
// special tokens of the fixtures and of the synthetic models).
func cacheIDs(n, vocab, seed int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(3 + (i*7919+seed*104729)%(vocab-3))
	}
	return ids
}

// TestEvalSplitExact evaluates a prompt whole, then in two parts at several
// split points (one token, a batch boundary, all but one), and requires the
// same logits bit for bit, on 1 and 2 threads: what lets the prompt cache
// reuse a prefix without changing any output.
func TestEvalSplitExact(t *testing.T) {
	for name, path := range cacheModels(t) {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/%dthreads", name, threads), func(t *testing.T) {
				m := loadModel(t, path, Options{Threads: threads, ContextLength: 256})
				prompt := cacheIDs(70, m.Config().Vocab, 1)
				whole := evalParts(t, m, prompt, len(prompt))
				for _, split := range []int{1, 32, 33, 69} {
					if got := evalParts(t, m, prompt, split); !slices.Equal(got, whole) {
						t.Errorf("split at %d: logits differ from the whole prompt's", split)
					}
				}
			})
		}
	}
}

// evalParts evaluates prompt[:split] then the rest in a fresh session and
// returns a copy of the last logits.
func evalParts(t *testing.T, m *Model, prompt []int32, split int) []float32 {
	t.Helper()
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	logits, err := s.Eval(context.Background(), prompt[:split])
	if err == nil && split < len(prompt) {
		logits, err = s.Eval(context.Background(), prompt[split:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(logits)
}

// call is one Generate of a cache scenario and what came out.
type call struct {
	tokens   []int32
	logprobs []float32
	st       Stats
}

func generate(t *testing.T, s *Session, prompt []int32, n int) call {
	t.Helper()
	var c call
	st, err := s.Generate(context.Background(), prompt, GenerateOptions{MaxTokens: n, TopLogprobs: 2},
		func(o TokenOut) error {
			c.tokens = append(c.tokens, o.ID)
			c.logprobs = append(c.logprobs, o.Logprob)
			for _, tp := range o.Top {
				c.logprobs = append(c.logprobs, tp.Logprob)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	c.st = st
	return c
}

// pipelinePrompts mimics the writer's calls: a shared head (system prompt,
// brief, outline), then what each call adds; a review, a revision, the
// second review, then the next section's draft.
func pipelinePrompts(vocab int) [][]int32 {
	head := cacheIDs(40, vocab, 2)
	with := func(parts ...[]int32) []int32 { return slices.Concat(append([][]int32{head}, parts...)...) }
	draft1, review, revise := cacheIDs(12, vocab, 3), cacheIDs(9, vocab, 4), cacheIDs(11, vocab, 5)
	return [][]int32{
		with(draft1),
		with(review, cacheIDs(6, vocab, 6)),
		with(revise),
		with(review, cacheIDs(6, vocab, 7)),
		with(draft1, cacheIDs(8, vocab, 8)),
		with(draft1),
		cacheIDs(30, vocab, 9),
	}
}

// TestPromptCacheExact runs the same sequence of calls with the prompt
// cache on and off and requires the same tokens and log-probabilities, and
// that the cache reused what it should have.
func TestPromptCacheExact(t *testing.T) {
	for name, path := range cacheModels(t) {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/%dthreads", name, threads), func(t *testing.T) {
				on := loadModel(t, path, Options{Threads: threads, ContextLength: 256})
				off := loadModel(t, path, Options{Threads: threads, ContextLength: 256, NoPromptCache: true})
				son, _ := on.NewSession()
				soff, _ := off.NewSession()
				if soff.PromptCache() != nil {
					t.Fatal("NoPromptCache session has a prompt cache")
				}
				sent, evaluated := 0, 0
				for i, p := range pipelinePrompts(on.Config().Vocab) {
					a, b := generate(t, son, p, 5), generate(t, soff, p, 5)
					if !slices.Equal(a.tokens, b.tokens) || !slices.Equal(a.logprobs, b.logprobs) {
						t.Fatalf("call %d: cache on %v %v, off %v %v", i, a.tokens, a.logprobs, b.tokens, b.logprobs)
					}
					if b.st.PromptTokens != len(p) || b.st.PromptReused != 0 {
						t.Errorf("call %d, cache off: evaluated %d, reused %d of %d", i, b.st.PromptTokens, b.st.PromptReused, len(p))
					}
					if a.st.PromptTokens+a.st.PromptReused != len(p) {
						t.Errorf("call %d: evaluated %d + reused %d != %d", i, a.st.PromptTokens, a.st.PromptReused, len(p))
					}
					sent += len(p)
					evaluated += a.st.PromptTokens
				}
				if evaluated*2 > sent {
					t.Errorf("cache on: %d of %d prompt tokens evaluated, want at most half", evaluated, sent)
				}
			})
		}
	}
}

// TestPromptCacheReuse checks each case of the lookup: how many tokens a
// call evaluates after a given history.
func TestPromptCacheReuse(t *testing.T) {
	path := synthPath(t, testmodel.Tiny("llama", tensor.F32))
	m := loadModel(t, path, Options{ContextLength: 256})
	v := m.Config().Vocab
	head := cacheIDs(20, v, 1)
	a := slices.Concat(head, cacheIDs(10, v, 2))
	b := slices.Concat(head, cacheIDs(10, v, 3))
	cases := []struct {
		name      string
		history   [][]int32 // evaluated before, 3 tokens generated each
		prompt    []int32
		evaluated int
	}{
		{"empty cache", nil, a, len(a)},
		{"diverges at the first token", [][]int32{a}, cacheIDs(25, v, 4), 25},
		{"identical: only the last token", [][]int32{a}, a, 1},
		{"shares the head with the live sequence", [][]int32{a}, b, 10},
		// The previous prompt, its output and one more token: the last
		// generated token was not evaluated, so two are.
		{"extends the live sequence's output", [][]int32{a}, nil, 2},
		{"finds a cached sequence, not the live one", [][]int32{a, cacheIDs(25, v, 5)}, a, 1},
		{"longest of two cached sequences", [][]int32{a, b, cacheIDs(25, v, 5)}, slices.Concat(b, []int32{7}), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := m.NewSession()
			var last call
			for _, h := range c.history {
				last = generate(t, s, h, 3)
			}
			prompt := c.prompt
			if prompt == nil { // the previous prompt, its output and one more token
				prompt = slices.Concat(c.history[0], last.tokens, []int32{9})
			}
			got := generate(t, s, prompt, 1)
			if got.st.PromptTokens != c.evaluated || got.st.PromptReused != len(prompt)-c.evaluated {
				t.Errorf("evaluated %d, reused %d of %d; want %d evaluated", got.st.PromptTokens, got.st.PromptReused, len(prompt), c.evaluated)
			}
		})
	}
}

// TestPromptCacheEviction bounds the cache to two sequences' worth of
// memory and checks that it stays within the bound, evicts the least
// recently used sequence, and keeps count within MaxCachedSequences.
func TestPromptCacheEviction(t *testing.T) {
	path := synthPath(t, testmodel.Tiny("qwen2", tensor.F32))
	probe := loadModel(t, path, Options{ContextLength: 256})
	ps, _ := probe.NewSession()
	per := ps.st.PositionBytes()
	v := probe.Config().Vocab
	const seqLen, gen = 30, 3 // each sequence caches seqLen+gen-1 positions
	bound := 2 * (seqLen + gen - 1) * per
	m := loadModel(t, path, Options{ContextLength: 256, PromptCacheBytes: bound})
	s, _ := m.NewSession()
	seqs := make([][]int32, 4)
	for i := range seqs {
		seqs[i] = cacheIDs(seqLen, v, 10+i)
		generate(t, s, seqs[i], gen)
		if c := s.PromptCache(); c.Bytes() > bound {
			t.Fatalf("after %d sequences the cache holds %d bytes, bound %d", i+1, c.Bytes(), bound)
		}
	}
	// Live: seqs[3]; cached: seqs[1] and seqs[2]; seqs[0] was evicted.
	if got := cachedHeads(s); !slices.Equal(got, []int32{seqs[1][0], seqs[2][0]}) {
		t.Fatalf("cached sequences start with %v, want those of sequences 1 and 2", got)
	}
	// seqs[0] is evaluated whole and caches seqs[3] (evicting seqs[1]);
	// seqs[3] comes from the cache and caches seqs[0] (evicting seqs[2]).
	for _, c := range []struct {
		seq       int
		evaluated int
	}{{0, seqLen}, {3, 1}, {2, seqLen}, {0, 1}} {
		if got := generate(t, s, seqs[c.seq], gen); got.st.PromptTokens != c.evaluated {
			t.Errorf("sequence %d: %d tokens evaluated, want %d", c.seq, got.st.PromptTokens, c.evaluated)
		}
	}

	// Without a memory bound, the count bound holds.
	big := loadModel(t, path, Options{ContextLength: 256, PromptCacheBytes: 1 << 40})
	s, _ = big.NewSession()
	for i := range MaxCachedSequences + 3 {
		generate(t, s, cacheIDs(seqLen, v, 20+i), gen)
	}
	if n := s.PromptCache().Len(); n != MaxCachedSequences {
		t.Errorf("%d cached sequences, want MaxCachedSequences (%d)", n, MaxCachedSequences)
	}

	// A sequence larger than the whole bound is not kept.
	tiny := loadModel(t, path, Options{ContextLength: 256, PromptCacheBytes: per})
	s, _ = tiny.NewSession()
	generate(t, s, seqs[0], gen)
	generate(t, s, seqs[1], gen)
	if c := s.PromptCache(); c.Len() != 0 || c.Bytes() != 0 {
		t.Errorf("a one-position bound holds %d sequences (%d bytes)", c.Len(), c.Bytes())
	}
}

// cachedHeads returns the first token of each cached sequence, least
// recently used first.
func cachedHeads(s *Session) []int32 {
	var out []int32
	for _, e := range s.cache.entries {
		out = append(out, e.ids[0])
	}
	return out
}

// TestPromptCacheKVF16 checks the F16 cache's snapshots: cache on and off
// give the same bits.
func TestPromptCacheKVF16(t *testing.T) {
	path := synthPath(t, testmodel.Tiny("qwen3", tensor.Q8_0))
	on := loadModel(t, path, Options{ContextLength: 256, KVType: tensor.F16})
	off := loadModel(t, path, Options{ContextLength: 256, KVType: tensor.F16, NoPromptCache: true})
	son, _ := on.NewSession()
	soff, _ := off.NewSession()
	for i, p := range pipelinePrompts(on.Config().Vocab) {
		a, b := generate(t, son, p, 4), generate(t, soff, p, 4)
		if !slices.Equal(a.tokens, b.tokens) || !slices.Equal(a.logprobs, b.logprobs) {
			t.Fatalf("call %d: cache on %v, off %v", i, a.tokens, b.tokens)
		}
	}
}
