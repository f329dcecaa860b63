package writer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/watermark"
)

// Backend names the generator of a run, as the caller's OpenFunc opens it.
// The writer only records it (so that a resumed run opens the same one)
// and hands it back.
type Backend struct {
	Backend   string `json:"backend"`               // "plume" (local engine) or "openai"
	Model     string `json:"model,omitempty"`       // model reference as given ("" = the default)
	BaseURL   string `json:"base_url,omitempty"`    // server of an OpenAI-compatible backend
	APIKeyEnv string `json:"api_key_env,omitempty"` // environment variable holding its API key
	Threads   int    `json:"threads,omitempty"`     // local engine threads (0 = automatic)
	Context   int    `json:"ctx,omitempty"`         // context length (0 = automatic)
	// NoPromptCache is --prompt-cache off (local engine): every prompt is
	// evaluated whole. The article is the same either way, so a resume may
	// change it.
	NoPromptCache bool `json:"no_prompt_cache,omitempty"`
}

// OpenFunc opens the generator of b; close releases it.
type OpenFunc func(ctx context.Context, b Backend) (gen llm.Generator, close func(), err error)

// RunSettings are the choices of a run that are not inputs of the article
// text: where and in which format it is written, and which generator
// writes it. They are kept in the checkpoint (not in the manifest), so that
// a resumed run continues the same article in the same place.
type RunSettings struct {
	Out     string  `json:"out,omitempty"`    // absolute output directory; "" = not chosen (outline only)
	Format  string  `json:"format,omitempty"` // md, html or json; "" = not chosen
	Backend Backend `json:"backend"`
}

// RunOptions are the inputs of Run: one article, new or resumed, from the
// generator to its files and its library rows. This is what plume write
// and the server share; the caller keeps only its flags and its printing.
type RunOptions struct {
	// Article holds the inputs of a new article. With Resume they are taken
	// from the library instead, and only the fields named in Given are read:
	// each must agree with the recorded run (see ResumeKeys).
	Article Options
	// Resume is the library ID of an unfinished article to continue (0 =
	// write a new one).
	Resume int64
	// Given names the options the user set explicitly, by their plume write
	// flag names (ResumeKeys). A new run records the output directory of an
	// outline-only run only when given.
	Given map[string]bool
	// Out and Format say where and how the article file is written (default
	// "." and md).
	Out, Format string
	// Backend is the generator, opened with Open.
	Backend Backend
	Open    OpenFunc
	// OpenLibrary opens the article library for writing.
	OpenLibrary func() (*library.Store, error)
	// Events receives progress, Stream the drafting tokens; both may be nil.
	Events func(Event)
	Stream io.Writer
	// Now is the clock of a new article's date (time.Now when nil).
	Now func() time.Time
	// Version is Plume's version, recorded in the manifest.
	Version string
	// Watermark is the key the local engine watermarks a new article's text
	// with (nil = none: a remote backend cannot watermark). WatermarkKey
	// returns the key of a resumed article's recorded fingerprint; without
	// it a watermarked article cannot be resumed.
	Watermark    *watermark.Key
	WatermarkKey func(fingerprint string) (*watermark.Key, error)
	// BiasCards, when set, returns the links to the bias cards of the model
	// of this SHA-256, recorded in the manifest of the finished article.
	BiasCards func(sha256 string) []BiasCardLink
}

// Result is what Run produced.
type Result struct {
	ID       int64  // library row
	Status   string // library.StatusDone, or library.StatusOutline for an outline-only run
	Revision int    // library revision (0 for an outline)
	Files    []string
	Article  *Article
	// Output is the article exactly as its file holds it (Markdown with
	// front matter, HTML or JSON), or the outline's Markdown.
	Output []byte
}

// RunError is the error of a run that failed or was interrupted after its
// library row existed: the row is marked failed or interrupted, and the
// article can be resumed by ID.
type RunError struct {
	ID          int64
	Interrupted bool // cancelled (Ctrl-C, a client gone) rather than failed
	Err         error
}

func (e *RunError) Error() string { return fmt.Sprintf("article %d: %v", e.ID, e.Err) }
func (e *RunError) Unwrap() error { return e.Err }

// ErrResumeConflict marks a resume given a setting that contradicts the
// recorded run (it wraps ErrInput: a usage error).
var ErrResumeConflict = fmt.Errorf("%w: conflicts with the article being resumed", ErrInput)

