package prompts

import (
	"fmt"
	"strings"
	"testing"
)

type data struct {
	Topic, Lang, Audience, Tone, Notes, Brief string
	Words                                     int
	Keywords                                  []string
	MinSections, MaxSections                  int
	Title, Outline, Summary                   string
	IsIntro                                   bool
	Heading, Parent                           string
	Points                                    []string
	Index, Count, PartWords                   int
	Text, Error                               string
	Problems                                  []string
	MinDescription, MaxDescription            int
	Limits                                    Limits
	Sources                                   string
}

func TestEveryTemplateRenders(t *testing.T) {
	d := data{Topic: "Compost", Audience: "gardeners", Tone: "expert", Words: 800, Keywords: []string{"compost"},
		Notes: "my notes", Brief: "brief", MinSections: 3, MaxSections: 5, Title: "T", Outline: "# T",
		Summary: "- Intro: x", Heading: "H", Parent: "P", Points: []string{"a", "b"}, Index: 1, Count: 4,
		PartWords: 200, Text: "text", Error: "bad", Problems: []string{"p1"}, MinDescription: 120, MaxDescription: 156,
		Limits: Limits{TitleChars: 90, HeadingChars: 80, PointChars: 160, MinPoints: 1, Points: 4, IntroPoints: 3, Subsections: 3,
			MetaTitleChars: 70, MinExcerptChars: 40, ExcerptChars: 300, MinTags: 2, Tags: 6, TagChars: 30, Problems: 4, ProblemChars: 160}}
	names := []string{System, Brief, Outline, Section, Review, Revise, Metadata, Repair}
	for _, lang := range Languages {
		for _, name := range names {
			out, err := Render(lang, name, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, name, err)
			}
			if out == "" || strings.Contains(out, "<no value>") || strings.Contains(out, "\n\n\n") || out != strings.TrimSpace(out) {
				t.Errorf("%s/%s renders badly:\n%s", lang, name, out)
			}
		}
	}
	sec, _ := Render("en", Section, d)
	for _, want := range []string{`the section "H" (part of "P"), part 2 of 4`, "about 200 words", "Cover these points: a; b.", "Already written"} {
		if !strings.Contains(sec, want) {
			t.Errorf("section prompt lacks %q:\n%s", want, sec)
		}
	}
	d.Sources = "[7] (Notes) Compost needs air."
	for _, lang := range Languages {
		for _, name := range []string{Outline, Section, Revise} {
			out, err := Render(lang, name, d)
			if err != nil || !strings.Contains(out, d.Sources) || (name == Section && !strings.Contains(out, "[3]")) {
				t.Errorf("%s/%s with sources (err %v):\n%s", lang, name, err, out)
			}
		}
	}
	if _, err := Render("de", System, d); err == nil {
		t.Error("unsupported language rendered")
	}
	if _, err := Render("en", "nope", d); err == nil {
		t.Error("unknown template rendered")
	}
	if _, err := Render("en", Brief, struct{ Topic string }{"x"}); err == nil {
		t.Error("missing field rendered")
	}
}

func TestLanguagesHaveTheSameTemplates(t *testing.T) {
	en, _ := files.ReadDir("en")
	fr, _ := files.ReadDir("fr")
	if len(en) != len(fr) {
		t.Fatalf("en has %d templates, fr %d", len(en), len(fr))
	}
	for i := range en {
		if en[i].Name() != fr[i].Name() {
			t.Errorf("template %s vs %s", en[i].Name(), fr[i].Name())
		}
	}
}

func ExampleRender() {
	out, _ := Render("fr", Repair, map[string]any{"Error": "JSON invalide", "Text": "{"})
	fmt.Println(out)
	// Output:
	// Ta réponse précédente n'est pas valide : JSON invalide.
	// Réponds à nouveau uniquement en JSON, valide selon le schéma demandé, en corrigeant ce problème.
	// Réponse précédente :
	// {
}
