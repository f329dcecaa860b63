package quality

import (
	"strings"
	"testing"
)

func TestReviewRule(t *testing.T) {
	doc := Document{Lang: "en", Sections: []Section{
		{Level: 0, Text: "Intro text."},
		{Level: 2, Heading: "Soil", Text: "Soil text."},
		{Level: 2, Heading: "Water", Text: "Water text."},
	}}
	for _, tc := range []struct {
		name      string
		reviews   []Review
		wantRule  bool
		wantPass  bool
		wantWhere []string
	}{
		{"no review, no rule", nil, false, false, nil},
		{"all pass", []Review{{Section: 0, Pass: true}, {Section: 1, Pass: true}}, true, true, nil},
		{"one fails with reasons", []Review{{Section: 0, Pass: true}, {Section: 1, Pass: false, Revisions: 1, Problems: []string{"vague", "too long"}}},
			true, false, []string{`section 1 "Soil" after 1 revision(s): vague; too long`}},
		{"fails without reason", []Review{{Section: 2, Pass: false}}, true, false, []string{`section 2 "Water" after 0 revision(s): no reason given`}},
		{"every failing section listed", []Review{{Section: 0}, {Section: 1}, {Section: 2}, {Section: 0}, {Section: 1}, {Section: 2}},
			true, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := doc
			d.Reviews = tc.reviews
			rep := Analyze(d)
			var got *Rule
			for i := range rep.Rules {
				if rep.Rules[i].ID == RuleReview {
					got = &rep.Rules[i]
				}
			}
			if (got != nil) != tc.wantRule {
				t.Fatalf("review rule present = %v, want %v", got != nil, tc.wantRule)
			}
			if got == nil {
				return
			}
			if got.Pass != tc.wantPass {
				t.Errorf("pass = %v, want %v", got.Pass, tc.wantPass)
			}
			if tc.wantWhere != nil && strings.Join(got.Where, "|") != strings.Join(tc.wantWhere, "|") {
				t.Errorf("where = %q, want %q", got.Where, tc.wantWhere)
			}
			failing := 0
			for _, r := range tc.reviews {
				if !r.Pass {
					failing++
				}
			}
			if len(got.Where) != failing {
				t.Errorf("where lists %d sections, want %d", len(got.Where), failing)
			}
			if len(rep.Reviews) != len(tc.reviews) {
				t.Errorf("report keeps %d reviews, want %d", len(rep.Reviews), len(tc.reviews))
			}
		})
	}
}
