package writer

import (
	"context"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/writer/prompts"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// SummaryLineChars caps each line of the running summary (one line per
// written part: its heading and its first sentence).
const SummaryLineChars = 200

// draft writes every part not yet drafted, streaming it, and checkpoints
// after each one: that is the unit a resumed run restarts from.
func (r *run) draft(ctx context.Context) error {
	for i := range r.st.Parts {
		if r.st.Parts[i].Drafted {
			continue
		}
		part := &r.st.Parts[i]
		r.emit(Event{Type: EventStage, Stage: StageDraft, Part: i + 1, Parts: len(r.st.Parts), Heading: part.Heading})
		offered, err := r.partPassages(i)
		if err != nil {
			return fmt.Errorf("%s: %w", StageDraft, err)
		}
		msgs, n, err := r.prepare(prompts.Section, cuttable{Summary: r.summary(i), Notes: r.st.Options.Notes, Passages: offered},
			part.Words*TokensPerWord+PartTokenMargin, MinGenTokens, false, r.partData(i, ""))
		if err != nil {
			return err
		}
		r.recordGiven(i, msgs, offered)
		if r.p.Stream != nil {
			fmt.Fprint(r.p.Stream, "\n", partTitle(part), "\n\n")
		}
		res, err := r.call(ctx, callSpec{Stage: StageDraft, Part: i, Messages: msgs, Max: n, Stream: true, Logprobs: true})
		if err != nil {
			return err
		}
		if r.p.Stream != nil {
			fmt.Fprintln(r.p.Stream)
		}
		part.Text = cleanText(res.Text)
		if res.FinishReason == "length" {
			part.Text = r.budgetCut(StageDraft, i, part.Text, n)
		}
		part.Drafted = true
		if err := r.checkpoint(ctx); err != nil {
			return err
		}
		r.emit(Event{Type: EventPart, Stage: StageDraft, Part: i + 1, Parts: len(r.st.Parts), Heading: part.Heading})
	}
	return nil
}

func partTitle(p *Part) string {
	switch {
	case p.Level == 0:
		return "—"
	case p.Parent != "":
		return "## " + p.Parent + " / " + p.Heading
	}
	return "## " + p.Heading
}

// partData fills the template fields of part i (and the text to review).
func (r *run) partData(i int, text string) func(*promptData) {
	p := r.st.Parts[i]
	return func(d *promptData) {
		d.IsIntro = p.Level == 0
		d.Heading, d.Parent, d.Points = p.Heading, p.Parent, p.Points
		d.Index, d.Count, d.PartWords = i, len(r.st.Parts), p.Words
		d.Text = text
		d.Problems = p.Problems
	}
}

// summary is the running summary given to part i: one line per other
// drafted part, its heading and its first sentence. It is extractive (no
// extra model call), so it is exact and deterministic.
func (r *run) summary(i int) string {
	var lines []string
	for j, p := range r.st.Parts {
		if j == i || !p.Drafted {
			continue
		}
		first := ""
		if paras := quality.Paragraphs(p.Text); len(paras) > 0 {
			if s := quality.Sentences(paras[0]); len(s) > 0 {
				first = s[0]
			}
		}
		head := p.Heading
		if p.Level == 0 {
			head = "Introduction"
		}
		lines = append(lines, cutRunes("- "+head+": "+first, SummaryLineChars))
	}
	return strings.Join(lines, "\n")
}

// cleanText trims a drafted text, drops Markdown heading lines (headings
// come from the outline) and collapses runs of blank lines.
func cleanText(s string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		t := strings.TrimRight(line, " \t")
		if strings.HasPrefix(strings.TrimSpace(t), "#") {
			continue
		}
		if strings.TrimSpace(t) == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
			out = append(out, "")
			continue
		}
		blank = false
		out = append(out, t)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// outlineText renders the outline for prompts and for --outline-only.
func outlineText(o *Outline) string {
	var b strings.Builder
	b.WriteString("# " + o.Title + "\n")
	for _, p := range o.Intro {
		b.WriteString("- " + p + "\n")
	}
	for _, s := range o.Sections {
		b.WriteString("## " + s.Heading + "\n")
		for _, p := range s.Points {
			b.WriteString("- " + p + "\n")
		}
		for _, sub := range s.Subsections {
			b.WriteString("### " + sub.Heading + "\n")
			for _, p := range sub.Points {
				b.WriteString("- " + p + "\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// OutlineMarkdown renders the outline of st as Markdown (for --outline-only).
func OutlineMarkdown(st *State) string {
	if st.Outline == nil {
		return ""
	}
	return outlineText(st.Outline) + "\n"
}
