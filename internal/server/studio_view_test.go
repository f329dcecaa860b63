package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/writer"
)

func TestConfidenceClass(t *testing.T) {
	for _, tc := range []struct {
		c    float64
		want string
	}{{1, "conf-high"}, {0.8, "conf-high"}, {0.79, "conf-mid"}, {0.6, "conf-mid"}, {0.45, "conf-low"}, {0.1, "conf-vlow"}, {0, "conf-vlow"}} {
		if got := confidenceClass(tc.c); got != tc.want {
			t.Errorf("confidence %v: %s, want %s", tc.c, got, tc.want)
		}
	}
}

// TestPartViewsFlags checks that a failing rule's excerpts highlight the
// sentences and headings they point at, and nothing else, and that the text
// shown is the part's own even where no confidence was recorded.
func TestPartViewsFlags(t *testing.T) {
	parts := []writer.Part{
		{Level: 0, Text: "Short one. A very long sentence that goes on. Unscored tail \"", Drafted: true},
		{Level: 2, Heading: "Worms", Text: "Worms eat worms eat. Fine.", Drafted: true},
		{Level: 2, Heading: "Not yet", Drafted: false},
	}
	m := &writer.Manifest{Confidence: []writer.SentenceConfidence{
		{Part: 0, Sentence: "Short one.", Confidence: 0.9},
		{Part: 0, Sentence: "A very long sentence that goes on.", Confidence: 0.5},
		{Part: 0, Sentence: "Not in the final text.", Confidence: 0.5},
		{Part: 1, Sentence: "Worms eat worms eat.", Confidence: 0.7},
		{Part: 1, Sentence: "Fine.", Confidence: 0.2},
	}}
	rules := []ruleView{
		{ID: "sentence-length", Where: []string{"A very long sentence that goes on."}},
		{ID: "section-length", Where: []string{`section "Worms" (12 words)`}},
		{ID: "readability", Pass: true, Where: []string{"Fine."}}, // passing: never highlighted
		{ID: "repeated-ngrams", Where: []string{`"worms eat worms" in sections 1, 2`}},
	}
	views := partViews(parts, m, rules)
	if len(views) != 2 {
		t.Fatalf("%d parts, want the 2 drafted", len(views))
	}
	type sv struct{ text, class, rules string }
	want := [][]sv{
		{{"Short one.", "conf-high", ""}, {"A very long sentence that goes on.", "conf-low", "sentence-length"}, {` Unscored tail "`, "", ""}},
		{{"Worms eat worms eat.", "conf-mid", "repeated-ngrams"}, {"Fine.", "conf-vlow", ""}},
	}
	for i, v := range views {
		var got []sv
		var text strings.Builder
		for _, s := range v.Sentences {
			got = append(got, sv{s.Text, s.Class, s.Rules})
			text.WriteString(s.Text + " ") // the template separates sentences with a space
		}
		if !slices.Equal(got, want[i]) {
			t.Errorf("part %d: %q, want %q", i, got, want[i])
		}
		if strings.Join(strings.Fields(text.String()), " ") != strings.Join(strings.Fields(parts[i].Text), " ") {
			t.Errorf("part %d shows %q, its text is %q", i, text.String(), parts[i].Text)
		}
	}
	if views[1].HeadingRules != "section-length" || views[0].HeadingRules != "" {
		t.Errorf("heading flags: %q %q", views[0].HeadingRules, views[1].HeadingRules)
	}
}
