package schema

import (
	"fmt"
	"strings"
	"testing"
)

const testSchema = `{"type":"object","additionalProperties":false,"required":["title","tags"],
"properties":{"title":{"type":"string","minLength":2,"maxLength":10},
"tags":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string","enum":["a","b"]}},
"n":{"type":"integer","minimum":0,"maximum":5},"ok":{"type":"boolean"}}}`

func TestValidate(t *testing.T) {
	s, err := Parse([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		doc, wantErr string
	}{
		{`{"title":"hé","tags":["a"]}`, ""},
		{`{"title":"ok","tags":["a","b"],"n":5,"ok":true}`, ""},
		{`{"title":"x","tags":["a"]}`, "$.title: 1 characters, at least 2"},
		{`{"title":"01234567890","tags":["a"]}`, "at most 10"},
		{`{"title":"ok"}`, `missing required property "tags"`},
		{`{"title":"ok","tags":[]}`, "$.tags: 0 items"},
		{`{"title":"ok","tags":["a","a","a"]}`, "at most 2"},
		{`{"title":"ok","tags":["c"]}`, "$.tags[0]: value not in enum"},
		{`{"title":"ok","tags":["a"],"extra":1}`, `unexpected property "extra"`},
		{`{"title":"ok","tags":["a"],"n":1.5}`, "want an integer"},
		{`{"title":"ok","tags":["a"],"n":9}`, "above the maximum"},
		{`{"title":"ok","tags":["a"],"ok":"yes"}`, "want a boolean"},
		{`{"title":"ok","tags":["a"]} {}`, "extra data"},
		{`{"title":"ok",`, "not valid JSON"},
		{`[]`, "want an object"},
	}
	for _, tt := range tests {
		err := s.Validate([]byte(tt.doc))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Validate(%s) = %v, want nil", tt.doc, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Validate(%s) = %v, want error containing %q", tt.doc, err, tt.wantErr)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, bad := range []string{`{"type":"tuple"}`, `{`, `{"properties":{"a":null}}`,
		strings.Repeat(`{"items":`, MaxDepth+2) + `{}` + strings.Repeat(`}`, MaxDepth+2)} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%.40s) succeeded", bad)
		}
	}
}

func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"title":"ok","tags":["a"]}`))
	f.Add([]byte(`[[[[1]]]]`))
	s, err := Parse([]byte(testSchema))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		_ = s.Validate(doc) // must not panic
	})
}

func ExampleSchema_Validate() {
	s, _ := Parse([]byte(`{"type":"object","required":["title"],"properties":{"title":{"type":"string","maxLength":5}}}`))
	fmt.Println(s.Validate([]byte(`{"title":"Hello"}`)))
	fmt.Println(s.Validate([]byte(`{"title":"Hello world"}`)))
	// Output:
	// <nil>
	// $.title: 11 characters, at most 5 wanted
}
