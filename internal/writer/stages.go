package writer

import (
	"context"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/writer/prompts"
)

// Drafting size constants.
const (
	// TargetPartWords is the ideal length of one drafted part: comfortably
	// under the 350-word subheading rule.
	TargetPartWords = 250
	// MaxPartWords caps a part's target so that no section breaks the
	// subheading rule even when the outline has fewer parts than planned.
	MaxPartWords = 300
	// MinPartWords: a part shorter than this is not a section.
	MinPartWords = 60
)

// promptData is what the templates see.
type promptData struct {
	Topic, Lang, Audience, Tone, Notes, Brief string
	Words                                     int
	Keywords                                  []string
	MinSections, MaxSections                  int
	Title, Outline, Summary                   string
	IsIntro                                   bool
	Heading, Parent                           string
	Points                                    []string
	Index, Count, PartWords                   int
	Text                                      string
	Problems                                  []string
	MinDescription, MaxDescription            int
	Limits                                    prompts.Limits // of a structured answer
	Sources                                   string         // source passages, "[n] (source) text"
	// FollowUp: the prompt is a turn of a part's review → revise
	// conversation (see reviewPart), so the text it reads is above it.
	FollowUp bool
}

func (r *run) data(c cuttable) promptData {
	o := r.st.Options
	d := promptData{
		Topic: o.Topic, Lang: o.Lang, Audience: o.Audience, Tone: toneName(o.Lang, o.Tone), Notes: c.Notes,
		Brief: r.st.Brief, Words: o.Words, Keywords: o.Keywords, Summary: c.Summary,
		Sources: r.renderPassages(c.Passages),
	}
	d.MinSections, d.MaxSections = sectionRange(o.Words)
	if r.st.Outline != nil {
		d.Title = r.st.Outline.Title
		d.Outline = outlineText(r.st.Outline)
	}
	return d
}

// sectionRange is how many H2 sections the outline may have for a length.
func sectionRange(words int) (lo, hi int) {
	lo = (words + TargetPartWords - 1) / TargetPartWords / 2
	lo = max(MinSections, min(lo, MaxSections-2))
	hi = min(lo+3, MaxSections)
	return lo, hi
}

// messages renders the system prompt and the stage's user prompt.
func (r *run) messages(name string, d promptData) ([]Message, error) {
	sys, err := prompts.Render(d.Lang, prompts.System, d)
	if err != nil {
		return nil, err
	}
	user, err := prompts.Render(d.Lang, name, d)
	if err != nil {
		return nil, err
	}
	return []Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}, nil
}

