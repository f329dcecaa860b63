package writer

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/fakegen"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// TestReviewAfterRevisionIsReported: the review that follows a revision is
// a model call like any other; its verdict is kept with the part and the
// sections that still fail are listed in the quality report (and so in the
// manifest) with the reviewer's reasons (#18 item 4).
func TestReviewAfterRevisionIsReported(t *testing.T) {
	for _, tc := range []struct {
		name       string
		secondPass bool // the review after the revision passes
	}{
		{"still failing", false},
		{"fixed by the revision", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
				switch stageOf(req) {
				case StageReview:
					if strings.Contains(conversation(req), "REVISED") {
						if tc.secondPass {
							return `{"pass":true,"problems":[]}`, true
						}
						return `{"pass":false,"problems":["still vague after the revision"]}`, true
					}
					return `{"pass":false,"problems":["too vague"]}`, true
				case StageRevise:
					return fmt.Sprintf("REVISED answer %d.", n), true // unique: no phrase repeated across parts
				}
				return "", false
			}}
			art, _ := runArticle(t, g, testOptions("How to make compost at home"))
			parts := len(art.State.Parts)
			reviews := 0
			for _, c := range art.Manifest.Calls {
				if c.Stage == StageReview {
					reviews++
				}
			}
			if reviews != 2*parts {
				t.Errorf("manifest records %d review calls, want 2 per part (%d)", reviews, 2*parts)
			}
			for i, p := range art.State.Parts {
				if p.Verdict == nil || p.Verdict.Pass != tc.secondPass {
					t.Errorf("part %d: verdict %+v, want the second review's (pass %v)", i, p.Verdict, tc.secondPass)
				}
			}
			q := art.Manifest.Quality
			if len(q.Reviews) != parts {
				t.Fatalf("quality report has %d reviews, want %d", len(q.Reviews), parts)
			}
			var rule *quality.Rule
			for i := range q.Rules {
				if q.Rules[i].ID == quality.RuleReview {
					rule = &q.Rules[i]
				}
			}
			if rule == nil {
				t.Fatalf("no %q rule in %+v", quality.RuleReview, q.Rules)
			}
			if rule.Pass != tc.secondPass {
				t.Errorf("review rule pass = %v, want %v", rule.Pass, tc.secondPass)
			}
			if tc.secondPass {
				if len(rule.Where) != 0 {
					t.Errorf("passing review rule lists %q", rule.Where)
				}
				return
			}
			if len(rule.Where) != parts {
				t.Fatalf("review rule lists %d sections, want all %d: %q", len(rule.Where), parts, rule.Where)
			}
			for i, w := range rule.Where {
				if !strings.Contains(w, "still vague after the revision") || !strings.Contains(w, "1 revision") {
					t.Errorf("where[%d] = %q, want the reviewer's reason after 1 revision", i, w)
				}
				if strings.Contains(w, "too vague") {
					t.Errorf("where[%d] = %q reports the first review, not the last", i, w)
				}
			}
			b, err := art.Manifest.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Quality struct {
					Reviews []quality.Review `json:"reviews"`
				} `json:"quality"`
			}
			if err := json.Unmarshal(b, &m); err != nil || len(m.Quality.Reviews) != parts || m.Quality.Reviews[0].Pass {
				t.Errorf("manifest quality.reviews = %+v (%v)", m.Quality.Reviews, err)
			}
		})
	}
}
