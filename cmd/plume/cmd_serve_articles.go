package main

// The article library of plume serve: the writer and the store, driven the
// way plume write drives them (createArticle, checkpoint, runFailed,
// renderStored). When the writer lifecycle moves into the writer package,
// this adapter calls it instead.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/server"
	"github.com/plumewriter/plume/internal/store"
	"github.com/plumewriter/plume/internal/writer"
)

// serveLibrary implements server.Library over the article database.
type serveLibrary struct{}

var _ server.Library = serveLibrary{}

// withLibrary opens the article database for one call.
func withLibrary[T any](fn func(*store.Store) (T, error)) (T, error) {
	lib, err := openLibrary()
	if err != nil {
		var zero T
		return zero, err
	}
	defer lib.Close()
	return fn(lib)
}

func (serveLibrary) Create(ctx context.Context, opts writer.Options) (int64, error) {
	p := &writer.Pipeline{Now: nowFunc, Version: version}
	st, err := p.NewState(opts)
	if err != nil {
		return 0, err
	}
	return withLibrary(func(lib *store.Store) (int64, error) { return createArticle(ctx, lib, st) })
}

func (serveLibrary) Run(ctx context.Context, id int64, outlineOnly bool, gen llm.Generator, events func(writer.Event)) error {
	_, err := withLibrary(func(lib *store.Store) (struct{}, error) {
		return struct{}{}, runArticle(ctx, lib, id, outlineOnly, gen, events)
	})
	return err
}

// runArticle runs article id under its lock, as plume write --resume does,
// and stores the finished revision (no output files: the API exports).
func runArticle(ctx context.Context, lib *store.Store, id int64, outlineOnly bool, gen llm.Generator, events func(writer.Event)) (err error) {
	lk, err := lib.LockArticle(id)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	// A job cancelled from here on ends "interrupted" (resumable), even
	// before its first generation: the reads below ignore the cancellation.
	defer func() {
		if err != nil {
			err = runFailed(ctx, lib, id, err)
		}
	}()
	st, err := loadState(context.WithoutCancel(ctx), lib, id)
	if err != nil {
		return err
	}
	st.Options.OutlineOnly = outlineOnly
	if err := lib.SetStatus(context.WithoutCancel(ctx), id, store.StatusRunning); err != nil {
		return err
	}
	p := &writer.Pipeline{Gen: gen, Now: nowFunc, Version: version, Events: events,
		Checkpoint: func(ctx context.Context, s *writer.State) error { return checkpoint(ctx, lib, id, s) }}
	art, err := p.Run(ctx, st)
	if err != nil || outlineOnly {
		return err
	}
	manifest, err := art.Manifest.Marshal()
	if err != nil {
		return err
	}
	_, err = lib.AddRevision(context.WithoutCancel(ctx), id, store.Revision{Title: art.Metadata.Title, Slug: art.Metadata.Slug,
		Markdown: string(art.Markdown), Manifest: string(manifest)})
	return err
}

func loadState(ctx context.Context, lib *store.Store, id int64) (*writer.State, error) {
	a, err := lib.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	var st writer.State
	if err := json.Unmarshal(a.State, &st); err != nil {
		return nil, fmt.Errorf("article %d: checkpoint: %w", id, err)
	}
	return &st, nil
}

func (serveLibrary) List(ctx context.Context) ([]store.Summary, error) {
	return withLibrary(func(lib *store.Store) ([]store.Summary, error) { return lib.List(ctx) })
}

func (serveLibrary) Get(ctx context.Context, id int64) (*store.Article, error) {
	return withLibrary(func(lib *store.Store) (*store.Article, error) { return lib.Get(ctx, id) })
}

func (serveLibrary) SetOutline(ctx context.Context, id int64, o writer.Outline) error {
	_, err := withLibrary(func(lib *store.Store) (struct{}, error) {
		lk, err := lib.LockArticle(id)
		if err != nil {
			return struct{}{}, err
		}
		defer lk.Unlock()
		st, err := loadState(ctx, lib, id)
		if err != nil {
			return struct{}{}, err
		}
		if err := st.SetOutline(o); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, checkpoint(ctx, lib, id, st)
	})
	return err
}

func (serveLibrary) Delete(ctx context.Context, id int64) error {
	_, err := withLibrary(func(lib *store.Store) (struct{}, error) {
		lk, err := lib.LockArticle(id)
		if err != nil {
			return struct{}{}, err
		}
		defer lk.Unlock()
		return struct{}{}, lib.Delete(ctx, id)
	})
	return err
}

// Export content types.
var exportTypes = map[string]string{
	"md":   "text/markdown; charset=utf-8",
	"html": "text/html; charset=utf-8",
	"json": "application/json",
}

func (serveLibrary) Export(ctx context.Context, id int64, format string) (string, []byte, error) {
	a, err := withLibrary(func(lib *store.Store) (*store.Article, error) { return lib.Get(ctx, id) })
	if err != nil {
		return "", nil, err
	}
	rev, ok := a.Latest()
	if !ok {
		return "", nil, fmt.Errorf("%w: article %d is not finished", writer.ErrInput, id)
	}
	if format == "md" {
		return exportTypes[format], []byte(rev.Markdown), nil
	}
	body, err := renderStored(a, format)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	return exportTypes[format], body, err
}