// prepare fits a stage's prompt into the context and reports the cuts.
// Structured steps pass structured = true: their output budget is not
// reported as a cut, since the schema is sized to it (sizeSchema warns when
// that shrinks the limits).
func (r *run) prepare(name string, c cuttable, maxTokens, minTokens int, structured bool, tweak func(*promptData)) ([]Message, int, error) {
	msgs, n, cuts, err := fit(r.p.Gen, c, maxTokens, minTokens, structured, func(c cuttable) ([]Message, error) {
		d := r.data(c)
		if tweak != nil {
			tweak(&d)
		}
		return r.messages(name, d)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	if len(cuts) > 0 {
		r.warn(fmt.Sprintf("%s: cut %s to fit the %d-token context", name, strings.Join(dedupe(cuts), ", "), contextLength(r.p.Gen)))
	}
	return msgs, n, nil
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func (r *run) brief(ctx context.Context) error {
	msgs, n, err := r.prepare(prompts.Brief, cuttable{Notes: r.st.Options.Notes}, BriefMaxTokens, BriefMaxTokens/2, false, nil)
	if err != nil {
		return err
	}
	res, err := r.call(ctx, callSpec{Stage: StageBrief, Part: -1, Messages: msgs, Max: n})
	if err != nil {
		return err
	}
	r.st.Brief = cleanText(res.Text)
	if r.st.Brief == "" {
		r.st.Brief = r.st.Options.Topic // a model that says nothing still gets a brief
		r.warn("brief: the model returned an empty brief; using the topic")
	}
	return r.checkpoint(ctx)
}

func (r *run) outline(ctx context.Context) error {
	// The outline is quoted in every drafting prompt: its budget leaves room
	// for the largest of them.
	base, err := r.sectionBaseTokens()
	if err != nil {
		return err
	}
	maxOut := min(r.fullAnswer(Bounds.Outline), contextLength(r.p.Gen)-base-MinGenTokens)
	if maxOut < OutlineMinTokens {
		return fmt.Errorf("outline: %w: %d tokens left for the outline, at least %d needed", ErrContext, maxOut, OutlineMinTokens)
	}
	offered, err := r.outlinePassages()
	if err != nil {
		return fmt.Errorf("outline: %w", err)
	}
	maxOut = outlineRoomForPassages(maxOut, offered)
	msgs, n, sch, err := r.sizedPrompt(sizedStep{stage: StageOutline, prompt: prompts.Outline,
		cut: cuttable{Notes: r.st.Options.Notes, Passages: offered}, maxTokens: maxOut, minTokens: OutlineMinTokens,
		build: Bounds.Outline, ladder: outlineLadder})
	if err != nil {
		return err
	}
	r.recordGiven(-1, msgs, offered)
	var out Outline
	spec := callSpec{Stage: StageOutline, Part: -1, Messages: msgs, Max: n, Schema: sch}
	if err := r.structured(ctx, spec, &out, func() error { return out.check() }); err != nil {
		return err
	}
	out.tidy()
	r.st.Outline = &out
	r.st.Parts = planParts(&out, r.st.Options.Words)
	return r.checkpoint(ctx)
}

// sizedStep is a structured step's prompt and schema (see sizedPrompt).
type sizedStep struct {
	stage, prompt        string
	cut                  cuttable
	maxTokens, minTokens int
	build                func(Bounds) *jsonschema.Schema
	ladder               []func(*Bounds) bool
	tweak                func(*promptData)
}

// sizedPrompt renders a structured step's prompt and shrinks the answer
// limits until the schema's worst case fits the tokens the prompt leaves,
// again until the prompt states exactly the limits of the schema (the two
// are the same numbers: Bounds.limits); it warns when the limits shrank.
func (r *run) sizedPrompt(s sizedStep) ([]Message, int, *jsonschema.Schema, error) {
	def := DefaultBounds(r.st.Options.Words)
	b := def
	for {
		msgs, n, err := r.prepare(s.prompt, s.cut, s.maxTokens, s.minTokens, true, func(d *promptData) {
			if s.tweak != nil {
				s.tweak(d)
			}
			d.MinSections, d.MaxSections = b.MinSections, b.MaxSections
			d.Limits = b.limits()
		})
		if err != nil {
			return nil, 0, nil, err
		}
		nb, sch, ok := fitBounds(b, s.build, s.ladder, n)
		if !ok {
			w, _ := WorstTokens(sch)
			return nil, 0, nil, fmt.Errorf("%s: %w: even the smallest answer (%d tokens) exceeds the %d tokens left", s.stage, ErrContext, w, n)
		}
		if nb == b {
			if b != def {
				r.warn(fmt.Sprintf("%s: answer limits reduced to fit %d tokens: %s", s.stage, n, describeBounds(s.stage, b)))
			}
			return msgs, n, sch, nil
		}
		b = nb // the prompt must state the smaller limits: render it again
	}
}

func describeBounds(stage string, b Bounds) string {
	switch stage {
	case StageOutline:
		return fmt.Sprintf("%d–%d sections of up to %d points (%d characters), %d subsections", b.MinSections, b.MaxSections, b.Points, b.PointChars, b.Subsections)
	case StageMetadata:
		return fmt.Sprintf("excerpt %d characters, %d tags of %d characters, title %d characters", b.ExcerptChars, b.Tags, b.TagChars, b.MetaTitleChars)
	}
	return fmt.Sprintf("%d problems of %d characters", b.Problems, b.ProblemChars)
}

// check rejects outlines whose texts are blank once trimmed (the schema
// counts white space as characters).
func (o *Outline) check() error {
	if strings.TrimSpace(o.Title) == "" {
		return fmt.Errorf("title: %w", errBlank)
	}
	for i, s := range o.Sections {
		if strings.TrimSpace(s.Heading) == "" {
			return fmt.Errorf("sections[%d].heading: %w", i, errBlank)
		}
		for j, sub := range s.Subsections {
			if strings.TrimSpace(sub.Heading) == "" {
				return fmt.Errorf("sections[%d].subsections[%d].heading: %w", i, j, errBlank)
			}
		}
	}
	return nil
}

// tidy trims the outline's texts and flattens their white space.
func (o *Outline) tidy() {
	o.Title = oneLine(o.Title)
	tidyPoints(o.Intro)
	for i := range o.Sections {
		s := &o.Sections[i]
		s.Heading = oneLine(s.Heading)
		tidyPoints(s.Points)
		for j := range s.Subsections {
			s.Subsections[j].Heading = oneLine(s.Subsections[j].Heading)
			tidyPoints(s.Subsections[j].Points)
		}
	}
}

func tidyPoints(ps []string) {
	for i := range ps {
		ps[i] = oneLine(ps[i])
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// planParts flattens the outline into drafting parts and shares the word
// target among them.
func planParts(o *Outline, words int) []Part {
	parts := []Part{{Level: 0, Points: o.Intro}}
	for _, s := range o.Sections {
		if len(s.Subsections) == 0 {
			parts = append(parts, Part{Level: 2, Heading: s.Heading, Points: s.Points})
			continue
		}
		for i, sub := range s.Subsections {
			pts := sub.Points
			if i == 0 {
				pts = append(append([]string(nil), s.Points...), sub.Points...)
			}
			parts = append(parts, Part{Level: 3, Heading: sub.Heading, Parent: s.Heading, Points: pts})
		}
	}
	per := max(MinPartWords, min(MaxPartWords, words/len(parts)))
	for i := range parts {
		parts[i].Words = per
	}
	return parts
}
