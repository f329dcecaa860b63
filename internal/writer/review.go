package writer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/plumewriter/plume/internal/writer/prompts"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// reviewAttemptStride separates the seeds of successive review passes of
// one part (repair attempts use the numbers in between).
const reviewAttemptStride = 10

// review checks each drafted part (automatic rules + a model review under
// ReviewSchema) and revises the failing ones, up to Options.MaxRevise passes;
// it checkpoints after each part.
func (r *run) review(ctx context.Context) error {
	for i := range r.st.Parts {
		if r.st.Parts[i].Reviewed {
			continue
		}
		r.emit(Event{Type: EventStage, Stage: StageReview, Part: i + 1, Parts: len(r.st.Parts), Heading: r.st.Parts[i].Heading})
		if err := r.reviewPart(ctx, i); err != nil {
			return err
		}
		r.st.Parts[i].Reviewed = true
		if err := r.checkpoint(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) reviewPart(ctx context.Context, i int) error {
	var conv []Message // the revision the next review reads, and its conversation (see followup.go)
	for pass := 0; ; pass++ {
		part := &r.st.Parts[i]
		part.Problems = r.autoProblems(i)
		msgs, n, sch, err := r.reviewPrompt(i, conv)
		if err != nil {
			return err
		}
		var v Verdict
		spec := callSpec{Stage: StageReview, Part: i, Messages: msgs, Max: n, Schema: sch}
		spec.Attempt = pass * reviewAttemptStride
		if err := r.structured(ctx, spec, &v, nil); err != nil {
			return err
		}
		part.Verdict = &v
		for _, p := range v.Problems {
			if p = oneLine(p); p != "" && !contains(part.Problems, p) {
				part.Problems = append(part.Problems, p)
			}
		}
		if !v.Pass && len(part.Problems) == 0 {
			part.Problems = append(part.Problems, phrase(r.st.Options.Lang, phraseBelowStandard))
		}
		if len(part.Problems) == 0 || pass >= r.st.Options.MaxRevise {
			return nil
		}
		if conv, err = r.reviseAfter(ctx, i, pass, r.answered()); err != nil {
			return err
		}
	}
}

// revise rewrites part i to fix its problems, the text quoted.
func (r *run) revise(ctx context.Context, i, pass int) error {
	_, err := r.reviseAfter(ctx, i, pass, nil)
	return err
}

// reviseAfter rewrites part i to fix its problems, as the next turn of the
// review conversation prior when it fits whole (nil or too long: on its
// own, the text quoted). It returns the conversation with the rewrite as
// the assistant's turn, for the review that reads it (nil when the model
// returned nothing and the part keeps its text).
func (r *run) reviseAfter(ctx context.Context, i, pass int, prior []Message) ([]Message, error) {
	part := &r.st.Parts[i]
	c, n := cuttable{Summary: r.summary(i), Passages: r.givenPassages(i)}, part.Words*TokensPerWord+PartTokenMargin
	var msgs []Message
	ok := false
	var err error
	if prior != nil {
		if msgs, ok, err = r.followUp(prior, prompts.Revise, c, n, r.partData(i, part.Text)); err != nil {
			return nil, err
		}
	}
	if !ok {
		if msgs, n, err = r.prepare(prompts.Revise, c, n, MinGenTokens, false, r.partData(i, part.Text)); err != nil {
			return nil, err
		}
	}
	r.emit(Event{Type: EventStage, Stage: StageRevise, Part: i + 1, Parts: len(r.st.Parts), Heading: part.Heading,
		Message: strings.Join(part.Problems, "; ")})
	res, err := r.call(ctx, callSpec{Stage: StageRevise, Part: i, Attempt: pass, Messages: msgs, Max: n, Logprobs: true})
	if err != nil {
		return nil, err
	}
	text := cleanText(res.Text)
	if res.FinishReason == "length" && text != "" {
		text = r.budgetCut(StageRevise, i, text, n)
	}
	part.Revisions++
	if text == "" {
		r.warn(fmt.Sprintf("revise: part %d: the model returned nothing; keeping the draft", i+1))
		return nil, nil
	}
	part.Text = text
	content := rewriteTurn(res.Text, text)
	turn := Message{Role: "assistant", Content: content, Tokens: turnIDs(res, len(content))}
	return append(slices.Clip(msgs), turn), nil
}

// autoProblems applies the deterministic rules to part i: length under the
// subheading rule, no empty text, no overlong sentence, no phrase repeated
// from an earlier part.
func (r *run) autoProblems(i int) []string {
	p, lang := r.st.Parts[i], r.st.Options.Lang
	var probs []string
	words := len(quality.Words(p.Text))
	switch {
	case words == 0:
		return []string{phrase(lang, phraseEmptySection)}
	case words > quality.MaxSectionWords:
		probs = append(probs, phrase(lang, phraseLongSection, words, quality.MaxSectionWords))
	}
	for _, para := range quality.Paragraphs(p.Text) {
		for _, s := range quality.Sentences(para) {
			if len(quality.Words(s)) > quality.MaxSentenceWords {
				probs = append(probs, phrase(lang, phraseLongSentence, cutRunes(s, 120)))
				break
			}
		}
	}
	var secs []quality.Section
	for j := 0; j <= i; j++ {
		secs = append(secs, quality.Section{Level: r.st.Parts[j].Level, Text: r.st.Parts[j].Text})
	}
	rule := quality.RepeatedNgrams(secs, quality.RepeatN)
	suffix := fmt.Sprintf(", %d", i)
	for _, w := range rule.Where {
		if strings.HasSuffix(w, suffix) {
			probs = append(probs, phrase(lang, phraseRepeatedPhrase, strings.SplitN(w, " in sections", 2)[0]))
		}
	}
	return probs
}

// partReview is the quality report's record of part p's last review: it
// passes when neither the reviewer nor the automatic checks found a problem
// (a "pass": false without a reason counts as a problem, see reviewPart).
func partReview(section int, heading string, p Part) quality.Review {
	return quality.Review{Section: section, Heading: heading, Pass: len(p.Problems) == 0,
		Revisions: p.Revisions, Problems: p.Problems}
}
