package jsonschema

import (
	"fmt"
	"strings"
	"testing"
)

const testSchema = `{
 "title": "test",
 "type": "object",
 "properties": {
  "title": {"type": "string", "minLength": 2, "maxLength": 10},
  "n": {"type": "integer"},
  "score": {"type": ["number", "null"]},
  "kind": {"enum": ["post", "page", 1.5, {"a": [1]}]},
  "v": {"const": 2},
  "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "minItems": 1, "maxItems": 2},
  "alt": {"anyOf": [{"type": "string"}, {"type": "null"}]},
  "one": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
  "ok": {"type": "boolean"},
  "open": {"type": "object", "properties": {"x": {"type": "null"}}}
 },
 "required": ["title"],
 "additionalProperties": false
}`

func TestValidate(t *testing.T) {
	s, err := Parse([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, doc, wantErr string }{
		{"minimal", `{"title": "Héllo"}`, ""},
		{"full", `  {"title": "Ok", "n": 3, "score": null, "kind": {"a": [1.0]}, "v": 2.0, "tags": ["a", "b"], "alt": null, "one": 1.5, "ok": true, "open": {"y": 1}}  `, ""},
		{"whole number is an integer", `{"title": "Ok", "n": 3.0}`, ""},
		{"enum number by value", `{"title": "Ok", "kind": 15e-1}`, ""},
		{"short", `{"title": "H"}`, "$.title: 1 characters, at least 2 wanted"},
		{"long", `{"title": "Hellooooooo!"}`, "at most 10"},
		{"missing", `{}`, `$: missing required property "title"`},
		{"additional", `{"title": "Ok", "zzz": 1}`, `unexpected property "zzz"`},
		{"not integer", `{"title": "Ok", "n": 2.5}`, "$.n: want an integer"},
		{"huge exponent", `{"title": "Ok", "n": 1e999999999}`, "want an integer"},
		{"type list", `{"title": "Ok", "score": "x"}`, "want number or null"},
		{"enum", `{"title": "Ok", "kind": "x"}`, "$.kind: value not in enum"},
		{"enum object", `{"title": "Ok", "kind": {"a": [2]}}`, "value not in enum"},
		{"const", `{"title": "Ok", "v": 3}`, "constant 2"},
		{"few items", `{"title": "Ok", "tags": []}`, "$.tags: 0 items, at least 1 wanted"},
		{"many items", `{"title": "Ok", "tags": ["a", "a", "a"]}`, "at most 2"},
		{"item", `{"title": "Ok", "tags": ["c"]}`, "$.tags[0]: value not in enum"},
		{"anyOf", `{"title": "Ok", "alt": 3}`, "none of anyOf"},
		{"oneOf", `{"title": "Ok", "one": 3}`, "2 branches of oneOf"},
		{"boolean", `{"title": "Ok", "ok": "yes"}`, "$.ok: want a boolean"},
		{"trailing", `{"title": "Ok"} trailing`, "not valid JSON"},
		{"two values", `{"title": "Ok"} {}`, "extra data"},
		{"truncated", `{"title": "Ok",`, "not valid JSON"},
		{"empty", ``, "not valid JSON"},
		{"array", `[1]`, "$: want an object"},
		{"too big", `"` + strings.Repeat("x", MaxDocumentBytes) + `"`, "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Validate([]byte(tc.doc))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			// The English message is what a repair prompt quotes to the model.
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// FuzzParse parses arbitrary schemas: an error or a schema, never a panic;
// a schema re-encodes and validates its own encoding's documents without
// panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{testSchema, `{"type":["string","null"],"maxLength":3}`,
		`{"enum":["a","ab",1,[1],{"k":null}]}`, `{"anyOf":[{"type":"integer"},{"const":"x"}]}`, `true`} {
		f.Add([]byte(s), []byte(`{"title":"ab"}`))
	}
	f.Fuzz(func(t *testing.T, schema, doc []byte) {
		if len(schema) > 4096 || len(doc) > 4096 {
			return // keep each execution cheap
		}
		s, err := Parse(schema)
		if err != nil {
			return
		}
		if _, err := s.MarshalJSON(); err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		_ = s.Validate(doc)
	})
}

// FuzzValidate validates arbitrary documents against a fixed schema.
func FuzzValidate(f *testing.F) {
	s, err := Parse([]byte(testSchema))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"title": "abc", "tags": ["a"]}`))
	f.Add([]byte(`[[[[1]]]]`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		_ = s.Validate(doc) // must not panic
	})
}

func ExampleParse() {
	_, err := Parse([]byte(`{"type":"string","pattern":"^[a-z]+$"}`))
	fmt.Println(err)
	// Output: json schema: #: keyword "pattern" is not supported
}

func ExampleSchema_Validate() {
	s, err := Parse([]byte(`{"type":"object","required":["title"],"properties":{"title":{"type":"string","maxLength":5}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Validate([]byte(`{"title":"Hello"}`)))
	fmt.Println(s.Validate([]byte(`{"title":"Hello world"}`)))
	// Output:
	// <nil>
	// $.title: 11 characters, at most 5 wanted
}

func ExampleObject() {
	s := Object(map[string]*Schema{
		"title": String(5, 70),
		"tags":  Array(String(2, 30), 2, 6),
	}, "title", "tags")
	b, _ := s.MarshalJSON()
	fmt.Println(string(b))
	fmt.Println(s.Validate([]byte(`{"title":"Compost at home","tags":["garden"]}`)))
	// Output:
	// {"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","minLength":2,"maxLength":30},"minItems":2,"maxItems":6},"title":{"type":"string","minLength":5,"maxLength":70}},"required":["title","tags"],"additionalProperties":false}
	// $.tags: 1 items, at least 2 wanted
}
