package main

// The article library of plume serve: the writer's library runs
// (writer.CreateStored, RunStored, EditStoredOutline: the same lock,
// checkpoint and status code as plume write's writer.Run) over the article
// database, and renderStored for the exports.

import (
	"context"
	"errors"
	"fmt"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/server"
	"github.com/plumewriter/plume/internal/watermark"
	"github.com/plumewriter/plume/internal/writer"
)

// serveLibrary implements server.Library over the article database of d.
type serveLibrary struct{ d *deps }

var _ server.Library = serveLibrary{}

// withLibrary opens d's article database for one call.
func withLibrary[T any](d *deps, fn func(*library.Store) (T, error)) (T, error) {
	lib, err := d.openLibrary()
	if err != nil {
		var zero T
		return zero, err
	}
	defer lib.Close()
	return fn(lib)
}

func (l serveLibrary) Create(ctx context.Context, opts writer.Options) (int64, error) {
	opts.Watermark = watermark.DefaultKey().Fingerprint() // the local engine watermarks, as plume write does
	return withLibrary(l.d, func(lib *library.Store) (int64, error) {
		return writer.CreateStored(ctx, lib, opts, l.d.now, version)
	})
}

func (l serveLibrary) Run(ctx context.Context, id int64, outlineOnly bool, gen llm.Generator, events func(writer.Event)) error {
	_, err := withLibrary(l.d, func(lib *library.Store) (struct{}, error) {
		st, err := writer.LoadStored(ctx, lib, id)
		if err != nil {
			return struct{}{}, err
		}
		key, err := publicRecordedKey(st.Options.Watermark)
		if err != nil {
			return struct{}{}, fmt.Errorf("%w: article %d is watermarked with a private key; resume it with plume write --resume %d --watermark-key FILE",
				writer.ErrInput, id, id)
		}
		return struct{}{}, writer.RunStored(ctx, lib, id, writer.StoredRun{Gen: gen, OutlineOnly: outlineOnly,
			Events: events, Now: l.d.now, Version: version, Watermark: key})
	})
	return err
}

func (l serveLibrary) List(ctx context.Context) ([]library.Summary, error) {
	return withLibrary(l.d, func(lib *library.Store) ([]library.Summary, error) { return lib.List(ctx) })
}

func (l serveLibrary) Get(ctx context.Context, id int64) (*library.Article, error) {
	return withLibrary(l.d, func(lib *library.Store) (*library.Article, error) { return lib.Get(ctx, id) })
}

func (l serveLibrary) SetOutline(ctx context.Context, id int64, o writer.Outline) error {
	_, err := withLibrary(l.d, func(lib *library.Store) (struct{}, error) {
		return struct{}{}, writer.EditStoredOutline(ctx, lib, id, o)
	})
	return err
}

func (l serveLibrary) Delete(ctx context.Context, id int64) error {
	_, err := withLibrary(l.d, func(lib *library.Store) (struct{}, error) {
		// Remove takes the article's lock: an article a `plume write` in
		// another process is writing is refused (409), not deleted under it.
		return struct{}{}, lib.Remove(ctx, id)
	})
	return err
}

// Export content types.
var exportTypes = map[string]string{
	"md":   "text/markdown; charset=utf-8",
	"html": "text/html; charset=utf-8",
	"json": "application/json",
}

func (l serveLibrary) Export(ctx context.Context, id int64, format string) (string, []byte, error) {
	a, err := withLibrary(l.d, func(lib *library.Store) (*library.Article, error) { return lib.Get(ctx, id) })
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
	if errors.Is(err, library.ErrNotFound) {
		return "", nil, err
	}
	return exportTypes[format], body, err
}
