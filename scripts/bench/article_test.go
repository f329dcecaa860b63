package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
)

// TestWriteArticleModel writes the small article-bench shape with a
// minimal Qwen-style tokenizer and checks that the file carries that
// tokenizer, not testmodel's synthetic one.
func TestWriteArticleModel(t *testing.T) {
	dir := t.TempDir()
	tok := map[string]any{
		"added_tokens": []map[string]any{
			{"id": 151643, "content": "<|endoftext|>", "special": true},
			{"id": 151645, "content": "<|im_end|>", "special": true},
		},
		"model": map[string]any{"type": "BPE", "vocab": map[string]int{"a": 0, "b": 1, "ab": 2},
			"merges": [][2]string{{"a", "b"}}},
	}
	const template = "{% for m in messages %}{{ m.content }}<|im_end|>{% endfor %}"
	for name, v := range map[string]any{"tokenizer.json": tok, "tokenizer_config.json": map[string]string{"chat_template": template}} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "model.gguf")
	if err := writeArticleModel("Qwen2.5-tiny", mixQ4_K_M, dir, path); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tokens, err := f.Strings("tokenizer.ggml.tokens")
	if err != nil || len(tokens) != 151936 || tokens[2] != "ab" || tokens[151645] != "<|im_end|>" || tokens[3] != "[PAD3]" {
		t.Errorf("tokens: %d, %v", len(tokens), err)
	}
	if merges, err := f.Strings("tokenizer.ggml.merges"); err != nil || len(merges) != 1 || merges[0] != "a b" {
		t.Errorf("merges %q, %v", merges, err)
	}
	if _, err := f.Float32s("tokenizer.ggml.scores"); !errors.Is(err, gguf.ErrNotFound) {
		t.Errorf("scores: %v, want none", err)
	}
	for key, want := range map[string]uint64{"tokenizer.ggml.bos_token_id": 151643, "tokenizer.ggml.eos_token_id": 151645,
		"tokenizer.ggml.padding_token_id": 151643} {
		if got, err := f.Uint(key); err != nil || got != want {
			t.Errorf("%s = %d, %v; want %d", key, got, err, want)
		}
	}
	if got, err := f.String("tokenizer.chat_template"); err != nil || got != template {
		t.Errorf("template %q, %v", got, err)
	}
	if err := writeArticleModel("Qwen9", mixQ4_K_M, dir, path); err == nil {
		t.Error("unknown shape accepted")
	}
}
