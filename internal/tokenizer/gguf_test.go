package tokenizer

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
)

// tinyKVs is a small byte-level BPE vocabulary: the letters of "hello", their
// merges, and an end token.
func tinyKVs() map[string]any {
	return map[string]any{
		"general.architecture":        "llama",
		keyModel:                      "gpt2",
		keyPre:                        "gpt-2",
		keyTokens:                     []string{"h", "e", "l", "o", "he", "ll", "llo", "hello", "<|endoftext|>", "Ġ", "Ġhello"},
		keyTypes:                      []int32{1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1},
		keyMerges:                     []string{"h e", "l l", "ll o", "he llo", "Ġ hello"},
		"tokenizer.ggml.bos_token_id": uint32(8),
		"tokenizer.ggml.eos_token_id": uint32(8),
	}
}

// ggufFrom writes kvs (in sorted key order) to an in-memory GGUF file.
func ggufFrom(tb testing.TB, kvs map[string]any) *gguf.File {
	tb.Helper()
	w := gguf.NewWriter()
	keys := make([]string, 0, len(kvs))
	for k := range kvs {
		keys = append(keys, k)
	}
	for _, k := range sortedStrings(keys) {
		if err := w.AddKV(k, kvs[k]); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	f, err := gguf.Parse(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func TestFromGGUFTiny(t *testing.T) {
	tok, err := FromGGUF(ggufFrom(t, tinyKVs()))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := tok.Encode("hello hello<|endoftext|>", false, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{7, 10, 8}; !equalIDs(ids, want) {
		t.Errorf("Encode = %v, want %v", ids, want)
	}
	if tok.VocabSize() != 11 || tok.BOS() != 8 || tok.EOS() != 8 || tok.AddBOS() || tok.AddEOS() || !tok.IsEOG(8) {
		t.Errorf("metadata: size %d bos %d eos %d", tok.VocabSize(), tok.BOS(), tok.EOS())
	}
	if got := string(tok.TokenBytes(10)); got != " hello" {
		t.Errorf("TokenBytes(Ġhello) = %q", got)
	}
}

func TestFromGGUFValidation(t *testing.T) {
	cases := []struct {
		name   string
		modify func(m map[string]any)
		errSub string
	}{
		{"no model", func(m map[string]any) { delete(m, keyModel) }, "tokenizer.ggml.model"},
		{"unknown model", func(m map[string]any) { m[keyModel] = "rwkv9" }, "unsupported tokenizer model"},
		{"unknown pre", func(m map[string]any) { m[keyPre] = "nonesuch" }, "unknown pre-tokenizer"},
		{"no tokens", func(m map[string]any) { m[keyTokens] = []string{} }, "no tokens"},
		{"types length", func(m map[string]any) { m[keyTypes] = []int32{1, 1} }, "token types for"},
		{"scores length", func(m map[string]any) { m[keyScores] = []float32{0} }, "scores for"},
		{"bos out of range", func(m map[string]any) { m["tokenizer.ggml.bos_token_id"] = uint32(11) }, "bos token id 11"},
		{"eos negative", func(m map[string]any) { m["tokenizer.ggml.eos_token_id"] = int32(-7) }, "eos token id -7"},
		{"merge to missing token", func(m map[string]any) { m[keyMerges] = []string{"h o"} }, "missing from the vocabulary"},
		{"merge without space", func(m map[string]any) { m[keyMerges] = []string{"hello"} }, "no separating space"},
		// Issue 13 item 9: the "none" sentinels are out of range, not "no
		// EOS" (llama.cpp warns and keeps its default; see validate).
		{"eos 2^32-1", func(m map[string]any) { m["tokenizer.ggml.eos_token_id"] = uint32(0xFFFFFFFF) }, "eos token id 4294967295 outside the vocabulary"},
		{"eos -1", func(m map[string]any) { m["tokenizer.ggml.eos_token_id"] = int32(-1) }, "eos token id -1 outside the vocabulary"},
		{"bos 2^32-1", func(m map[string]any) { m["tokenizer.ggml.bos_token_id"] = uint32(0xFFFFFFFF) }, "bos token id 4294967295"},
		{"eot -1", func(m map[string]any) { m["tokenizer.ggml.eot_token_id"] = int32(-1) }, "eot token id -1"},
		{"gpt2 without merges", func(m map[string]any) { delete(m, keyMerges) }, "needs tokenizer.ggml.merges"},
		{"gpt2 with empty merges", func(m map[string]any) { m[keyMerges] = []string{} }, "needs tokenizer.ggml.merges"},
		{"huge token", func(m map[string]any) {
			m[keyTokens] = append([]string{strings.Repeat("x", maxTokenBytes+1)}, m[keyTokens].([]string)[1:]...)
		}, "bytes long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kvs := tinyKVs()
			c.modify(kvs)
			_, err := FromGGUF(ggufFrom(t, kvs))
			if !errors.Is(err, errVocab) && !errors.Is(err, gguf.ErrNotFound) && !errors.Is(err, gguf.ErrType) {
				t.Errorf("err = %v, want an errVocab or a missing or mistyped key", err)
			}
			// The message must name what is wrong: it is what the user reads.
			if err == nil || !strings.Contains(err.Error(), c.errSub) {
				t.Errorf("err = %v, want it to mention %q", err, c.errSub)
			}
		})
	}
	// The uint32 "none" sentinel is accepted for padding and separator.
	kvs := tinyKVs()
	kvs["tokenizer.ggml.padding_token_id"] = uint32(0xFFFFFFFF)
	kvs["tokenizer.ggml.seperator_token_id"] = uint32(0xFFFFFFFF)
	if _, err := FromGGUF(ggufFrom(t, kvs)); err != nil {
		t.Errorf("sentinel ids: %v", err)
	}
}
