package chat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
)

var builtinFamilies = []string{"chatml", "llama3", "llama2", "gemma", "phi3", "zephyr", "mistral", "plain"}

// TestBuiltinFilesInSync keeps testdata/templates/builtin_*.jinja (which the
// reference generator renders) identical to the Go builtins. Set
// PLUME_UPDATE_BUILTINS=1 to rewrite the files.
func TestBuiltinFilesInSync(t *testing.T) {
	for _, fam := range builtinFamilies {
		src, ok := Builtin(fam)
		if !ok {
			t.Fatalf("Builtin(%q) missing", fam)
		}
		path := filepath.Join("testdata", "templates", "builtin_"+fam+".jinja")
		if os.Getenv("PLUME_UPDATE_BUILTINS") == "1" {
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != src {
			t.Errorf("%s differs from Builtin(%q); rerun with PLUME_UPDATE_BUILTINS=1 and regenerate goldens", path, fam)
		}
	}
	if _, ok := Builtin("nope"); ok {
		t.Error("Builtin(nope) reported ok")
	}
}

func TestFamilyAndForModel(t *testing.T) {
	cases := []struct{ arch, pre, want string }{
		{"llama", "llama-bpe", "llama3"},
		{"llama", "", "plain"},           // TinyStories-style SPM base model
		{"llama", "default", "plain"},    // SPM with explicit default pre
		{"llama", "tekken", "mistral"},   // Mistral Nemo
		{"llama", "smollm", "chatml"},    // SmolLM2
		{"qwen2", "qwen2", "chatml"},     // Qwen2.5
		{"qwen3", "qwen2", "chatml"},     // Qwen3
		{"gemma3", "default", "gemma"},   // Gemma 3
		{"phi3", "", "phi3"},             // Phi-3
		{"mamba", "gpt-2", "plain"},      // unknown family
		{"LLAMA", "LLAMA-BPE", "llama3"}, // case-insensitive
	}
	for _, c := range cases {
		t.Run(c.arch+"/"+c.pre, func(t *testing.T) {
			if got := Family(c.arch, c.pre); got != c.want {
				t.Errorf("Family(%q,%q) = %q, want %q", c.arch, c.pre, got, c.want)
			}
			want, _ := Builtin(c.want)
			if got := ForModel("", c.arch, c.pre); got != want {
				t.Errorf("ForModel(\"\", %q, %q) is not the %s builtin", c.arch, c.pre, c.want)
			}
		})
	}
	own := "{{ messages[0].content }}!"
	if got := ForModel(own, "llama", "llama-bpe"); got != own {
		t.Errorf("ForModel ignored the model's own template")
	}
	broken := "{% if %}"
	if got := ForModel(broken, "qwen2", ""); !strings.Contains(got, "<|im_start|>") {
		t.Errorf("ForModel with an unparseable template did not fall back to chatml: %q", got)
	}
	// The plain template renders a lone user message verbatim.
	plain, _ := Builtin("plain")
	out, err := Render(plain, []llm.Message{{Role: "user", Content: "Once upon a time"}}, Options{AddGenerationPrompt: true})
	if err != nil || out != "Once upon a time" {
		t.Errorf("plain render = %q, %v", out, err)
	}
}

// TestBuiltinsMatchRealTemplates checks that the llama3 and gemma fallbacks
// produce exactly what the real Llama 3.1 and Gemma 3 templates produce for
// the test conversations, so a GGUF without a template loses nothing.
func TestBuiltinsMatchRealTemplates(t *testing.T) {
	_, convs := loadGoldens(t)
	pairs := []struct{ builtin, real, bos string }{
		{"llama3", "llama3_1", "<|begin_of_text|>"},
		{"gemma", "gemma3", "<bos>"},
	}
	for _, p := range pairs {
		fallback, _ := Builtin(p.builtin)
		real := readTemplate(t, p.real)
		compared := 0
		for name, conv := range convs {
			if name == "tools" || name == "not_alternating" {
				continue
			}
			for _, gen := range []bool{false, true} {
				opts := Options{AddGenerationPrompt: gen, BOS: p.bos, EOS: "</s>", Now: goldenNow}
				want, err := RenderJSON(real, conv.Vars, opts)
				if err != nil {
					t.Fatalf("%s/%s: %v", p.real, name, err)
				}
				got, err := RenderJSON(fallback, conv.Vars, opts)
				if err != nil || got != want {
					t.Errorf("%s vs %s on %s (gen=%v):\n got %q, %v\nwant %q", p.builtin, p.real, name, gen, got, err, want)
				}
				compared++
			}
		}
		if compared < 8 {
			t.Fatalf("only %d comparisons", compared)
		}
	}
}
