package sample

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// byteVocab is 256 single-byte tokens plus EOG id 256.
func byteVocab() ([][]byte, []int32) {
	tb := make([][]byte, 257)
	for i := range 256 {
		tb[i] = []byte{byte(i)}
	}
	return tb, []int32{256}
}

// feed accepts s byte by byte; it returns the index of the first rejected
// byte or -1.
func feed(t *testing.T, g *Grammar, s string) int {
	t.Helper()
	for i := range len(s) {
		if err := g.Accept(int32(s[i])); err != nil {
			if !errors.Is(err, ErrGrammar) {
				t.Fatalf("error %v does not wrap ErrGrammar", err)
			}
			return i
		}
	}
	return -1
}

const outlineSchema = `{
  "type": "object",
  "properties": {
    "title": {"type": "string", "minLength": 1, "maxLength": 40},
    "sections": {"type": "array", "minItems": 1, "maxItems": 4, "items": {
      "type": "object",
      "properties": {
        "heading": {"type": "string", "maxLength": 30},
        "points": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 20}}
      },
      "required": ["heading"], "additionalProperties": false}},
    "tags": {"type": ["array", "null"], "items": {"enum": ["go", "ai", "llm", "c++"]}},
    "draft": {"type": "boolean"},
    "words": {"type": "integer"},
    "score": {"type": "number"}
  },
  "required": ["title", "sections"],
  "additionalProperties": false
}`