// ErrNoArticle marks a resume of an ID the library does not have (it wraps
// ErrInput).
var ErrNoArticle = fmt.Errorf("%w: no such article in the library", ErrInput)

// Run writes a new article, or continues the unfinished article
// opts.Resume with the settings of its first run, and saves it: the
// article file and its manifest in the output directory (see writeFiles)
// and a revision in the library. While it runs, the article is locked
// (library.LockArticle) and checkpointed after every finished step; a run
// that fails or is cancelled returns a *RunError and leaves the article
// resumable. The returned Result carries the ID once the row exists, even
// with an error.
func Run(ctx context.Context, opts RunOptions) (*Result, error) {
	res := &Result{}
	if opts.Open == nil || opts.OpenLibrary == nil {
		return res, errors.New("writer: Run needs Open and OpenLibrary")
	}
	if opts.Resume != 0 {
		return res, runResume(ctx, opts, res)
	}
	p := &Pipeline{Now: opts.Now, Version: opts.Version, Watermark: opts.Watermark}
	if opts.Watermark != nil {
		opts.Article.Watermark = opts.Watermark.Fingerprint()
	}
	st, err := p.NewState(opts.Article)
	if err != nil {
		return res, err
	}
	if st.Settings, err = newSettings(opts, st.Options.OutlineOnly); err != nil {
		return res, err
	}
	return res, execute(ctx, opts, p, st, nil, res)
}

// runResume continues article opts.Resume under its lock.
func runResume(ctx context.Context, opts RunOptions, res *Result) error {
	lib, err := opts.OpenLibrary()
	if err != nil {
		return err
	}
	defer lib.Close()
	id := opts.Resume
	if _, err := resumable(ctx, lib, id); err != nil {
		return err
	}
	res.ID = id
	// The lock decides between a live writer and a row left running by a
	// process that died (the kernel released its lock).
	lk, err := lib.LockArticle(id)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	// Read again under the lock: a writer that just finished may have
	// checkpointed or completed it meanwhile.
	a, err := resumable(ctx, lib, id)
	if err != nil {
		return err
	}
	st, err := storedState(a)
	if err != nil {
		return err
	}
	if err := opts.resumeInto(st); err != nil {
		return fmt.Errorf("article %d: %w", id, err)
	}
	p := &Pipeline{Now: opts.Now, Version: opts.Version}
	if fp := st.Options.Watermark; fp != "" {
		if opts.WatermarkKey == nil {
			return fmt.Errorf("article %d: %w: it is watermarked with key %s, and no key was given", id, ErrInput, fp)
		}
		if p.Watermark, err = opts.WatermarkKey(fp); err != nil {
			return fmt.Errorf("article %d: %w", id, err)
		}
	}
	return execute(ctx, opts, p, st, lib, res)
}

// resumable reads article id, refusing an unknown or finished one.
func resumable(ctx context.Context, lib *library.Store, id int64) (*library.Article, error) {
	a, err := lib.Get(ctx, id)
	switch {
	case errors.Is(err, library.ErrNotFound):
		return nil, fmt.Errorf("article %d: %w", id, ErrNoArticle)
	case err != nil:
		return nil, err
	case library.Finished(a.Status):
		return nil, fmt.Errorf("%w: article %d is finished; nothing to resume", ErrInput, id)
	}
	return a, nil
}

