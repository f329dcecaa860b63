package writer

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/writer/fakegen"
)

func TestNormalizeRejects(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"empty topic", func(o *Options) { o.Topic = "  " }, "topic is empty"},
		{"huge topic", func(o *Options) { o.Topic = strings.Repeat("a", 10000) }, "10000 characters"},
		{"unknown language", func(o *Options) { o.Lang = "de" }, `unknown language "de"`},
		{"too few words", func(o *Options) { o.Words = 299 }, "--words 299 is out of range"},
		{"too many words", func(o *Options) { o.Words = 4001 }, "out of range"},
		{"unknown tone", func(o *Options) { o.Tone = "angry" }, `unknown tone "angry"`},
		{"too many keywords", func(o *Options) { o.Keywords = strings.Split("a,b,c,d,e,f,g,h,i", ",") }, "9 keywords"},
		{"huge notes", func(o *Options) { o.Notes = strings.Repeat("n", MaxNotesBytes+1) }, "notes are"},
		{"bad utf8 notes", func(o *Options) { o.Notes = "\xff\xfe" }, "not valid UTF-8"},
		{"bad date", func(o *Options) { o.Date = "yesterday" }, "date"},
		{"NaN temperature", func(o *Options) { o.Sampling.Temperature = float32(math.NaN()) }, "temperature is NaN"},
		{"negative temperature", func(o *Options) { o.Sampling.Temperature = -1 }, "temperature = -1"},
		{"huge temperature", func(o *Options) { o.Sampling.Temperature = 50 }, "temperature = 50"},
		{"top-p above one", func(o *Options) { o.Sampling.TopP = 2 }, "top_p = 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions("Compost")
			tt.mod(&o)
			g := &fakegen.Generator{}
			_, err := newPipeline(g).NewState(o)
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInput containing %q", err, tt.want)
			}
			if len(g.Requests()) != 0 {
				t.Fatal("generation started")
			}
		})
	}
}

func TestNormalizeDefaults(t *testing.T) {
	o := Options{Topic: "  Compost  ", Keywords: []string{" a ", "", "a", "b"}}
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	if o.Topic != "Compost" || o.Words != DefaultWords || o.Tone != DefaultTone || o.Lang != "en" ||
		o.LangSource != "default" || o.Audience != DefaultAudience("en") || strings.Join(o.Keywords, ",") != "a,b" {
		t.Errorf("defaults: %+v", o)
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ text, lang, source string }{
		{"How to grow tomatoes in your garden", "en", "detected"},
		{"Comment cultiver des tomates dans son jardin", "fr", "detected"},
		{"L'intelligence artificielle expliquée", "fr", "detected"},
		{"Écologie", "fr", "detected"},
		{"Kubernetes", "en", "default"},
		{"", "en", "default"},
		{"The best café in Paris", "en", "detected"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if lang, src := DetectLanguage(tt.text); lang != tt.lang || src != tt.source {
				t.Errorf("DetectLanguage(%q) = %s, %s; want %s, %s", tt.text, lang, src, tt.lang, tt.source)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello-world"},
		{"L'été à Paris : cœur & âme", "l-ete-a-paris-coeur-ame"},
		{"  --- ", "article"},
		{"../../etc/passwd", "etc-passwd"},
		{"Straße 2026", "strasse-2026"},
		{strings.Repeat("word ", 40), strings.TrimSuffix(strings.Repeat("word-", 16), "-")},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Slugify(tt.in); got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	in := "\n\n## Heading the model added\nFirst line.  \n\n\n\nSecond para.\n# Another\n"
	if got, want := cleanText(in), "First line.\n\nSecond para."; got != want {
		t.Errorf("cleanText = %q, want %q", got, want)
	}
}

func TestRenderBody(t *testing.T) {
	parts := []Part{
		{Level: 0, Text: "Intro."},
		{Level: 2, Heading: "A", Text: "Alpha."},
		{Level: 3, Parent: "B", Heading: "B1", Text: "Beta one."},
		{Level: 3, Parent: "B", Heading: "B2", Text: "Beta two."},
	}
	want := "Intro.\n\n## A\n\nAlpha.\n\n## B\n\n### B1\n\nBeta one.\n\n### B2\n\nBeta two.\n"
	if got := renderBody(parts); got != want {
		t.Errorf("renderBody =\n%s\nwant\n%s", got, want)
	}
}

func TestPreflightContextTooSmall(t *testing.T) {
	g := &fakegen.Generator{}
	g.Model.ContextLength = 600
	p := newPipeline(g)
	st, err := p.NewState(testOptions("Compost"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(context.Background(), st)
	if !errors.Is(err, ErrContext) || !strings.Contains(err.Error(), "context window is 600 tokens") {
		t.Fatalf("err = %v", err)
	}
	if len(g.Requests()) != 0 {
		t.Fatal("generation started before the context check")
	}
}

func TestContextCutsNotes(t *testing.T) {
	g := &fakegen.Generator{}
	g.Model.ContextLength = 3000
	o := testOptions("Compost")
	o.Notes = strings.Repeat("My grandmother kept a compost heap behind the shed for forty years. ", 200) // ≈3400 tokens
	art, _ := runArticle(t, g, o)
	cut := false
	for _, w := range art.State.Warnings {
		if strings.Contains(w, "cut the notes to") && strings.Contains(w, "3000-token context") {
			cut = true
		}
	}
	if !cut {
		t.Fatalf("no notes-cut warning: %q", art.State.Warnings)
	}
	for _, c := range art.Manifest.Calls {
		msgs := c.Messages
		n, _ := countMessages(g, msgs)
		if n+c.MaxTokens > 3000 {
			t.Fatalf("%s call overruns the context: %d + %d", c.Stage, n, c.MaxTokens)
		}
	}
}

func TestSectionRangeAndParts(t *testing.T) {
	for _, words := range []int{MinWords, 1000, 2500, MaxWords} {
		lo, hi := sectionRange(words)
		if lo < MinSections || hi > MaxSections || lo > hi {
			t.Errorf("sectionRange(%d) = %d, %d", words, lo, hi)
		}
	}
	o := &Outline{Title: "T", Intro: []string{"i"}, Sections: []OutlineSection{
		{Heading: "A", Points: []string{"a"}},
		{Heading: "B", Points: []string{"b"}, Subsections: []OutlineSubsection{{Heading: "B1", Points: []string{"b1"}}, {Heading: "B2", Points: []string{"b2"}}}},
	}}
	parts := planParts(o, MaxWords)
	if len(parts) != 4 || parts[2].Parent != "B" || strings.Join(parts[2].Points, ",") != "b,b1" || parts[0].Words != MaxPartWords {
		t.Errorf("planParts = %+v", parts)
	}
}
