package writer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/watermark"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// MaxRevisePasses bounds the review → revise loop per section: one pass
// fixes most problems a reviewer finds; a second rarely helps and doubles
// the cost.
const MaxRevisePasses = 2

// DefaultRevisePasses is the CLI's default for --revise (Options.MaxRevise):
// one review → revise pass per section.
const DefaultRevisePasses = 1

// Pipeline writes articles with one Generator.
type Pipeline struct {
	Gen llm.Generator
	// Checkpoint is called after every finished step with the whole state;
	// an error stops the run. It runs with a context that is not cancelled
	// by Ctrl-C, so that the last finished step is always saved. May be nil.
	Checkpoint func(ctx context.Context, st *State) error
	// Events receives progress; may be nil.
	Events func(Event)
	// Stream receives drafting tokens as they come; may be nil.
	Stream io.Writer
	// Now is the clock of the article date (time.Now when nil).
	Now func() time.Time
	// Version is Plume's version, recorded in the manifest.
	Version string
	// Watermark is the key the local engine watermarks the text with (nil
	// = none); it must match Options.Watermark (see checkWatermark).
	Watermark *watermark.Key

	plan *Plan // the last Preflight's plan
}

// run is one execution of the pipeline over a state.
type run struct {
	p  *Pipeline
	st *State
}

// NewState validates opts (see Options.Normalize) and returns the initial
// state of a run; the date is fixed here from the clock when not given.
func (p *Pipeline) NewState(opts Options) (*State, error) {
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	if opts.Date == "" {
		now := time.Now
		if p.Now != nil {
			now = p.Now
		}
		opts.Date = now().UTC().Truncate(time.Second).Format(time.RFC3339)
	} else if _, err := time.Parse(time.RFC3339, opts.Date); err != nil {
		return nil, fmt.Errorf("%w: date %q: %v", ErrInput, opts.Date, err)
	}
	return &State{Options: opts}, nil
}

// Preflight checks, before any generation, that the model's context window
// can hold the plan: the largest fixed prompt plus its answer budget.
func (p *Pipeline) Preflight(st *State) error {
	if p.Gen == nil {
		return errors.New("writer: no generator")
	}
	if err := p.checkWatermark(st); err != nil {
		return err
	}
	r := &run{p: p, st: st}
	if err := r.sizeContext(); err != nil {
		return err
	}
	return r.preflight()
}

// Run executes (or resumes) the pipeline from st until the article is done,
// checkpointing after every finished step. On error or cancellation st holds
// everything finished so far.
func (p *Pipeline) Run(ctx context.Context, st *State) (*Article, error) {
	if err := p.Preflight(st); err != nil {
		return nil, err
	}
	if err := st.bindModel(p.Gen.Info()); err != nil {
		return nil, err
	}
	if st.Brief != "" && !st.Done {
		st.Resumes++
	}
	r := &run{p: p, st: st}
	r.modelWarnings()
	r.ground()
	steps := []struct {
		stage string
		fn    func(context.Context) error
	}{
		{StageBrief, r.brief},
		{StageOutline, r.outline},
		{StageDraft, r.draft},
		{StageReview, r.review},
		{StageCite, r.cite},
		{StageMetadata, r.metadata},
	}
	for _, s := range steps {
		if st.NextStage() != s.stage {
			continue
		}
		r.emit(Event{Type: EventStage, Stage: s.stage, Parts: len(st.Parts)})
		if err := s.fn(ctx); err != nil {
			return nil, err
		}
	}
	st.Done = true
	if err := r.checkpoint(ctx); err != nil {
		return nil, err
	}
	if st.Options.OutlineOnly {
		body := OutlineMarkdown(st)
		return &Article{State: st, Body: body, Markdown: []byte(body),
			Manifest: buildManifest(st, p.Gen.Info(), p.Version, []byte(body), quality.Report{}, 0)}, nil
	}
	art, err := Assemble(st, p.Gen.Info(), p.Version)
	if err != nil {
		return nil, err
	}
	r.emit(Event{Type: EventDone, Message: art.Metadata.Slug})
	return art, nil
}

// checkpoint saves the state, ignoring the cancellation of ctx.
func (r *run) checkpoint(ctx context.Context) error {
	if r.p.Checkpoint == nil {
		return nil
	}
	if err := r.p.Checkpoint(context.WithoutCancel(ctx), r.st); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// ErrModelMismatch marks a resume with another model than the run began with.
var ErrModelMismatch = errors.New("model mismatch")

// bindModel records the run's model, or checks that a resumed run uses the
// same one.
func (st *State) bindModel(info llm.ModelInfo) error {
	rec := modelRecord(info)
	if st.Model == nil {
		st.Model = &rec
		return nil
	}
	if st.Model.SHA256 != "" && rec.SHA256 != "" && st.Model.SHA256 != rec.SHA256 {
		return fmt.Errorf("%w: the run began with %s (sha256 %.12s…) but the model now is %s (sha256 %.12s…)",
			ErrModelMismatch, st.Model.Ref, st.Model.SHA256, rec.Ref, rec.SHA256)
	}
	return nil
}