// execute opens the generator and (for a new article) the library, runs
// the pipeline with checkpoints and saves the result. lib is the open
// library of a resumed article, whose lock the caller holds; nil for a new
// one.
func execute(ctx context.Context, opts RunOptions, p *Pipeline, st *State, lib *library.Store, res *Result) (err error) {
	set := st.Settings
	if !st.Options.OutlineOnly {
		if err := CheckOutputDir(set.Out); err != nil {
			return err
		}
	}
	gen, closeGen, err := opts.Open(ctx, set.Backend)
	if err != nil {
		return err
	}
	defer closeGen()
	p.Gen = gen
	if err := p.Preflight(st); err != nil {
		return err
	}
	id := res.ID
	if lib == nil {
		if lib, err = opts.OpenLibrary(); err != nil {
			return err
		}
		defer lib.Close()
		if id, err = createArticle(ctx, lib, st); err != nil {
			return err
		}
		lk, err := lib.LockArticle(id)
		if err != nil {
			return err
		}
		defer lk.Unlock()
		res.ID = id
	} else if err := lib.SetStatus(ctx, id, library.StatusRunning); err != nil {
		return err
	}
	// Registered after the lock's Unlock, so it runs first: the status is
	// final before another process can take the article.
	defer recordFailure(ctx, lib, id, &err)
	p.Checkpoint = checkpointTo(lib, id)
	p.Events, p.Stream = opts.Events, opts.Stream
	art, err := p.Run(ctx, st)
	if err != nil {
		return err
	}
	if st.Options.OutlineOnly {
		res.Status, res.Article, res.Output = library.StatusOutline, art, []byte(art.Body)
		return lib.SetStatus(context.WithoutCancel(ctx), id, library.StatusOutline)
	}
	if opts.BiasCards != nil {
		st.BiasCards = opts.BiasCards(gen.Info().SHA256)
	}
	return save(ctx, lib, p, st, gen.Info(), res)
}

// save writes the files and the library revision of a finished article.
func save(ctx context.Context, lib *library.Store, p *Pipeline, st *State, info llm.ModelInfo, res *Result) error {
	ctx = context.WithoutCancel(ctx) // the article is finished: a late Ctrl-C must not lose it
	art, body, files, err := writeFiles(st.Settings.Out, st.Settings.Format, p.Version, st, info)
	if err != nil {
		return fmt.Errorf("%w (the article is kept in the library)", err)
	}
	if err := checkpoint(ctx, lib, res.ID, st); err != nil { // the slug the files got
		return err
	}
	rev, err := addRevision(ctx, lib, res.ID, art)
	if err != nil {
		return err
	}
	res.Status, res.Revision, res.Files, res.Article, res.Output = library.StatusDone, rev, files, art, body
	return nil
}

// createArticle adds the library row of a new article.
func createArticle(ctx context.Context, lib *library.Store, st *State) (int64, error) {
	initial, err := json.Marshal(st)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return lib.Create(ctx, st.Options.Topic, st.Options.Lang, initial)
}

// addRevision stores finished article art as a new revision of article id.
func addRevision(ctx context.Context, lib *library.Store, id int64, art *Article) (int, error) {
	manifest, err := art.Manifest.Marshal()
	if err != nil {
		return 0, err
	}
	return lib.AddRevision(ctx, id, library.Revision{Title: art.Metadata.Title, Slug: art.Metadata.Slug,
		Markdown: string(art.Markdown), Manifest: string(manifest)})
}

// recordFailure is deferred by a run of article id that returns *errp: a
// failure becomes runFailed's (the status says failed or interrupted).
func recordFailure(ctx context.Context, lib *library.Store, id int64, errp *error) {
	if *errp != nil {
		*errp = runFailed(ctx, lib, id, *errp)
	}
}

// runFailed records how the run of article id ended: interrupted (ctx was
// cancelled) or failed; both can be resumed.
func runFailed(ctx context.Context, lib *library.Store, id int64, err error) error {
	cancelled := ctx.Err() != nil || errors.Is(err, context.Canceled)
	status := library.StatusFailed
	if cancelled {
		status = library.StatusInterrupted
	}
	_ = lib.SetStatus(context.WithoutCancel(ctx), id, status) // the error being returned says more
	return &RunError{ID: id, Interrupted: cancelled, Err: err}
}

// checkpointTo is the Pipeline.Checkpoint of library article id.
func checkpointTo(lib *library.Store, id int64) func(context.Context, *State) error {
	return func(ctx context.Context, s *State) error { return checkpoint(ctx, lib, id, s) }
}

// checkpoint saves the writer state and its drafted sections.
func checkpoint(ctx context.Context, lib *library.Store, id int64, st *State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode state: %w", err) // the pipeline adds "checkpoint: "
	}
	var secs []library.Section
	for i, p := range st.Parts {
		if p.Drafted {
			secs = append(secs, library.Section{Index: i, Level: p.Level, Heading: p.Heading, Body: p.Text, Revisions: p.Revisions})
		}
	}
	title := ""
	if st.Outline != nil {
		title = st.Outline.Title
	}
	if st.Metadata != nil {
		title = st.Metadata.Title
	}
	return lib.Checkpoint(ctx, id, title, b, secs)
}
