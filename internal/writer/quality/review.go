package quality

import (
	"fmt"
	"strings"
)

// RuleReview is the model reviewer's verdict on each section, after the
// last revision: it fails when a section still fails its review.
const RuleReview = "review"

// Review is the last verdict of the model reviewer on one section, with
// the problems it (and the automatic checks given to it) still found.
type Review struct {
	Section   int      `json:"section"` // index in Document.Sections
	Heading   string   `json:"heading,omitempty"`
	Pass      bool     `json:"pass"`
	Revisions int      `json:"revisions"` // revise passes made before this verdict
	Problems  []string `json:"problems,omitempty"`
}

// reviewRule lists the sections whose last review still fails, each with
// the reviewer's reasons. No reviews (an outline, a draft never reviewed),
// no rule.
func reviewRule(doc Document) []Rule {
	if len(doc.Reviews) == 0 {
		return nil
	}
	r := Rule{ID: RuleReview, Pass: true, Message: "every section passed its last review"}
	failed := 0
	for _, v := range doc.Reviews {
		if v.Pass {
			continue
		}
		failed++
		r.Pass = false
		name := fmt.Sprintf("section %d", v.Section)
		if v.Section >= 0 && v.Section < len(doc.Sections) {
			name = sectionName(v.Section, doc.Sections[v.Section])
		}
		reasons := "no reason given"
		if len(v.Problems) > 0 {
			reasons = strings.Join(v.Problems, "; ")
		}
		// Every failing section is listed (not capped at maxWhere): this is
		// the list of what the author must fix before publishing.
		r.Where = append(r.Where, fmt.Sprintf("%s after %d revision(s): %s", name, v.Revisions, reasons))
	}
	if !r.Pass {
		r.Message = fmt.Sprintf("%d section(s) still fail their last review", failed)
	}
	return []Rule{r}
}
