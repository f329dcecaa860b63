package remote

import (
	"strings"
	"testing"
)

func TestSchemaValidate(t *testing.T) {
	const s = `{
	 "type": "object",
	 "properties": {
	  "title": {"type": "string", "minLength": 2, "maxLength": 10, "pattern": "^[A-Z]"},
	  "n": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10},
	  "score": {"type": "number", "maximum": 1.5},
	  "kind": {"enum": ["post", "page"]},
	  "v": {"const": 2},
	  "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}, "minItems": 1, "maxItems": 2},
	  "alt": {"anyOf": [{"type": "string"}, {"type": "null"}]},
	  "one": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
	  "extra": {"type": "object", "additionalProperties": {"type": "boolean"}}
	 },
	 "required": ["title"],
	 "additionalProperties": false,
	 "$defs": {"tag": {"type": "string", "maxLength": 5}}
	}`
	sch, err := CompileSchema([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ doc, wantErr string }{
		{`{"title": "Héllo"}`, ""},
		{`  {"title": "Ok", "n": 3, "score": 1.5, "kind": "page", "v": 2.0, "tags": ["a"], "alt": null, "one": 1.5, "extra": {"x": true}}  `, ""},
		{`{"title": "ok"}`, `does not match pattern`},
		{`{"title": "H"}`, "at least 2"},
		{`{"title": "Hellooooooo!"}`, "at most 10"},
		{`{}`, `missing required property "title"`},
		{`{"title": "Ok", "zzz": 1}`, `unexpected property "zzz"`},
		{`{"title": "Ok", "n": 2.5}`, "expected integer, got number"},
		{`{"title": "Ok", "n": 10}`, "is not < 10"},
		{`{"title": "Ok", "n": 0}`, "is not >= 1"},
		{`{"title": "Ok", "score": 1.6}`, "is not <= 1.5"},
		{`{"title": "Ok", "kind": "x"}`, "is not one of"},
		{`{"title": "Ok", "v": 3}`, "constant"},
		{`{"title": "Ok", "tags": []}`, "at least 1"},
		{`{"title": "Ok", "tags": ["toolong"]}`, "$.tags[0]"},
		{`{"title": "Ok", "alt": 3}`, "none of anyOf"},
		{`{"title": "Ok", "one": 3}`, "2 branches of oneOf"},
		{`{"title": "Ok", "extra": {"x": 1}}`, "$.extra.x: expected boolean"},
		{`{"title": "Ok"} trailing`, "not valid JSON"},
		{`{"title": "Ok", "n": 1e999999999}`, "expected integer"},
		{`[1]`, "expected object"},
		{``, "not valid JSON"},
	}
	for _, c := range cases {
		err := sch.ValidateJSON([]byte(c.doc))
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.doc, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: err %v, want %q", c.doc, err, c.wantErr)
		}
	}
}

func TestSchemaCompileErrors(t *testing.T) {
	for _, s := range []string{`{bad`, `[1]`, `{"pattern": "("}`, `"x"`} {
		if _, err := CompileSchema([]byte(s)); err == nil {
			t.Errorf("CompileSchema(%s) accepted", s)
		}
	}
	// A self-referencing schema stops at the depth cap instead of recursing forever.
	sch, err := CompileSchema([]byte(`{"$ref": "#"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.ValidateJSON([]byte(`1`)); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Fatalf("self reference: %v", err)
	}
}
