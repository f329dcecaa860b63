package chat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
)

// TestSelectSaysWhyItFallsBack: a GGUF template the sandbox cannot parse or
// render still falls back to the family builtin, but the choice now carries
// the reason, for a warning; a template that rejects the probe on purpose
// (raise_exception) is the model's rule and is kept.
func TestSelectSaysWhyItFallsBack(t *testing.T) {
	chatml, _ := Builtin("chatml")
	own := "{{ messages[0].content }}!"
	tests := []struct {
		name, tmpl string
		wantSource string // "" = the chatml builtin
		wantReason []string
	}{
		{"no template", "", "", nil},
		{"blank template", " \n", "", nil},
		{"own template", own, own, nil},
		{"raises on purpose", "{{ raise_exception('system first') }}", "{{ raise_exception('system first') }}", nil},
		{"parse error", "{% if %}", "", []string{"parse:"}},
		{"unknown filter", "{{ messages[0].content | frobnicate }}", "", []string{"render:", `unknown filter "frobnicate"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Select(tc.tmpl, "qwen2", "qwen2")
			want := tc.wantSource
			if want == "" {
				want = chatml
			}
			if c.Source != want || c.Template == nil {
				t.Errorf("%s: source %q, want %q", tc.name, c.Source, want)
			}
			if ForModel(tc.tmpl, "qwen2", "qwen2") != c.Source {
				t.Errorf("%s: ForModel and Select disagree", tc.name)
			}
			if len(tc.wantReason) == 0 {
				if c.Fallback != nil || c.Warning() != "" {
					t.Errorf("%s: unexpected fallback reason %v", tc.name, c.Fallback)
				}
				return
			}
			w := c.Warning()
			if c.Fallback == nil || c.Family != "chatml" || !strings.Contains(w, "tokenizer.chat_template") || !strings.Contains(w, "built-in chatml") {
				t.Errorf("%s: fallback %v, family %q, warning %q", tc.name, c.Fallback, c.Family, w)
			}
			for _, s := range tc.wantReason {
				if !strings.Contains(w, s) {
					t.Errorf("%s: warning %q does not say %q", tc.name, w, s)
				}
			}
			if strings.Count(w, "chat template") != 1 {
				t.Errorf("%s: warning %q repeats its prefix", tc.name, w)
			}
			out, err := c.Template.Render([]llm.Message{{Role: "user", Content: "hi"}}, Options{AddGenerationPrompt: true})
			if err != nil || !strings.HasPrefix(out, "<|im_start|>user\nhi") {
				t.Errorf("%s: fallback render %q, %v", tc.name, out, err)
			}
		})
	}
}

// TestSelectKeepsRealTemplates: every real template of the goldens passes
// the probe, so the probe never replaces a template that works.
func TestSelectKeepsRealTemplates(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "templates", "*.jinja"))
	if err != nil || len(files) < 5 {
		t.Fatalf("templates: %v, %v", files, err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if c := Select(string(src), "llama", "llama-bpe"); c.Fallback != nil || c.Source != string(src) {
			t.Errorf("%s: replaced by the builtin: %v", filepath.Base(f), c.Fallback)
		}
	}
}
