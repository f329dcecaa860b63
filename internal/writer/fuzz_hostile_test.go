package writer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/writer/fakegen"
	"github.com/plumewriter/plume/internal/writer/prompts"
)

// FuzzJSONRepair feeds arbitrary model answers to the structured-answer
// path (issue 13 item 10): validation and decoding against each of the
// writer's schemas, then the repair prompt that quotes the bad answer at
// each length. Any answer gives a value or an error, never a panic; an
// accepted answer is valid JSON; a quote is valid UTF-8 when the answer is,
// bounded, and reaches the prompt.
func FuzzJSONRepair(f *testing.F) {
	for _, s := range []string{
		`{"title": "cut short`, `{"title":"x","intro":[],"sections":[]}`, `{"pass": true, "problems": []}`,
		`{"title":"Le compost","description":"` + strings.Repeat("é", 200) + `","tags":["a","b"]}`,
		"[[[[[[[[[[", `{"pass": "yes"}`, "\x00\xff", `{"problems": [` + strings.Repeat(`"x",`, 50) + `"y"]}`,
	} {
		f.Add(s, "json: unexpected end of input")
	}
	schemas := []struct {
		name string
		sch  *jsonschema.Schema
		out  func() any
	}{
		{"outline", OutlineSchema(MinSections, MaxSections), func() any { return new(Outline) }},
		{"metadata", MetadataSchema(), func() any { return new(Metadata) }},
		{"review", ReviewSchema(), func() any { return new(Verdict) }},
	}
	f.Fuzz(func(t *testing.T, answer, errText string) {
		for _, s := range schemas {
			if err := decodeValid(s.sch, answer, s.out(), nil); err == nil && !json.Valid([]byte(answer)) {
				t.Fatalf("%s: accepted invalid JSON %q", s.name, answer)
			}
		}
		for _, n := range repairQuoteChars {
			q := cutRunes(answer, n)
			if utf8.ValidString(answer) && !utf8.ValidString(q) {
				t.Fatalf("cutRunes(%q, %d) broke UTF-8: %q", answer, n, q)
			}
			if utf8.RuneCountInString(q) > n+2 {
				t.Fatalf("cutRunes(…, %d) kept %d runes", n, utf8.RuneCountInString(q))
			}
			for _, lang := range []string{"en", "fr"} {
				p, err := prompts.Render(lang, prompts.Repair, map[string]any{"Error": cutRunes(errText, 300), "Text": q})
				if err != nil {
					t.Fatalf("repair prompt (%s): %v", lang, err)
				}
				if strings.TrimSpace(q) != "" && utf8.ValidString(q) && !strings.Contains(p, strings.TrimSpace(strings.SplitN(q, "\n", 2)[0])) {
					t.Fatalf("repair prompt (%s) lost the quote %q:\n%s", lang, q, p)
				}
			}
		}
	})
}

// FuzzFrontMatter renders articles whose model-written metadata is
// arbitrary (issue 13 item 10): the Markdown always starts with one YAML
// front matter block that parses back to the (cleaned) title, description
// and tags, and holds no control character but tab and newline.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{"Compost", "---", "title: x\n---\nevil: 1", "\x00\x1b[2J", "« l'été » : 50 %", "'\"\\", "- a\n- b", "&anchor *alias", "ab\u2028cd"} {
		f.Add(s, s, s)
	}
	p := newPipeline(&fakegen.Generator{})
	base, err := p.NewState(testOptions("Compost"))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := p.Run(context.Background(), base); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, description, tag string) {
		st := *base
		md := *base.Metadata
		md.Title, md.Description, md.Tags = title, description, []string{tag, "compost"}
		st.Metadata = &md
		art, err := Assemble(&st, (&fakegen.Generator{}).Info(), "test")
		if err != nil {
			return // an error is fine, a panic is not
		}
		doc := string(art.Markdown)
		if !strings.HasPrefix(doc, "---\n") {
			t.Fatalf("no front matter:\n%q", doc)
		}
		front, _, ok := strings.Cut(doc[4:], "\n---\n")
		if !ok {
			t.Fatalf("front matter not closed:\n%q", doc)
		}
		var fm FrontMatter
		if err := yaml.Unmarshal([]byte(front), &fm); err != nil {
			t.Fatalf("front matter does not parse: %v\n%s", err, front)
		}
		want := cleanMetadata(md)
		if fm.Title != want.Title || fm.Description != want.Description || len(fm.Tags) != 2 || fm.Tags[0] != want.Tags[0] {
			t.Fatalf("round trip: got %q / %q / %q, want %q / %q / %q", fm.Title, fm.Description, fm.Tags, want.Title, want.Description, want.Tags)
		}
		for _, c := range []byte(doc) {
			if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
				t.Fatalf("control byte %#x in the article:\n%q", c, doc)
			}
		}
	})
}
