package quality

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestScoreKnownTexts(t *testing.T) {
	tests := []struct {
		name, lang, text string
		want             Readability
	}{
		// 9 words, 2 sentences, 10 syllables:
		// 206.835 − 1.015·4.5 − 84.6·10/9 = 108.2675
		{"english", "en", "The cat sat on the mat. It was happy.",
			Readability{Formula: "flesch", Score: 108.27, Words: 9, Sentences: 2, Syllables: 10}},
		// le chat dort (3) / il aime la mai-son (5): 7 words, 2 sentences, 8 syllables:
		// 207 − 1.015·3.5 − 73.6·8/7 = 119.3332
		{"french", "fr", "Le chat dort. Il aime la maison.",
			Readability{Formula: "kandel-moles", Score: 119.33, Words: 7, Sentences: 2, Syllables: 8}},
		// 12 words, 1 sentence; syllables 1+4+1+1+3+2+1+1+1+5+2+1 = 23 (education, readability):
		// 206.835 − 1.015·12 − 84.6·23/12 = 32.5
		{"english hard", "en", "The education of the computer writer is a readability problem for all.",
			Readability{Formula: "flesch", Score: 32.5, Words: 12, Sentences: 1, Syllables: 23}},
		{"empty", "en", "", Readability{Formula: "flesch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sents []string
			for _, p := range Paragraphs(tt.text) {
				sents = append(sents, Sentences(p)...)
			}
			if got := Score(tt.lang, sents); got != tt.want {
				t.Errorf("Score = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two! Three?", []string{"One.", "Two!", "Three?"}},
		{"Dr. Smith met J. Doe, e.g. here. Then left.", []string{"Dr. Smith met J. Doe, e.g. here.", "Then left."}},
		{`He said "stop." She went.`, []string{`He said "stop."`, "She went."}},
		{"Version 3.5 is out. Bien… Voilà", []string{"Version 3.5 is out.", "Bien…", "Voilà"}},
		{"- first item\n- second item", []string{"first item", "second item"}},
		{"A **bold** [link](http://x.y/z). End", []string{"A bold link.", "End"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Sentences(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWords(t *testing.T) {
	got := Words("L'homme, well-known — costs 3.5 euros; aujourd’hui!")
	want := []string{"L'homme", "well-known", "costs", "3.5", "euros", "aujourd’hui"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

func ruleByID(rep Report, id string) (Rule, bool) {
	for _, r := range rep.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

func TestRules(t *testing.T) {
	long := strings.Repeat("Short words here now. ", 90) // 360 words
	longSentence := strings.Repeat("word ", 40) + "end."
	doc := Document{
		Lang:        "en",
		Title:       "Growing tomatoes at home",
		Description: strings.Repeat("x", 119),
		Keywords:    []string{"tomatoes", "compost"},
		Sections: []Section{
			{Level: 0, Text: "Tomatoes love the sun and they need water every day."},
			{Level: 2, Heading: "Soil", Text: "Good soil matters. " + longSentence},
			{Level: 2, Heading: "Watering tomatoes", Text: "They need water every day in summer."},
			{Level: 2, Heading: "Long part", Text: long},
		},
	}
	rep := Analyze(doc)
	want := map[string]bool{
		RuleReadability: true, RuleSentenceLength: false, RuleParagraphLength: false,
		RuleSectionLength: false, RuleRepeatedNgrams: false, RuleMetaDescription: false,
		RuleKeywordTitle: false, RuleKeywordIntro: false, RuleKeywordHeadings: false,
	}
	for id, pass := range want {
		r, ok := ruleByID(rep, id)
		if !ok {
			t.Errorf("rule %s missing", id)
			continue
		}
		if r.Pass != pass {
			t.Errorf("rule %s pass = %v, want %v (%s %q)", id, r.Pass, pass, r.Message, r.Where)
		}
	}
	sec, _ := ruleByID(rep, RuleSectionLength)
	if len(sec.Where) != 1 || !strings.Contains(sec.Where[0], `"Long part" (360 words)`) {
		t.Errorf("section-length where = %q", sec.Where)
	}
	rep1, _ := ruleByID(rep, RuleRepeatedNgrams)
	if len(rep1.Where) == 0 || rep1.Where[0] != `"they need water every day" in sections 0, 2` {
		t.Errorf("repeated-ngrams where = %q", rep1.Where)
	}
	kw, _ := ruleByID(rep, RuleKeywordIntro)
	if !reflect.DeepEqual(kw.Where, []string{"compost"}) {
		t.Errorf("keyword-intro where = %q", kw.Where)
	}
	sl, _ := ruleByID(rep, RuleSentenceLength)
	if len(sl.Where) != 1 || !strings.HasPrefix(sl.Where[0], "word word") {
		t.Errorf("sentence-length where = %q", sl.Where)
	}
	if got := rep.SectionWords; !reflect.DeepEqual(got, []int{10, 44, 7, 360}) {
		t.Errorf("section words = %v", got)
	}
	doc.Description = strings.Repeat("y", 140)
	if r, _ := ruleByID(Analyze(doc), RuleMetaDescription); !r.Pass {
		t.Errorf("140-char description fails: %s", r.Message)
	}
}

func TestDistribution(t *testing.T) {
	got := distribution([]int{5, 1, 9, 3, 7, 2, 8, 4, 6, 10})
	want := Distribution{Count: 10, Min: 1, Max: 10, Mean: 5.5, Median: 5, P90: 9}
	if got != want {
		t.Errorf("distribution = %+v, want %+v", got, want)
	}
	if d := distribution(nil); d != (Distribution{}) {
		t.Errorf("empty distribution = %+v", d)
	}
}

func FuzzAnalyze(f *testing.F) {
	f.Add("Hello world. This is fine!", "en")
	f.Add("# T\n\n- a\n- b\n\nC'est l'été… «Oui.»", "fr")
	f.Fuzz(func(t *testing.T, text, lang string) {
		rep := Analyze(Document{Lang: lang, Sections: []Section{{Text: text}, {Level: 2, Heading: "h", Text: text}}})
		if rep.Readability.Words < 0 || len(rep.SectionWords) != 2 {
			t.Fatalf("bad report %+v", rep)
		}
	})
}

func ExampleAnalyze() {
	rep := Analyze(Document{
		Lang:        "fr",
		Title:       "Le chat",
		Description: "Un chat.",
		Sections:    []Section{{Text: "Le chat dort. Il aime la maison."}},
	})
	fmt.Println(rep.Readability.Formula, rep.Readability.Score)
	for _, r := range rep.Failed() {
		fmt.Println("fail:", r.ID, "-", r.Message)
	}
	// Output:
	// kandel-moles 119.33
	// fail: meta-description - meta description is 8 characters (120–156 wanted)
}
