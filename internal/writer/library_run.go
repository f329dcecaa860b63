package writer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/watermark"
)

// StoredRun is a run of an article kept in the library only, as plume
// serve drives them: the generator comes from the caller (a server slot),
// the finished article is a library revision, and the files are exported
// on request rather than written to a directory (see Run for the CLI's
// runs, which share the lock, checkpoint and status code below).
type StoredRun struct {
	Gen         llm.Generator
	OutlineOnly bool // stop after the outline (status outline)
	Events      func(Event)
	Now         func() time.Time
	Version     string
	// Watermark is the key of a watermarked article (its fingerprint is in
	// the article's options); nil for none.
	Watermark *watermark.Key
}

// CreateStored adds a new article's library row with its initial state,
// without running it (RunStored runs it). Options errors wrap ErrInput.
func CreateStored(ctx context.Context, lib *library.Store, opts Options, now func() time.Time, version string) (int64, error) {
	p := &Pipeline{Now: now, Version: version}
	st, err := p.NewState(opts)
	if err != nil {
		return 0, err
	}
	return createArticle(ctx, lib, st)
}

// RunStored runs (or continues) library article id under its lock, with
// a checkpoint after every step, and stores the finished article as a
// revision. A run that fails or is cancelled leaves the article failed or
// interrupted, resumable like any other.
func RunStored(ctx context.Context, lib *library.Store, id int64, o StoredRun) (err error) {
	lk, err := lib.LockArticle(id)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	// A job cancelled from here on ends "interrupted" (resumable), even
	// before its first generation: the reads below ignore the cancellation.
	defer recordFailure(ctx, lib, id, &err)
	st, err := LoadStored(context.WithoutCancel(ctx), lib, id)
	if err != nil {
		return err
	}
	st.Options.OutlineOnly = o.OutlineOnly
	if err := lib.SetStatus(context.WithoutCancel(ctx), id, library.StatusRunning); err != nil {
		return err
	}
	p := &Pipeline{Gen: o.Gen, Now: o.Now, Version: o.Version, Events: o.Events, Watermark: o.Watermark,
		Checkpoint: checkpointTo(lib, id)}
	art, err := p.Run(ctx, st)
	if err != nil {
		return err
	}
	if o.OutlineOnly {
		return lib.SetStatus(context.WithoutCancel(ctx), id, library.StatusOutline)
	}
	_, err = addRevision(context.WithoutCancel(ctx), lib, id, art)
	return err
}

// LoadStored reads the checkpointed state of library article id.
func LoadStored(ctx context.Context, lib *library.Store, id int64) (*State, error) {
	a, err := lib.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return storedState(a)
}

// storedState decodes the checkpointed state of article a.
func storedState(a *library.Article) (*State, error) {
	var st State
	if err := json.Unmarshal(a.State, &st); err != nil {
		return nil, fmt.Errorf("article %d: checkpoint: %w", a.ID, err)
	}
	return &st, nil
}

// EditStoredOutline replaces the outline of library article id (a person
// edited it before drafting: State.SetOutline) under the article's lock.
func EditStoredOutline(ctx context.Context, lib *library.Store, id int64, o Outline) error {
	lk, err := lib.LockArticle(id)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	st, err := LoadStored(ctx, lib, id)
	if err != nil {
		return err
	}
	if err := st.SetOutline(o); err != nil {
		return err
	}
	return checkpoint(ctx, lib, id, st)
}
