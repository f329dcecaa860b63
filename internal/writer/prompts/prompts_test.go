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
	FollowUp                                  bool
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

// TestFollowUpPrompts: a review or revise that follows the call before it
// in one conversation (FollowUp) asks the same question without quoting
// the text (it is above) and, for the review, without the brief (above
// too); on its own, each quotes the text.
func TestFollowUpPrompts(t *testing.T) {
	d := data{Tone: "expert", Brief: "THE BRIEF", Title: "T", Heading: "H", Points: []string{"a"}, PartWords: 200,
		Text: "THE SECTION TEXT", Problems: []string{"too vague"}, Limits: Limits{Problems: 4, ProblemChars: 160}}
	above := map[string]string{"en": "Text: your rewrite above.", "fr": "Texte : ta réécriture ci-dessus."}
	for _, lang := range Languages {
		for _, name := range []string{Review, Revise} {
			alone, err := Render(lang, name, d)
			if err != nil {
				t.Fatal(err)
			}
			f := d
			f.FollowUp = true
			follow, err := Render(lang, name, f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(alone, d.Text) || strings.Contains(follow, d.Text) || !strings.Contains(follow, "too vague") {
				t.Errorf("%s/%s: the text is not quoted on its own or is quoted in a follow-up:\n%s\n---\n%s", lang, name, alone, follow)
			}
			if name != Review {
				continue
			}
			// The same question: the rules line and the answer's format.
			_, rest, _ := strings.Cut(alone, "\n")
			rules, _, _ := strings.Cut(rest, "\n")
			answer := alone[strings.LastIndex(alone, "\n\n"):]
			if !strings.HasPrefix(alone, "Brief") || strings.Contains(follow, d.Brief) || !strings.HasPrefix(follow, rules+"\n") ||
				!strings.HasSuffix(follow, above[lang]+answer) {
				t.Errorf("%s/%s follow-up:\n%s\nwant the question of\n%s", lang, name, follow, alone)
			}
		}
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
