package writer

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/plumewriter/plume/internal/writer/prompts"
)

// sharedWords are words of the English prompts that are French words too
// (or names that stay as they are in French: formats, heading levels, the
// JSON literal true).
var sharedWords = map[string]bool{
	"a": true, "article": true, "blog": true, "brief": true, "expert": true, "introduction": true,
	"section": true, "sections": true, "points": true, "json": true, "markdown": true, "h2": true, "h3": true,
	"true": true, "x": true, "sources": true, "articles": true, "question": true, "angle": true,
	"point": true, "phrase": true, "conclusion": true, "notes": true, "description": true, "six": true,
}

// jsonKeyQuote matches a JSON key named in a French prompt (« title »): the
// schema's keys are English in every language.
var jsonKeyQuote = regexp.MustCompile(`« [a-z_]+ »`)

func promptWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(jsonKeyQuote.ReplaceAllString(s, "")), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// promptCases are runs whose prompts cover every template branch: with and
// without keywords, notes, summary and problems; the introduction, an H2
// section and an H3 subsection.
func promptCases(lang, tone string, userText string) []*run {
	var out []*run
	for _, full := range []bool{false, true} {
		o := Options{Topic: userText, Lang: lang, Tone: tone, Audience: DefaultAudience(lang), Words: 800}
		if full {
			o.Keywords, o.Notes = []string{userText}, userText
		}
		st := &State{Options: o, Brief: userText,
			Outline: &Outline{Title: userText, Intro: []string{userText},
				Sections: []OutlineSection{{Heading: userText, Points: []string{userText}}}},
			Parts: []Part{
				{Level: 0, Points: []string{userText}, Words: 200, Text: userText, Drafted: true},
				{Level: 2, Heading: userText, Points: []string{userText}, Words: 200, Text: userText, Drafted: full},
				{Level: 3, Heading: userText, Parent: userText, Points: []string{userText}, Words: 200, Text: userText},
			}}
		if full {
			st.Parts[2].Problems = []string{phrase(lang, phraseEmptySection), phrase(lang, phraseLongSection, 400, 350),
				phrase(lang, phraseLongSentence, userText), phrase(lang, phraseRepeatedPhrase, `"`+userText+`"`),
				phrase(lang, phraseBelowStandard)}
		}
		out = append(out, &run{p: &Pipeline{}, st: st})
	}
	return out
}

// renderAll renders every template of every prompt case for each part.
func renderAll(t *testing.T, lang, tone, userText string) []string {
	t.Helper()
	var out []string
	names := []string{prompts.Brief, prompts.Outline, prompts.Section, prompts.Review, prompts.Revise, prompts.Metadata}
	for _, r := range promptCases(lang, tone, userText) {
		for i := range r.st.Parts {
			for _, name := range names {
				d := r.data(cuttable{Notes: r.st.Options.Notes, Summary: r.summary(i)})
				r.partData(i, r.st.Parts[i].Text)(&d)
				d.MinDescription, d.MaxDescription = 120, 156
				msgs, err := r.messages(name, d)
				if err != nil {
					t.Fatalf("%s/%s: %v", lang, name, err)
				}
				for _, m := range msgs {
					out = append(out, m.Content)
				}
			}
		}
	}
	// The repair prompt quotes the validator's error, which is not
	// translated; the template's own words are checked.
	repair, err := prompts.Render(lang, prompts.Repair, map[string]any{"Error": userText, "Text": userText})
	if err != nil {
		t.Fatal(err)
	}
	return append(out, repair)
}

// TestFrenchPromptsHaveNoEnglishWord renders every French template with
// every tone and every optional part, and rejects any word of the English
// prompts (rendered the same way) that is not also French.
func TestFrenchPromptsHaveNoEnglishWord(t *testing.T) {
	english := map[string]bool{}
	for _, tone := range Tones {
		for _, p := range renderAll(t, "en", tone, "x") {
			for _, w := range promptWords(p) {
				if !sharedWords[w] && !strings.ContainsAny(w, "0123456789") {
					english[w] = true
				}
			}
		}
	}
	if len(english) < 100 {
		t.Fatalf("only %d English words collected: the oracle is too small to catch anything", len(english))
	}
	for _, tone := range Tones {
		t.Run(tone, func(t *testing.T) {
			for _, p := range renderAll(t, "fr", tone, "x") {
				var found []string
				for _, w := range promptWords(p) {
					if english[w] && !slices.Contains(found, w) {
						found = append(found, w)
					}
				}
				if len(found) > 0 {
					t.Errorf("English words %q in a French prompt:\n%s", found, p)
				}
			}
		})
	}
}

func TestPhrasesCoverLanguages(t *testing.T) {
	for _, lang := range prompts.Languages {
		for key := range phrases["en"] {
			if phrases[lang][key] == "" {
				t.Errorf("phrase %q has no %s version", key, lang)
			}
		}
		for _, tone := range Tones {
			if toneNames[lang][tone] == "" {
				t.Errorf("tone %q has no %s name", tone, lang)
			}
		}
	}
}
