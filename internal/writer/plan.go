package writer

import (
	"fmt"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/prompts"
)

// CharsPerTokenEstimate converts characters the pipeline has not produced
// yet (the running summary, the metadata step's excerpt) into tokens for
// the plan: BPE vocabularies average 3–4 characters per token in English
// and French; 2 keeps the estimate an upper bound for small vocabularies.
const CharsPerTokenEstimate = 2

// Plan is the size of a run, decided before its first call: the context
// window the longest call needs with the full answer limits, the window
// asked for, and the answer limits that window allows.
type Plan struct {
	// Needed is the window the longest call needs with DefaultBounds: its
	// prompt (with the brief, outline, notes and summary at their largest)
	// plus its answer budget.
	Needed int `json:"needed"`
	// Context is the window the run uses: Needed, or less when the
	// generator cannot give that much.
	Context int `json:"context"`
	// Limit says what made Context smaller than Needed: llm.LimitTrained,
	// llm.LimitMemory, llm.LimitCaller (--ctx) or llm.LimitBackend (a
	// window the generator cannot change); "" when nothing did.
	Limit string `json:"limit,omitempty"`
	// Outline, Review and Metadata are the answer limits Context allows
	// (DefaultBounds when nothing is shrunk).
	Outline, Review, Metadata Bounds
}

// Shrunk reports whether the plan's answer limits are below the defaults.
func (p Plan) Shrunk(words int) bool {
	d := DefaultBounds(words)
	return p.Outline != d || p.Review != d || p.Metadata != d
}

// Plan sizes the run of st: the window its longest call needs, the window
// the generator can give (asked for when it is a llm.ContextSizer; its
// reported window otherwise) and the answer limits that window allows.
func (p *Pipeline) Plan(st *State) (Plan, error) {
	if p.Gen == nil {
		return Plan{}, fmt.Errorf("writer: no generator")
	}
	r := &run{p: p, st: st}
	return r.plan()
}

// planSizes are the token counts a plan is made of.
type planSizes struct {
	outline, review, metadata   int // worst-case answers with DefaultBounds
	part                        int // drafting budget of the largest part
	brief, outlineText, summary int
	notes, excerpt              int
}

func (r *run) sizes() (planSizes, error) {
	b := DefaultBounds(r.st.Options.Words)
	var s planSizes
	var err error
	if s.outline, err = WorstTokens(b.Outline()); err != nil {
		return s, err
	}
	if s.review, err = WorstTokens(b.Review()); err != nil {
		return s, err
	}
	if s.metadata, err = WorstTokens(b.Metadata()); err != nil {
		return s, err
	}
	s.part = MaxPartWords*TokensPerWord + PartTokenMargin
	if r.st.Brief == "" {
		s.brief = BriefMaxTokens
	}
	if r.st.Outline == nil {
		s.outlineText = s.outline // the outline's text is shorter than its JSON
	}
	_, hi := sectionRange(r.st.Options.Words)
	s.summary = hi * (1 + MaxSubsections) * SummaryLineChars / CharsPerTokenEstimate
	if s.notes, err = r.p.Gen.CountTokens(r.st.Options.Notes); err != nil {
		return s, fmt.Errorf("count tokens: %w", err)
	}
	s.excerpt = MetadataExcerptChars / CharsPerTokenEstimate
	return s, nil
}

// promptTokens is the size of stage name's prompt with the run's brief and
// outline (when known), without notes, summary or part text.
func (r *run) promptTokens(name string) (int, error) {
	d := r.data(cuttable{})
	d.Points = []string{"…"}
	msgs, err := r.messages(name, d)
	if err != nil {
		return 0, err
	}
	return countMessages(r.p.Gen, msgs)
}

// needs returns the window each call needs with its full answer limits,
// and the size of the drafting prompt without outline (outline budgets
// leave room for it).
func (r *run) needs(s planSizes) (map[string]int, int, error) {
	base := map[string]int{}
	for _, name := range []string{prompts.Brief, prompts.Outline, prompts.Section, prompts.Review, prompts.Revise, prompts.Metadata} {
		n, err := r.promptTokens(name)
		if err != nil {
			return nil, 0, fmt.Errorf("plan: %w", err)
		}
		base[name] = n
	}
	section, err := r.sectionBaseTokens()
	if err != nil {
		return nil, 0, fmt.Errorf("plan: %w", err)
	}
	partText := MaxPartWords * TokensPerWord
	needs := map[string]int{
		prompts.Brief:    base[prompts.Brief] + s.notes + BriefMaxTokens,
		prompts.Outline:  max(base[prompts.Outline]+s.brief+s.notes, section+s.brief+MinGenTokens) + s.outline,
		prompts.Section:  base[prompts.Section] + s.brief + s.outlineText + s.notes + s.summary + s.part,
		prompts.Review:   base[prompts.Review] + s.brief + partText + s.review,
		prompts.Revise:   base[prompts.Revise] + s.summary + partText + s.part,
		prompts.Metadata: base[prompts.Metadata] + s.excerpt + s.metadata,
	}
	if r.st.Options.MaxRevise > 0 {
		// The review after a revision continues its conversation (see
		// followup.go): the review, its answer, the revise prompt, the
		// rewrite, the review's question again and its answer. The window
		// is sized for one pass; a second continues it only if it fits.
		needs[reviewChain] = needs[prompts.Review] + base[prompts.Revise] + s.summary + s.part + base[prompts.Review] + s.review
	}
	return needs, section + s.brief, nil
}

