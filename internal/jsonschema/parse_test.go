package jsonschema

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// Every keyword outside the supported set is refused with its name and
// place, so that a server can answer 400 naming it.
func TestParseUnsupported(t *testing.T) {
	tests := []struct {
		name, schema, keyword, path string
	}{
		{"pattern", `{"type":"string","pattern":"a+"}`, "pattern", "#"},
		{"format is an annotation, minimum is not", `{"type":"integer","format":"int32","minimum":1}`, "minimum", "#"},
		{"nested", `{"type":"object","properties":{"a":{"type":"number","multipleOf":2}}}`, "multipleOf", "#/properties/a"},
		{"in items", `{"type":"array","items":{"type":"string","format":"date","maxLength":3,"contentEncoding":"base64"}}`, "contentEncoding", "#/items"},
		{"ref", `{"$ref":"#/$defs/x","$defs":{"x":{"type":"null"}}}`, "$ref", "#"},
		{"allOf", `{"allOf":[{"type":"null"}]}`, "allOf", "#"},
		{"not", `{"type":"string","not":{"const":"x"}}`, "not", "#"},
		{"wrong type's keyword", `{"type":"string","items":{"type":"null"}}`, "items", "#"},
		{"with enum", `{"enum":["a"],"maxLength":3}`, "maxLength", "#"},
		{"const and enum", `{"enum":["a"],"const":"a"}`, "const", "#"},
		{"with anyOf", `{"anyOf":[{"type":"null"}],"type":"null"}`, "type", "#"},
		{"anyOf and oneOf", `{"anyOf":[{"type":"null"}],"oneOf":[{"type":"null"}]}`, "oneOf", "#"},
		{"in anyOf", `{"anyOf":[{"type":"null"},{"type":"string","pattern":"x"}]}`, "pattern", "#/anyOf/1"},
		{"additionalProperties schema", `{"type":"object","additionalProperties":{"type":"string"}}`, "additionalProperties", "#"},
		{"boolean schema", `true`, "true", "#"},
		{"only unsupported", `{"$defs":{}}`, "$defs", "#"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.schema))
			var ue *UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want an *UnsupportedError", err)
			}
			if ue.Keyword != tc.keyword || ue.Path != tc.path {
				t.Fatalf("keyword %q at %q, want %q at %q (%v)", ue.Keyword, ue.Path, tc.keyword, tc.path, err)
			}
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `"`+tc.keyword+`"`) {
				t.Fatalf("err %v: does not wrap ErrUnsupported or name the keyword", err)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct{ name, schema, want string }{
		{"not an object", `[1]`, "must be a JSON object"},
		{"string", `"x"`, "must be a JSON object"},
		{"unknown type", `{"type":"date"}`, "unknown type"},
		{"empty type", `{"type":[]}`, "empty type"},
		{"min>max", `{"type":"string","minLength":3,"maxLength":2}`, "minLength 3 > maxLength 2"},
		{"negative", `{"type":"array","items":{"type":"null"},"minItems":-1}`, "minItems must be"},
		{"too long", `{"type":"string","maxLength":70000}`, "maxLength must be"},
		{"fraction", `{"type":"string","maxLength":1.5}`, "maxLength must be"},
		{"required not declared", `{"type":"object","required":["a"]}`, "not in properties"},
		{"required not strings", `{"type":"object","required":"a"}`, "array of strings"},
		{"empty enum", `{"enum":[]}`, "non-empty"},
		{"enum of wrong type", `{"type":"string","enum":[1]}`, "does not have type"},
		{"empty anyOf", `{"anyOf":[]}`, "non-empty"},
		{"duplicate property", `{"type":"object","properties":{"a":{"type":"null"},"a":{"type":"null"}}}`, "duplicate"},
		{"duplicate keyword", `{"type":"null","type":"string"}`, "duplicate"},
		{"null property", `{"type":"object","properties":{"a":null}}`, "must be a JSON object"},
		{"deep", strings.Repeat(`{"type":"array","items":`, MaxDepth+2) + `{"type":"null"}` + strings.Repeat("}", MaxDepth+2), "deeper"},
		{"truncated", `{"type":`, "invalid"},
		{"huge", `{"type":"string","description":"` + strings.Repeat("x", MaxSchemaBytes) + `"}`, "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.schema))
			// The kind is matched below; the message names the fault, for
			// the schema's author (a server answers it as a 400).
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err %v does not wrap ErrInvalid", err)
			}
		})
	}
}

