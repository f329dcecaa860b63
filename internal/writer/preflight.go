package writer

import (
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/writer/prompts"
)

// preflight checks that the context window holds every step of the plan
// with its smallest inputs (no notes, no summary) and its smallest answer
// budget: those are cut to fit later, with a warning. Steps not yet run are
// estimated: the brief takes at most BriefMaxTokens and the outline text,
// rendered without JSON syntax, at most its smallest budget
// (OutlineMinTokens), since the outline step caps its budget to leave room
// for drafting.
func (r *run) preflight() error {
	window := contextLength(r.p.Gen)
	type need struct {
		step   string
		tokens int
	}
	var needs []need
	base := func(name string, tweak func(*promptData)) (int, error) {
		d := r.data(cuttable{})
		if tweak != nil {
			tweak(&d)
		}
		msgs, err := r.messages(name, d)
		if err != nil {
			return 0, err
		}
		return countMessages(r.p.Gen, msgs)
	}
	briefEst := 0
	if r.st.Brief == "" {
		briefEst = BriefMaxTokens
	}
	outlineEst := 0
	if r.st.Outline == nil {
		outlineEst = OutlineMinTokens // the outline step sizes itself to leave room for drafting
	}
	for _, s := range []struct {
		name       string
		extra, out int
	}{
		{prompts.Brief, 0, BriefMaxTokens / 2},
		{prompts.Outline, briefEst, OutlineMinTokens},
		{prompts.Section, briefEst + outlineEst, MinGenTokens},
		{prompts.Review, briefEst + MaxPartWords*TokensPerWord, ReviewMinTokens},
		{prompts.Metadata, MetadataExcerptChars / 2, MetadataMinTokens},
	} {
		n, err := base(s.name, func(d *promptData) { d.Points = []string{"…"}; d.Problems = nil })
		if err != nil {
			return fmt.Errorf("preflight: %w", err)
		}
		needs = append(needs, need{s.name, n + s.extra + s.out})
	}
	var over []string
	most := 0
	for _, n := range needs {
		most = max(most, n.tokens)
		if n.tokens > window {
			over = append(over, fmt.Sprintf("%s ≈%d", n.step, n.tokens))
		}
	}
	if len(over) > 0 {
		return fmt.Errorf("%w: %s is %d tokens but the plan needs about %d (%s); use a model with a larger context",
			ErrContext, r.windowName(), window, most, strings.Join(over, ", "))
	}
	return nil
}

// sectionBaseTokens is the size of a drafting prompt without outline,
// summary or notes: what every drafting call needs besides the outline.
func (r *run) sectionBaseTokens() (int, error) {
	d := r.data(cuttable{})
	d.Outline, d.Points = "", []string{"…"}
	msgs, err := r.messages(prompts.Section, d)
	if err != nil {
		return 0, err
	}
	return countMessages(r.p.Gen, msgs)
}
