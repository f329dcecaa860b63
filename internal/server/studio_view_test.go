package server

import (
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
// sentences and headings they point at, and nothing else.
func TestPartViewsFlags(t *testing.T) {
	parts := []writer.Part{
		{Level: 0, Text: "Short one. A very long sentence that goes on.", Drafted: true},
		{Level: 2, Heading: "Worms", Text: "Worms eat. Fine.", Drafted: true},
		{Level: 2, Heading: "Not yet", Drafted: false},
	}
	m := &writer.Manifest{Confidence: []writer.SentenceConfidence{
		{Part: 0, Sentence: "Short one.", Confidence: 0.9},
		{Part: 0, Sentence: "A very long sentence that goes on.", Confidence: 0.5},
		{Part: 1, Sentence: "Worms eat.", Confidence: 0.7},
		{Part: 1, Sentence: "Fine.", Confidence: 0.2},
	}}
	rules := []ruleView{
		{ID: "sentence-length", Where: []string{"A very long sentence that goes on."}},
		{ID: "section-length", Where: []string{`section "Worms" (12 words)`}},
		{ID: "readability", Pass: true, Where: []string{"Fine."}}, // passing: never highlighted
	}
	views := partViews(parts, m, rules)
	if len(views) != 2 {
		t.Fatalf("%d parts, want the 2 drafted", len(views))
	}
	want := [][]struct{ class, rules string }{
		{{"conf-high", ""}, {"conf-low", "sentence-length"}},
		{{"conf-mid", ""}, {"conf-vlow", ""}},
	}
	for i, v := range views {
		for j, s := range v.Sentences {
			if s.Class != want[i][j].class || s.Rules != want[i][j].rules {
				t.Errorf("part %d sentence %d %q: %s %q, want %s %q", i, j, s.Text, s.Class, s.Rules, want[i][j].class, want[i][j].rules)
			}
		}
	}
	if views[1].HeadingRules != "section-length" || views[0].HeadingRules != "" {
		t.Errorf("heading flags: %q %q", views[0].HeadingRules, views[1].HeadingRules)
	}
}
