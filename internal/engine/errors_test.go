package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// TestCancelNamedOnce is the regression test for "generate: forward:
// context canceled" (and "generate: prompt: forward: …"): a cancellation
// reads as the context's error named once, wherever it was noticed, and
// still matches context.Canceled.
func TestCancelNamedOnce(t *testing.T) {
	m := loadModel(t, synthPath(t, testmodel.Tiny("llama", tensor.F32)), Options{})
	prompt := []int32{5, 6, 7}
	tests := []struct {
		name string
		run  func(ctx context.Context, cancel func(), s *Session) error
		want string
	}{
		{"before the prompt", func(ctx context.Context, cancel func(), s *Session) error {
			cancel()
			_, err := s.Generate(ctx, prompt, GenerateOptions{MaxTokens: 8}, nil)
			return err
		}, "generate: context canceled"},
		{"in a forward pass while decoding", func(ctx context.Context, cancel func(), s *Session) error {
			// Cancelled from the token callback: the next forward pass
			// notices it between layers.
			_, err := s.Generate(ctx, prompt, GenerateOptions{MaxTokens: 8}, func(TokenOut) error { cancel(); return nil })
			return err
		}, "generate: context canceled"},
		{"through the generator", func(ctx context.Context, cancel func(), _ *Session) error {
			req := llm.Request{Prompt: "hello", MaxTokens: 8, Sampling: greedyParams()}
			res, err := m.Generator().Generate(ctx, req, func(llm.Token) error { cancel(); return nil })
			if res.FinishReason != "cancelled" {
				t.Errorf("finish reason %q", res.FinishReason)
			}
			return err
		}, "generate: context canceled"},
		{"scoring", func(ctx context.Context, cancel func(), s *Session) error {
			cancel()
			_, err := s.Score(ctx, prompt, 0)
			return err
		}, "score: context canceled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := m.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			err = tc.run(ctx, cancel, s)
			cancel()
			if !errors.Is(err, context.Canceled) || err.Error() != tc.want {
				t.Errorf("%s: err %q, want %q wrapping context.Canceled", tc.name, err, tc.want)
			}
		})
	}
}

// TestChatTemplateFallbackWarns: a GGUF chat template the sandbox cannot
// run still falls back to the family builtin, and the model says so (for
// the CLI to print and the writer to record) instead of silently.
func TestChatTemplateFallbackWarns(t *testing.T) {
	tests := []struct {
		name, tmpl string
		want       []string // in the warning; none = no warning
	}{
		{"no template", "", nil},
		{"usable template", "{% for m in messages %}{{ m.content }}{% endfor %}", nil},
		{"parse error", "{% for m in %}", []string{"parse:", "built-in chatml"}},
		{"unsupported filter", "{{ messages | frobnicate }}", []string{`unknown filter "frobnicate"`, "built-in chatml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			edit := testmodel.Edit{}
			if tc.tmpl != "" {
				edit.Extra = map[string]any{"tokenizer.chat_template": tc.tmpl}
			}
			w, err := testmodel.BuildEdited(testmodel.Tiny("qwen2", tensor.F32), edit)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "model.gguf")
			if err := w.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			m := loadModel(t, path, Options{})
			warns := m.Generator().(*Generator).Warnings()
			if len(tc.want) == 0 {
				if len(warns) != 0 {
					t.Errorf("%s: warnings %q", tc.name, warns)
				}
				return
			}
			if len(warns) != 1 {
				t.Fatalf("%s: warnings %q, want one", tc.name, warns)
			}
			for _, s := range tc.want {
				if !strings.Contains(warns[0], s) {
					t.Errorf("%s: warning %q does not say %q", tc.name, warns[0], s)
				}
			}
			// Still falls back: the prompt is ChatML.
			ids, err := m.Prompt(llm.Request{Messages: []llm.Message{{Role: "user", Content: "hello"}}})
			start, _ := m.Tokenizer().TokenID("<|im_start|>")
			if err != nil || len(ids) == 0 || ids[0] != start {
				t.Errorf("%s: prompt %v, %v: no ChatML fallback", tc.name, ids, err)
			}
		})
	}
}
