package engine

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/testutil"
)

// scoreTolerance: ScorePrompt evaluates the prompt in one batch and the
// reference one prefix at a time; the batch kernels may round differently
// (they do not on F32 fixtures, but the tolerance keeps the test about the
// positions, not the last bit).
const scoreTolerance = 1e-4

// TestScorePromptMatchesPrefixes: each prompt token's logprob is the
// log-softmax, at that token, of the logits after evaluating the prefix
// before it, computed here by running the engine on each prefix; the top
// alternatives are those logits' best; the texts spell the prompt.
func TestScorePromptMatchesPrefixes(t *testing.T) {
	for _, name := range []string{"stories260K.gguf", "TinyStories-656K-Q8_0.gguf"} {
		t.Run(name, func(t *testing.T) {
			m := loadModel(t, testutil.Fixture(t, name), Options{Threads: 1, ContextLength: 128})
			const text = "Once upon a time, there was a little girl named Lily."
			req := llm.Request{Prompt: text}
			prompt, err := m.Prompt(req)
			if err != nil {
				t.Fatal(err)
			}
			g := m.Generator().(*Generator)
			got, err := g.ScorePrompt(context.Background(), req, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(prompt) {
				t.Fatalf("%d scored tokens for a prompt of %d", len(got), len(prompt))
			}
			var spelled strings.Builder
			for _, tk := range got {
				spelled.WriteString(tk.Text)
			}
			if spelled.String() != text {
				t.Errorf("scored tokens spell %q, want %q", spelled.String(), text)
			}
			if got[0].Logprob != 0 || got[0].Top != nil {
				t.Errorf("first token %+v: it has no context, want no logprob", got[0])
			}
			lp := make([]float32, m.Config().Vocab)
			for i := 1; i < len(prompt); i++ {
				s, err := m.NewSession()
				if err != nil {
					t.Fatal(err)
				}
				logits, err := s.Eval(context.Background(), prompt[:i])
				if err != nil {
					t.Fatal(err)
				}
				if err := sample.LogSoftmax(logits, lp); err != nil {
					t.Fatal(err)
				}
				want := lp[prompt[i]]
				if got[i].ID != prompt[i] || math.Abs(float64(got[i].Logprob-want)) > scoreTolerance {
					t.Errorf("token %d (%d %q): logprob %v, want %v", i, got[i].ID, got[i].Text, got[i].Logprob, want)
				}
				top := sample.TopK(lp, 3)
				if len(got[i].Top) != 3 || got[i].Top[0].ID != top[0].ID || got[i].Logprob > got[i].Top[0].Logprob+scoreTolerance {
					t.Errorf("token %d: top %+v, want best %+v", i, got[i].Top, top[0])
				}
			}
			// The same generator then generates from the scored cache.
			res, err := g.Generate(context.Background(), llm.Request{Prompt: text, MaxTokens: 4, Sampling: greedyParams()}, nil)
			if err != nil || res.PromptEvaluated != 1 {
				t.Errorf("generate after scoring: %d prompt tokens evaluated (want 1, the rest cached), err %v", res.PromptEvaluated, err)
			}
		})
	}
}