func TestGrammarStreams(t *testing.T) {
	tests := []struct {
		name, schema, in string
		complete         bool // accepted entirely and complete
		failAt           int  // -1 = all bytes accepted
	}{
		{"obj ok", outlineSchema, `{"title":"Go","sections":[{"heading":"Intro"}]}`, true, -1},
		{"obj ws", outlineSchema, "{ \"title\" : \"Go\" ,\n\"sections\": [ {\"heading\":\"a\", \"points\":[\"x\"]} ] }", true, -1},
		{"obj optional all", outlineSchema, `{"title":"T","sections":[{"heading":"h"}],"tags":["go","llm"],"draft":false,"words":-120,"score":1.5e-3}`, true, -1},
		{"tags null", outlineSchema, `{"title":"T","sections":[{"heading":"h"}],"tags":null}`, true, -1},
		{"missing required", outlineSchema, `{"title":"T"}`, false, 12},
		{"wrong order", outlineSchema, `{"sections":[]}`, false, 2},
		{"unknown key", outlineSchema, `{"title":"T","sections":[{"heading":"h"}],"extra":1}`, false, 43},
		{"empty title", outlineSchema, `{"title":""`, false, 10},
		{"min items", outlineSchema, `{"title":"T","sections":[]`, false, 25},
		{"bad enum", outlineSchema, `{"title":"T","sections":[{"heading":"h"}],"tags":["rust"]`, false, 51},
		{"integer frac", outlineSchema, `{"title":"T","sections":[{"heading":"h"}],"words":1.5`, false, 51},
		{"leading zero", `{"type":"integer"}`, `01`, false, 1},
		{"top number", `{"type":"number"}`, `-0.5E+12`, true, -1},
		{"exp cap", `{"type":"number"}`, `1e123`, false, 4},
		{"int cap", `{"type":"integer"}`, `1234567890123456`, false, 15},
		{"string escapes", `{"type":"string"}`, `"a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"`, true, -1},
		{"bad escape", `{"type":"string"}`, `"\x"`, false, 2},
		{"control char", `{"type":"string"}`, "\"a\nb\"", false, 2},
		{"utf8 ok", `{"type":"string","maxLength":3}`, `"héé"`, true, -1},
		{"utf8 too long", `{"type":"string","maxLength":2}`, `"héé"`, false, 4},
		{"utf8 overlong", `{"type":"string"}`, "\"\xC0\xAF\"", false, 1},
		{"utf8 surrogate", `{"type":"string"}`, "\"\xED\xA0\x80\"", false, 2},
		{"surrogate pair counts one", `{"type":"string","minLength":2,"maxLength":2}`, `"\uD83D\uDE00x"`, true, -1},
		{"min length", `{"type":"string","minLength":2}`, `"a"`, false, 2},
		{"const", `{"const":{"a":[1,2]}}`, `{"a":[1,2]}`, true, -1},
		{"const mismatch", `{"const":"x"}`, `"y"`, false, 1},
		{"enum prefix", `{"enum":[1,12]}`, `12`, true, -1},
		{"enum short", `{"enum":[1,12]}`, `1`, true, -1},
		{"anyOf", `{"anyOf":[{"type":"string"},{"type":"null"},{"type":"array","items":{"type":"integer"}}]}`, `[1, 2]`, true, -1},
		{"anyOf none", `{"anyOf":[{"type":"string"},{"type":"null"}]}`, `true`, false, 0},
		{"bool", `{"type":"boolean"}`, ` true `, true, -1},
		{"ws cap", `{"type":"null"}`, strings.Repeat(" ", MaxWhitespace+1), false, MaxWhitespace},
		{"after end", `{"type":"object"}`, `{}x`, false, 2},
		{"empty object", `{"type":"object","properties":{"a":{"type":"null"}}}`, `{}`, true, -1},
		{"max items", `{"type":"array","items":{"type":"null"},"maxItems":1}`, `[null,`, false, 5},
		{"incomplete", `{"type":"array","items":{"type":"null"}}`, `[nu`, false, -1},
		// Schemas that say nothing about a value: free-form JSON (freeform.go).
		{"empty schema object", `{}`, `{"a":[1,{"b":null}]}`, true, -1},
		{"empty schema array", `{}`, `[1,"x",[]]`, true, -1},
		{"annotations only string", `{"title":"any"}`, `"x"`, true, -1},
		{"empty schema number", `{}`, `-1.5`, true, -1},
		{"array without items", `{"type":"array","maxItems":2}`, `[{"a":1},"b"]`, true, -1},
		{"array without items max", `{"type":"array","maxItems":2}`, `[1,2,`, false, 4},
		{"open object", `{"type":"object","additionalProperties":true}`, `{"x":{"y":2}}`, true, -1},
		{"closed empty object", `{"type":"object","additionalProperties":false}`, `{"a"`, false, 1},
		{"declared only", `{"type":"object","properties":{"a":{"type":"null"}}}`, `{"b"`, false, 2},
		{"free property", `{"type":"object","properties":{"a":{}}}`, `{"a":{"z":[true]}}`, true, -1},
		{"object or null", `{"type":["object","null"]}`, `{"k":"v"}`, true, -1},
	}
	tb, eog := byteVocab()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewJSONSchema(jsonschema.MustParse(tc.schema), tb, eog)
			if err != nil {
				t.Fatal(err)
			}
			if got := feed(t, g, tc.in); got != tc.failAt {
				t.Fatalf("first rejected byte = %d, want %d", got, tc.failAt)
			}
			if tc.failAt < 0 && g.Complete() != tc.complete {
				t.Fatalf("Complete() = %v, want %v", g.Complete(), tc.complete)
			}
			logits := make([]float32, len(tb))
			g.Mask(logits)
			if eogOK := !math.IsInf(float64(logits[256]), -1); eogOK != g.Complete() {
				t.Fatalf("EOG allowed = %v, complete = %v", eogOK, g.Complete())
			}
		})
	}
}

// TestSchemaErrors: schemas that jsonschema accepts but the grammar cannot
// enforce are errors wrapping ErrSchema (parse errors are jsonschema's,
// tested there).
func TestSchemaErrors(t *testing.T) {
	tests := []struct{ name, schema, want string }{
		{"ambiguous anyOf", `{"anyOf":[{"type":"integer"},{"type":"number"}]}`, "same byte"},
		{"ambiguous oneOf", `{"oneOf":[{"enum":["a"]},{"type":"string"}]}`, "same byte"},
		{"ambiguous nested", `{"type":"array","items":{"anyOf":[{"type":"null"},{"const":null}]}}`, "same byte"},
	}
	tb, eog := byteVocab()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewJSONSchema(jsonschema.MustParse(tc.schema), tb, eog)
			// The kind is matched below; the message says why, for the
			// schema's author.
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrSchema) {
				t.Fatalf("err %v does not wrap ErrSchema", err)
			}
		})
	}
	if _, err := NewJSONSchema(nil, tb, eog); !errors.Is(err, ErrSchema) {
		t.Fatalf("nil schema: err = %v, want ErrSchema", err)
	}
}
