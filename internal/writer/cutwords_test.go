package writer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

func TestWholeWords(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"under the limit", "but be ca", 40, "but be ca"},
		{"cut word", "Composting is easy but be ca", 28, "Composting is easy but be"},
		{"complete at the limit", "Composting is easy.", 19, "Composting is easy."},
		{"space at the limit", "Compost well ", 13, "Compost well"},
		{"dangling comma", "Soil, water, comp", 17, "Soil, water"},
		{"last word kept", "Soil, water, and comp", 21, "Soil, water, and"},
		{"one cut word", "Anticonstitutionnel", 19, ""},
		{"elision", "Pourquoi l'arr", 14, "Pourquoi"},
		{"hyphen", "A well-kno", 10, "A"},
		{"accents", "Un jardin déjà ré", 17, "Un jardin déjà"},
		{"dangling guillemet", "Le mot « comp", 13, "Le mot"},
		{"digits", "Top 10 tips for 2026", 20, "Top 10 tips for"},
		{"empty", "", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := wholeWords(tc.in, tc.max); got != tc.want {
				t.Fatalf("wholeWords(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestLastSentence(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"cut mid-sentence", "First one. Second one is prett", "First one.", true},
		{"complete", "First one. Second one!", "First one. Second one!", true},
		{"closing quote", "He said \"stop.\" Then he wal", "He said \"stop.\"", true},
		{"paragraphs", "One.\n\nTwo is long and cu", "One.", true},
		{"decimal is not an end", "It costs 3.5 euros and mo", "It costs 3.5 euros and", false},
		{"ellipsis", "Wait… and th", "Wait…", true},
		{"no sentence", "a cut senten", "a cut", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := lastSentence(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("lastSentence(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// A string closed at its maxLength is trimmed back to a whole word, and
// one left under its minLength fails validation (the repair loop asks
// again).
func TestDecodeValidTrimsCutWords(t *testing.T) {
	sch := jsonschema.Object(map[string]*jsonschema.Schema{
		"title": jsonschema.String(5, 20),
		"tags":  jsonschema.Array(jsonschema.String(2, 8), 1, 3),
	}, "title", "tags")
	var out struct {
		Title string   `json:"title"`
		Tags  []string `json:"tags"`
	}
	if err := decodeValid(sch, `{"title":"Soil and water for s","tags":["compost","soil"]}`, &out, nil); err != nil {
		t.Fatal(err)
	}
	if out.Title != "Soil and water for" || strings.Join(out.Tags, ",") != "compost,soil" {
		t.Errorf("title %q, tags %q", out.Title, out.Tags)
	}
	// "gardenin" is one cut word: nothing is left of it, under minLength 2.
	err := decodeValid(sch, `{"title":"Soil and water","tags":["gardenin"]}`, &out, nil)
	var cw *cutWordsError
	var ve *jsonschema.ValidationError
	if !errors.As(err, &cw) || !errors.As(err, &ve) || ve.Path != "$.tags[0]" {
		t.Fatalf("a tag cut to nothing: err = %v, want a cutWordsError on $.tags[0]", err)
	}
}

// noCutBounds are limits tight enough that the grammar closes most strings
// at their maxLength, so that the models below cut words often.
func noCutBounds() Bounds {
	b := DefaultBounds(MinWords)
	b.MinSections, b.MaxSections, b.Points, b.Subsections, b.IntroPoints = 2, 2, 1, 0, 1
	b.TitleChars, b.HeadingChars, b.PointChars = 24, 18, 30
	b.MetaTitleChars, b.ExcerptChars, b.Tags, b.TagChars = 24, 60, 2, 9
	return b
}

// TestNoCutWordsConstrained generates outlines and metadata under the
// grammar over many seeds, on the fixture model and on a synthetic one:
// every title, heading, point, description, excerpt and tag the writer keeps
// ends with a complete word of the model's output (the model closed the
// string itself, or the text after it in the model's output starts with a
// non-word character).
func TestNoCutWordsConstrained(t *testing.T) {
	models := []struct {
		name string
		path func(t *testing.T) string
	}{
		{"synthetic", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "synth.gguf")
			spec := testmodel.Tiny("qwen2", tensor.Q8_0)
			spec.Context = 4096 // room for a whole answer
			if err := testmodel.WriteFile(spec, p); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"fixture", func(t *testing.T) string { return testutil.Fixture(t, "stories260K.gguf") }},
	}
	const seeds = 16
	b := noCutBounds()
	for _, model := range models {
		t.Run(model.name, func(t *testing.T) {
			m, err := engine.Load(model.path(t), engine.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			g := m.Generator()
			cuts, kept := 0, 0
			for _, step := range []struct {
				name string
				sch  *jsonschema.Schema
			}{{"outline", b.Outline()}, {"metadata", b.Metadata()}} {
				for seed := uint64(0); seed < seeds; seed++ {
					p := sample.DefaultParams()
					p.Seed = seed
					req := llm.Request{Messages: []llm.Message{{Role: "user", Content: "Answer in JSON."}}, MaxTokens: 1500, Sampling: p, JSONSchema: step.sch}
					res, err := g.Generate(context.Background(), req, nil)
					if err != nil {
						t.Fatalf("%s seed %d: %v", step.name, seed, err)
					}
					if res.FinishReason != "stop" {
						continue // out of tokens: the writer asks again
					}
					var raw, trimmed any
					if err := json.Unmarshal([]byte(res.Text), &raw); err != nil {
						t.Fatalf("%s seed %d: %v", step.name, seed, err)
					}
					if err := decodeValid(step.sch, res.Text, &trimmed, nil); err != nil {
						continue // under a minimum once trimmed: the writer asks again
					}
					kept++
					cuts += checkWholeWords(t, step.sch, raw, trimmed, step.name)
				}
			}
			t.Logf("%d answers kept, %d strings cut back to a whole word", kept, cuts)
			if kept == 0 || cuts == 0 {
				t.Fatalf("%d answers kept, %d cuts: the test did not exercise cutting", kept, cuts)
			}
		})
	}
}

// checkWholeWords compares the strings of the model's answer (raw) with
// the ones kept (trimmed) and returns how many were cut.
func checkWholeWords(t *testing.T, s *jsonschema.Schema, raw, trimmed any, path string) int {
	t.Helper()
	switch x := raw.(type) {
	case string:
		y := trimmed.(string)
		if !strings.HasPrefix(x, y) {
			t.Fatalf("%s: kept %q is not a prefix of the model's %q", path, y, x)
		}
		if y == x {
			if s.MaxLength != nil && utf8.RuneCountInString(x) >= *s.MaxLength {
				if r, _ := utf8.DecodeLastRuneInString(x); isWordRune(r) {
					t.Fatalf("%s: %q was closed at its limit inside a word and kept", path, x)
				}
			}
			return 0
		}
		if next, _ := utf8.DecodeRuneInString(x[len(y):]); isWordRune(next) {
			t.Fatalf("%s: kept %q ends inside the word of the model's %q", path, y, x)
		}
		return 1
	case []any:
		n := 0
		for i := range x {
			n += checkWholeWords(t, s.Items, x[i], trimmed.([]any)[i], path+"[]")
		}
		return n
	case map[string]any:
		n := 0
		for _, p := range s.Properties {
			if v, ok := x[p.Name]; ok {
				n += checkWholeWords(t, p.Schema, v, trimmed.(map[string]any)[p.Name], path+"."+p.Name)
			}
		}
		return n
	}
	return 0
}

// A heading cut at its limit by the grammar reaches the article, and the
// prompts that draft and review its section, as whole words only: no text
// continues a truncated heading. A section that reaches its token budget is
// cut back to its last complete sentence, with a warning.
func TestNoTextContinuesACutHeading(t *testing.T) {
	var cut, whole string // the heading as the grammar closed it at its limit, and kept
	long := strings.Repeat("A full sentence here. ", 300) + "And a cut senten"
	g := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
		switch {
		case req.JSONSchema != nil && req.JSONSchema.Property("sections") != nil:
			limit := *req.JSONSchema.Property("sections").Items.Property("heading").MaxLength
			words := strings.Repeat("Compost ", limit/8-1)
			cut = string([]rune(words + strings.Repeat("heap", limit))[:limit])
			whole = strings.TrimSpace(words)
			return `{"title":"Compost at home","intro":["Why compost."],"sections":[{"heading":"` + cut +
				`","points":["Start small."]},{"heading":"Second part","points":["Keep going."]}]}`, true
		case req.JSONSchema == nil && stageOf(req) == StageDraft && strings.Contains(lastUser(req), "Second part"):
			return long, true
		}
		return "", false
	}}
	opts := testOptions("How to make compost at home")
	opts.MaxRevise = 0 // keep the drafts as written
	art, _ := runArticle(t, g, opts)
	if h := art.State.Outline.Sections[0].Heading; h != whole || whole == "" {
		t.Fatalf("heading kept %q, want %q", h, whole)
	}
	for _, r := range g.Requests() {
		if strings.Contains(lastUser(r), cut) {
			t.Fatalf("a %s prompt carries the cut heading %q", stageOf(r), cut)
		}
	}
	if md := string(art.Markdown); !strings.Contains(md, "## "+whole+"\n") || strings.Contains(md, cut) {
		t.Errorf("article headings:\n%s", art.Markdown)
	}
	var second *Part
	for i := range art.State.Parts {
		if art.State.Parts[i].Heading == "Second part" {
			second = &art.State.Parts[i]
		}
	}
	if second == nil || !strings.HasSuffix(second.Text, "A full sentence here.") || strings.Contains(second.Text, "cut senten") {
		t.Fatalf("the over-budget part was not cut back to its last sentence: %+v", second)
	}
	warned := false
	for _, w := range art.State.Warnings {
		warned = warned || strings.Contains(w, `"Second part"`) && strings.Contains(w, "last complete sentence")
	}
	if !warned {
		t.Errorf("no budget warning: %q", art.State.Warnings)
	}
}

func lastUser(r llm.Request) string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Content
}

// The limits a structured prompt states are the numbers of the schema its
// answer is constrained to, in both languages, also when a small context
// shrinks them.
func TestPromptStatesSchemaLimits(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		for _, window := range []int{0, 2048} {
			t.Run(fmt.Sprintf("%s/context=%d", lang, window), func(t *testing.T) {
				g := &fakegen.Generator{}
				g.Model.ContextLength = window
				opts := testOptions("How to make compost at home")
				opts.Lang = lang
				art, _ := runArticle(t, g, opts)
				seen := map[string]bool{}
				for _, c := range art.Manifest.Calls {
					if c.JSONSchema == "" || c.Attempt > 0 && c.Stage != StageReview {
						continue
					}
					seen[c.Stage] = true
					s := jsonschema.MustParse(c.JSONSchema)
					prompt := c.Messages[len(c.Messages)-1].Content
					for _, n := range statedLimits(t, c.Stage, s) {
						if !strings.Contains(prompt, fmt.Sprint(n)) {
							t.Errorf("%s: the schema's limit %d is not in the prompt:\n%s", c.Stage, n, prompt)
						}
					}
				}
				if !seen[StageOutline] || !seen[StageMetadata] || !seen[StageReview] {
					t.Fatalf("structured stages seen: %v", seen)
				}
			})
		}
	}
}

// statedLimits are the numbers of a stage's schema that its prompt states.
func statedLimits(t *testing.T, stage string, s *jsonschema.Schema) []int {
	t.Helper()
	switch stage {
	case StageOutline:
		sec := s.Property("sections")
		h := sec.Items
		return []int{*s.Property("title").MaxLength, *s.Property("intro").MaxItems, *sec.MinItems, *sec.MaxItems,
			*h.Property("heading").MaxLength, *h.Property("points").MinItems, *h.Property("points").MaxItems,
			*h.Property("points").Items.MaxLength}
	case StageMetadata:
		tags := s.Property("tags")
		return []int{*s.Property("title").MaxLength, *s.Property("description").MinLength, *s.Property("description").MaxLength,
			*s.Property("excerpt").MinLength, *s.Property("excerpt").MaxLength, *tags.MinItems, *tags.MaxItems, *tags.Items.MaxLength}
	case StageReview:
		p := s.Property("problems")
		return []int{*p.MaxItems, *p.Items.MaxLength}
	}
	t.Fatalf("stage %s has a schema", stage)
	return nil
}
