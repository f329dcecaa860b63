package tokenizer

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/testutil"
)

// fuzzMaxInput keeps each fuzz iteration fast.
const fuzzMaxInput = 4096

// FuzzEncode checks that any text encodes without error on each kind of
// vocabulary, that SentencePiece with byte fallback round-trips valid UTF-8
// exactly, and that ids decode to no more than the bytes they stand for.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", " ", "Hello world", "l'été « œ »", "🦙\u200d👩", "\xff\xc3(", "<s>x</s>", "1234567", "\t\n\r\n  "} {
		f.Add(s)
	}
	if _, err := os.Stat(testutil.SharedDir(f)); err != nil {
		f.Skip("no fixtures")
	}
	toks := []*Tokenizer{
		loadFixture(f, "stories260K.gguf"),
		loadFixture(f, "vocab/ggml-vocab-gpt-2.gguf"),
		loadFixture(f, "vocab/ggml-vocab-deepseek-coder.gguf"),
		loadFixture(f, "vocab/ggml-vocab-bert-bge.gguf"),
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > fuzzMaxInput {
			return
		}
		for _, tok := range toks {
			ids, err := tok.Encode(text, true, true)
			if err != nil {
				t.Fatalf("%v: %v", tok.Kind(), err)
			}
			for _, id := range ids {
				if id < 0 || int(id) >= tok.VocabSize() {
					t.Fatalf("%v: id %d out of range", tok.Kind(), id)
				}
			}
			if tok.Kind() == KindSPM && utf8.ValidString(text) && !strings.Contains(text, "<s>") && !strings.Contains(text, "</s>") && !strings.Contains(text, "<unk>") && !strings.Contains(text, spaceMarker) {
				if got := tok.Decode(ids); got != text {
					t.Fatalf("SPM round trip: %q → %v → %q", text, ids, got)
				}
			}
		}
	})
}

// FuzzStreamDecoder feeds arbitrary ids: the output must always be valid
// UTF-8, and equal the plain concatenation when that is valid.
func FuzzStreamDecoder(f *testing.F) {
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{0xF0, 0x9F, 0xA6, 0x99})
	f.Add([]byte{0xFF, 0xFE, 0x00})
	if _, err := os.Stat(testutil.SharedDir(f)); err != nil {
		f.Skip("no fixtures")
	}
	tok := loadFixture(f, "stories260K.gguf")
	f.Fuzz(func(t *testing.T, raw []byte) {
		d := tok.NewStreamDecoder()
		var out, plain strings.Builder
		for _, b := range raw {
			id := int32(b) + 3 // bytes 0..255 → <0x00>..<0xFF> tokens 3..258
			out.WriteString(d.Add(id))
			plain.Write(tok.TokenBytes(id))
		}
		out.WriteString(d.Flush())
		if !utf8.ValidString(out.String()) {
			t.Fatalf("invalid UTF-8 emitted: %q", out.String())
		}
		if utf8.ValidString(plain.String()) && out.String() != plain.String() {
			t.Fatalf("stream %q != plain %q", out.String(), plain.String())
		}
	})
}

// FuzzFromGGUF parses arbitrary bytes as a GGUF vocabulary: errors are fine,
// panics are not, and an accepted vocabulary must tokenize.
func FuzzFromGGUF(f *testing.F) {
	var buf bytes.Buffer
	w := gguf.NewWriter()
	for _, k := range sortedStrings(mapKeys(tinyKVs())) {
		if err := w.AddKV(k, tinyKVs()[k]); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := w.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		gf, err := gguf.Parse(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		tok, err := FromGGUF(gf)
		if err != nil {
			return
		}
		for _, s := range []string{"", "hello hello", "\xff<|endoftext|> é"} {
			ids, err := tok.Encode(s, true, true)
			if err != nil {
				t.Fatal(err)
			}
			_ = tok.Decode(ids)
		}
	})
}

func mapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
