package sample

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/tokenizer"
)

const metadataSchema = `{
  "type": "object",
  "properties": {
    "slug": {"type": "string", "maxLength": 30},
    "description": {"type": "string", "minLength": 5, "maxLength": 60},
    "keywords": {"type": "array", "items": {"type": "string", "maxLength": 15}, "minItems": 2, "maxItems": 5},
    "reading_minutes": {"type": "integer"},
    "lang": {"const": "en"},
    "extra": {"oneOf": [{"type": "object", "properties": {"k": {"type": "number"}}, "required": ["k"]}, {"type": "null"}]}
  },
  "required": ["slug", "description", "keywords", "lang"]
}`

var propertySchemas = []string{
	outlineSchema,
	metadataSchema,
	`{"type":"array","maxItems":6,"items":{"anyOf":[{"type":"number"},{"type":"boolean"},{"type":"string","maxLength":8},{"enum":[null,{"x":[1,"é"]}]}]}}`,
	`{"type":"number"}`,
	`{"type":"string"}`,
}

// synthVocab is every byte plus common multi-byte JSON pieces, including
// tokens that cross structure boundaries and partial UTF-8 sequences.
func synthVocab() ([][]byte, []int32) {
	tb := make([][]byte, 0, 400)
	for i := range 256 {
		tb = append(tb, []byte{byte(i)})
	}
	pieces := []string{`{"`, `":`, `": "`, `", "`, `"}`, `},{`, `]}`, `"}]}`, `true`, `false`, `null`, `\u00`,
		`\n`, `é`, "\xC3", "\xE2\x82", `  `, "\n  ", "\n    ", `123`, `.5`, `e-`, `0.`, `-1`, `":"`, `title`,
		`sections`, `heading`, `points`, `tags`, `slug`, `description`, `keywords`, `lang`, `"en"`, ` the`,
		` and`, `ing`, `[]`, `{}`, `[{"`, `","`, `"]`, `\"`, `\\`, `ai"`, `"go`, `null,`, `,"`}
	for _, p := range pieces {
		tb = append(tb, []byte(p))
	}
	tb = append(tb, nil, nil) // two special tokens
	return tb, []int32{int32(len(tb) - 1)}
}

func storiesVocab(t *testing.T) ([][]byte, []int32) {
	f, err := gguf.Open(testutil.Fixture(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	tb := make([][]byte, tok.VocabSize())
	for id := range tb {
		tb[id] = tok.TokenBytes(int32(id))
	}
	return tb, tok.EOGs()
}

// generate samples masked random logits until the grammar ends.
func generate(t *testing.T, schema string, tb [][]byte, eog []int32, seed uint64) []byte {
	t.Helper()
	g, err := NewJSONSchema(jsonschema.MustParse(schema), tb, eog)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Temperature, p.TopK, p.TopP, p.MinP, p.Seed = 1.5, 0, 1, 0, seed
	s, err := New(p, len(tb))
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG(seed ^ 0xabcdef)
	logits := make([]float32, len(tb))
	var out []byte
	const maxSteps = 20000 // far above what the schema caps allow
	for step := 0; step < maxSteps; step++ {
		for i := range logits {
			logits[i] = float32(r.float64() * 4)
		}
		g.Mask(logits)
		id, err := s.Sample(logits, nil)
		if err != nil {
			t.Fatalf("seed %d step %d: dead end after %q: %v", seed, step, out, err)
		}
		if err := g.Accept(id); err != nil {
			t.Fatalf("seed %d: masked-in token %d rejected: %v", seed, id, err)
		}
		if !isEOG(eog, id) {
			out = append(out, tb[id]...)
		}
		if isEOG(eog, id) || g.Done() {
			if !g.Complete() {
				t.Fatalf("seed %d: ended but not complete: %q", seed, out)
			}
			return out
		}
	}
	t.Fatalf("seed %d: no end after %d steps: %q", seed, maxSteps, out)
	return nil
}

func isEOG(eog []int32, id int32) bool {
	for _, e := range eog {
		if e == id {
			return true
		}
	}
	return false
}

func TestGrammarProperty(t *testing.T) {
	vocabs := map[string]func(*testing.T) ([][]byte, []int32){
		"synthetic":   func(*testing.T) ([][]byte, []int32) { return synthVocab() },
		"stories260K": storiesVocab,
	}
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for name, mk := range vocabs {
		t.Run(name, func(t *testing.T) {
			tb, eog := mk(t)
			for si, schema := range propertySchemas {
				sm := mustSchemaMap(schema)
				for seed := range uint64(seeds) {
					out := generate(t, schema, tb, eog, seed)
					var v any
					if err := json.Unmarshal(out, &v); err != nil {
						t.Fatalf("schema %d seed %d: output %q does not parse: %v", si, seed, out, err)
					}
					if err := validateJSON(sm, v); err != nil {
						t.Fatalf("schema %d seed %d: output %q invalid: %v", si, seed, out, err)
					}
				}
			}
		})
	}
}

func TestMaskMatchesAccept(t *testing.T) {
	// Every token Mask allows must be accepted and every token it masks
	// rejected, from a few mid-document states.
	tb, eog := synthVocab()
	rtb, reog := realisticVocab(6000)
	for _, vc := range []struct {
		tb  [][]byte
		eog []int32
	}{{tb, eog}, {rtb, reog}} {
		checkMaskMatchesAccept(t, outlineSchema, outlinePrefixes, vc.tb, vc.eog)
	}
}

var outlinePrefixes = []string{``, `{"title":"a`, "{\"title\":\"\xE2", `{"title":"` + strings.Repeat("x", 37),
	`{"title":"` + strings.Repeat("x", 39), `{"title":"` + strings.Repeat("x", 40), `{"title":"a\u00`, `{"title":"é","sections":[`, `{"title":"x","sections":[{"heading":"h"}]`}

// checkMaskMatchesAccept checks Mask against Accept for every token after
// each prefix (fed byte by byte) of a document of schema.
func checkMaskMatchesAccept(t *testing.T, schema string, prefixes []string, tb [][]byte, eog []int32) {
	t.Helper()
	for _, pre := range prefixes {
		g, err := NewJSONSchema(jsonschema.MustParse(schema), tb, eog)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(pre) {
			if err := g.Accept(int32(pre[i])); err != nil {
				t.Fatalf("prefix %q: %v", pre, err)
			}
		}
		logits := make([]float32, len(tb))
		g.Mask(logits)
		allowed := 0
		for id := range tb {
			h := *g
			h.st = append(stack(nil), g.st...)
			err := h.Accept(int32(id))
			masked := math.IsInf(float64(logits[id]), -1)
			if masked == (err == nil) {
				t.Fatalf("prefix %q token %d %q: masked=%v but Accept err=%v", pre, id, tb[id], masked, err)
			}
			if !masked {
				allowed++
			}
		}
		if allowed == 0 {
			t.Fatalf("prefix %q: nothing allowed", pre)
		}
	}
}