// Parse keeps the property order of the document (the grammar generates
// keys in it) and the document itself, annotations included, for servers.
// TestParseAnyValue: where a schema says nothing about a value, JSON
// Schema allows any value; the parsed schema and its validator say so too.
func TestParseAnyValue(t *testing.T) {
	docs := []string{`{"a":[1,{"b":null}],"c":"d"}`, `[1,"x",true,{}]`, `"s"`, `-2.5e3`, `null`}
	tests := []struct {
		name, schema string
		ok           []int // indexes of docs the schema accepts
	}{
		{"empty", `{}`, []int{0, 1, 2, 3, 4}},
		{"annotations only", `{"title":"x","description":"y"}`, []int{0, 1, 2, 3, 4}},
		{"object without properties", `{"type":"object"}`, []int{0}},
		{"array without items", `{"type":"array"}`, []int{1}},
		{"closed empty object", `{"type":"object","additionalProperties":false}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.schema))
			if err != nil {
				t.Fatal(err)
			}
			for i, doc := range docs {
				err := s.Validate([]byte(doc))
				if want := slices.Contains(tc.ok, i); (err == nil) != want {
					t.Errorf("Validate(%s) = %v, want ok %v", doc, err, want)
				}
			}
		})
	}
}

func TestParseKeepsOrderAndText(t *testing.T) {
	doc := ` {"title":"meta","type":"object","properties":{"z":{"type":"null"},"a":{"type":["string","null"],"maxLength":3}},"required":["a"]} `
	s, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Properties) != 2 || s.Properties[0].Name != "z" || s.Properties[1].Name != "a" {
		t.Fatalf("properties %+v", s.Properties)
	}
	if a := s.Property("a"); a == nil || !a.Has("null") || !a.Has("string") || *a.MaxLength != 3 {
		t.Fatalf("property a: %+v", a)
	}
	b, err := s.MarshalJSON()
	if err != nil || string(b) != strings.TrimSpace(doc) {
		t.Fatalf("MarshalJSON = %s, %v", b, err)
	}
}

// A schema built in code encodes with its keywords in a fixed order and its
// properties sorted, and parses back to the same encoding.
func TestBuildersMarshal(t *testing.T) {
	s := Object(map[string]*Schema{
		"title": String(5, 90),
		"tags":  Array(String(2, 30), 2, 6),
		"pass":  Boolean(),
	}, "title", "tags")
	b, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"type":"object","properties":{"pass":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string","minLength":2,"maxLength":30},"minItems":2,"maxItems":6},"title":{"type":"string","minLength":5,"maxLength":90}},"required":["title","tags"],"additionalProperties":false}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	p, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	p.src = nil // encode the parsed tree, not the kept text
	if again, err := p.MarshalJSON(); err != nil || string(again) != want {
		t.Fatalf("re-encoded %s, %v", again, err)
	}
	alts := &Schema{AnyOf: []*Schema{{Enum: []json.RawMessage{json.RawMessage(`"a"`), json.RawMessage(`1`)}}, {Types: []string{"null", "array"}, Items: &Schema{Const: json.RawMessage(`true`)}}}}
	if b, err := alts.MarshalJSON(); err != nil || string(b) != `{"anyOf":[{"enum":["a",1]},{"type":["null","array"],"items":{"const":true}}]}` {
		t.Fatalf("anyOf: %s, %v", b, err)
	}
}
