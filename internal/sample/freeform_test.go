package sample

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// nested returns an object holding n nested arrays around 1.
func nested(n int) string {
	return `{"a":` + strings.Repeat("[", n) + "1" + strings.Repeat("]", n) + "}"
}

// members returns an object of n members.
func members(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"k":0`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// tokenize splits s into the longest tokens of tb, greedily (every byte is
// a token of tb, so it always succeeds).
func tokenize(tb [][]byte, s string) []int32 {
	var ids []int32
	for len(s) > 0 {
		best, bestLen := int32(-1), 0
		for id, b := range tb {
			if len(b) > bestLen && strings.HasPrefix(s, string(b)) {
				best, bestLen = int32(id), len(b)
			}
		}
		ids = append(ids, best)
		s = s[bestLen:]
	}
	return ids
}

// TestFreeFormObject: response_format json_object's schema ({"type":"object"}
// without properties) takes any JSON object, fed token by token, and rejects
// invalid JSON at the first token that makes it invalid.
func TestFreeFormObject(t *testing.T) {
	valid := []string{
		`{}`,
		`{"a":1}`,
		`{"title":"Le compost","tags":["jardin","balcon"],"words":800,"draft":false,"score":-1.5e-3,"parent":null}`,
		`{ "a" : { "b" : [ 1, "x", true, null, {} ] } ,` + "\n" + `"a":[]}`, // duplicate keys are JSON
		`{"é\u00e9\"\\":"\uD83D\uDE00","":""}`,
		`{"deep":{"er":{"still":[[[{"x":[0.5]}]]]}}}`,
		nested(MaxFreeDepth - 1),
		members(DefaultMaxItems),
		`{"` + strings.Repeat("k", maxFreeKeyLength) + `":1}`,
	}
	invalid := []struct {
		name, in  string
		failAt    int  // byte offset of the first rejected byte
		overLimit bool // valid JSON, past one of the grammar's limits
	}{
		{"array", `[1]`, 0, false},
		{"string", `"a"`, 0, false},
		{"bare key", `{a:1}`, 1, false},
		{"no value", `{"a":}`, 5, false},
		{"no colon", `{"a" 1}`, 5, false},
		{"trailing comma", `{"a":1,}`, 7, false},
		{"leading zero", `{"a":01}`, 6, false},
		{"bad literal", `{"a":nul}`, 8, false},
		{"bad escape", `{"a":"\q"}`, 7, false},
		{"control char", "{\"a\":\"\x01\"}", 6, false},
		{"two values", `{"a":1}{}`, 7, false},
		{"unclosed array", `{"a":[1}`, 7, false},
		{"too deep", nested(MaxFreeDepth), len(`{"a":`) + MaxFreeDepth - 1, true},
		{"too many members", members(DefaultMaxItems + 1), 1 + DefaultMaxItems*len(`"k":0`) + DefaultMaxItems - 1, true},
		{"key too long", `{"` + strings.Repeat("k", maxFreeKeyLength+1) + `":1}`, 2 + maxFreeKeyLength, true},
		{"string too long", `{"a":"` + strings.Repeat("s", DefaultMaxStringLength+1) + `"}`, 6 + DefaultMaxStringLength, true},
	}
	schema := jsonschema.MustParse(`{"type":"object"}`)
	tb, eog := synthVocab()
	for _, in := range valid {
		t.Run("valid", func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(in), &m); err != nil {
				t.Fatalf("test input %q is not a JSON object: %v", in, err)
			}
			g, err := NewJSONSchema(schema, tb, eog)
			if err != nil {
				t.Fatal(err)
			}
			ids := tokenize(tb, in)
			for i, id := range ids {
				logits := make([]float32, len(tb))
				g.Mask(logits)
				if isInf(logits[id]) {
					t.Fatalf("%q: token %d (%q) masked", in, i, tb[id])
				}
				if err := g.Accept(id); err != nil {
					t.Fatalf("%q: token %d: %v", in, i, err)
				}
			}
			if !g.Done() || !g.Complete() {
				t.Fatalf("%q: Done %v Complete %v after the closing brace", in, g.Done(), g.Complete())
			}
		})
	}
	bvocab, beog := byteVocab()
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if isObject := json.Unmarshal([]byte(tc.in), &m) == nil; isObject != tc.overLimit {
				t.Fatalf("test input %q: JSON object %v, want %v", tc.in, isObject, tc.overLimit)
			}
			g, err := NewJSONSchema(schema, bvocab, beog)
			if err != nil {
				t.Fatal(err)
			}
			if got := feed(t, g, tc.in); got != tc.failAt {
				t.Fatalf("%q: first rejected byte %d, want %d", tc.in, got, tc.failAt)
			}
		})
	}
}

func isInf(x float32) bool { return x < -3.4e38 }

// TestFreeFormMaskMatchesAccept: Mask and Accept agree inside free-form JSON
// (keys are string frames, where Mask takes its plain-string shortcut).
func TestFreeFormMaskMatchesAccept(t *testing.T) {
	prefixes := []string{``, `{`, `{"ke`, `{"key"`, `{"key":`, `{"key":[`, `{"key":["v`, `{"key":{"x":1`, `{"k":1,`,
		`{"k":` + strings.Repeat("[", MaxFreeDepth-1)}
	tb, eog := synthVocab()
	rtb, reog := realisticVocab(6000)
	checkMaskMatchesAccept(t, `{"type":"object"}`, prefixes, tb, eog)
	checkMaskMatchesAccept(t, `{"type":"object"}`, prefixes, rtb, reog)
}