// reviewChain names the need of a review → revise → review conversation.
const reviewChain = "review-revise-review"

func (r *run) plan() (Plan, error) {
	s, err := r.sizes()
	if err != nil {
		return Plan{}, err
	}
	needs, sectionBase, err := r.needs(s)
	if err != nil {
		return Plan{}, err
	}
	var pl Plan
	for _, n := range needs {
		pl.Needed = max(pl.Needed, n)
	}
	pl.Context = contextLength(r.p.Gen)
	if sz, ok := r.p.Gen.(llm.ContextSizer); ok {
		limit, why := sz.ContextLimit()
		pl.Context = min(pl.Needed, limit)
		if limit < pl.Needed {
			pl.Limit = why
		}
	} else if pl.Context < pl.Needed {
		pl.Limit = llm.LimitBackend // a remote server's window, as it reports it
	}
	w, b := pl.Context, DefaultBounds(r.st.Options.Words)
	// The answer budgets the steps will have (see outline, reviewPart and
	// metadata), and the limits that fit them.
	outlineBudget := min(s.outline, w-sectionBase-MinGenTokens, w-(needs[prompts.Outline]-s.outline))
	reviewBudget := min(s.review, w-(needs[prompts.Review]-s.review))
	metadataBudget := min(s.metadata, w-(needs[prompts.Metadata]-s.metadata))
	pl.Outline, _, _ = fitBounds(b, Bounds.Outline, outlineLadder, outlineBudget)
	pl.Review, _, _ = fitBounds(b, Bounds.Review, reviewLadder, reviewBudget)
	pl.Metadata, _, _ = fitBounds(b, Bounds.Metadata, metadataLadder, metadataBudget)
	return pl, nil
}

// sizeContext plans the run and, on a generator whose window its caller
// chooses (the local engine), asks for the window the plan needs. When a
// limit makes the window smaller than the plan needs, it warns which one:
// the steps then shrink their answer limits to fit (and say how).
//
// A resumed run keeps the window it began with (recorded with its model),
// so that its remaining steps are planned as the first ones were.
func (r *run) sizeContext() error {
	pl, err := r.plan()
	if err != nil {
		return err
	}
	resumed := r.st.Model != nil && r.st.Model.ContextLength > 0
	if sz, ok := r.p.Gen.(llm.ContextSizer); ok {
		if resumed {
			limit, _ := sz.ContextLimit()
			pl.Context = min(r.st.Model.ContextLength, limit)
		}
		if err := sz.SetContextLength(pl.Context); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	r.p.plan = &pl
	if pl.Limit != "" && !resumed {
		// Recorded once, shown by every Preflight (a caller may check the
		// plan before it sets Events, as plume write does).
		msg := fmt.Sprintf("plan: the full plan needs a %d-token context but %s allows %d; the answer limits are reduced to fit",
			pl.Needed, pl.Limit, pl.Context)
		if !contains(r.st.Warnings, msg) {
			r.st.Warnings = append(r.st.Warnings, msg)
		}
		r.emit(Event{Type: EventWarning, Message: msg})
	}
	return nil
}

// windowName names the context window in errors: the model's, the
// backend's, or the one a limit set (--ctx, memory).
func (r *run) windowName() string {
	pl := r.p.plan
	switch {
	case pl == nil || pl.Limit == "" || pl.Limit == llm.LimitTrained:
		return "the model's context window"
	case pl.Limit == llm.LimitBackend:
		return pl.Limit
	}
	return "the context window (set by " + pl.Limit + ")"
}

// fullAnswer is the answer budget of a structured step: the worst case of
// its schema with DefaultBounds, so that the limits shrink only when the
// context cannot hold that much (the window is sized for it, see Plan).
func (r *run) fullAnswer(build func(Bounds) *jsonschema.Schema) int {
	n, err := WorstTokens(build(DefaultBounds(r.st.Options.Words)))
	if err != nil {
		return 0 // not reached: the writer's own schemas are bounded (TestSchemasAreBounded)
	}
	return n
}
