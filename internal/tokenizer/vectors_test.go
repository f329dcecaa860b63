package tokenizer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/testutil"
)

// loadFixture opens a GGUF fixture and builds its tokenizer.
func loadFixture(tb testing.TB, rel string) *Tokenizer {
	tb.Helper()
	f, err := gguf.Open(testutil.Fixture(tb, rel))
	if err != nil {
		tb.Fatalf("open %s: %v", rel, err)
	}
	defer f.Close()
	tok, err := FromGGUF(f)
	if err != nil {
		tb.Fatalf("FromGGUF(%s): %v", rel, err)
	}
	return tok
}

// vectorCase is one llama.cpp test-tokenizer-0 case.
type vectorCase struct {
	text string
	want []int32
}

// readVectors parses a .inp/.out pair (PROVENANCE.md §3).
func readVectors(tb testing.TB, base string) []vectorCase {
	tb.Helper()
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		tb.Fatal(err)
	}
	out, err := os.ReadFile(base + ".out")
	if err != nil {
		tb.Fatal(err)
	}
	texts := strings.Split(string(inp), "\n__ggml_vocab_test__\n")
	if texts[len(texts)-1] == "" {
		texts = texts[:len(texts)-1]
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		tb.Fatalf("%s: %d inputs but %d output lines", base, len(texts), len(lines))
	}
	cases := make([]vectorCase, len(texts))
	for i, text := range texts {
		var ids []int32
		for _, f := range strings.Fields(lines[i]) {
			v, err := strconv.ParseInt(f, 10, 32)
			if err != nil {
				tb.Fatalf("%s line %d: %v", base, i+1, err)
			}
			ids = append(ids, int32(v))
		}
		cases[i] = vectorCase{text: text, want: ids}
	}
	return cases
}

// TestLlamaCppVectors checks every .inp/.out pair whose vocabulary is present
// against llama.cpp's expected ids (add_special=false, parse_special=false).
func TestLlamaCppVectors(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "fixtures", "vocab")
	inps, err := filepath.Glob(filepath.Join(dir, "*.gguf.inp"))
	if err != nil || len(inps) == 0 {
		t.Fatalf("no test vectors in %s (%v)", dir, err)
	}
	tested := 0
	for _, inp := range inps {
		base := strings.TrimSuffix(inp, ".inp")
		name := filepath.Base(base)
		if _, err := os.Stat(base); err != nil {
			t.Logf("%s: vocabulary too big for the fixtures; llama-bpe and qwen2 are checked by TestLlamaCppVectorsFromHFJSON", name)
			continue
		}
		tested++
		t.Run(name, func(t *testing.T) {
			tok := loadFixture(t, filepath.Join("vocab", name))
			for i, c := range readVectors(t, base) {
				got, err := tok.Encode(c.text, false, false)
				if err != nil {
					t.Fatalf("case %d %q: %v", i, c.text, err)
				}
				if !equalIDs(got, c.want) {
					t.Errorf("case %d %q:\n got %v\nwant %v", i, c.text, got, c.want)
				}
			}
		})
	}
	if tested == 0 {
		t.Fatal("no vocabulary had test vectors")
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
