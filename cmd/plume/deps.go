package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"time"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/server"
	"github.com/plumewriter/plume/internal/sources"
)

// deps are what plume's commands take from outside the process: the
// generator of a backend, the article library, the clock of article dates
// and the URL fetcher of --source. newRootCmd builds every verb with one;
// main passes defaultDeps(), and a test builds its own (a fake generator, a
// temporary library, a fixed clock), so tests share no package state and
// can run in parallel.
type deps struct {
	// openGenerator opens the generator for cfg; close releases it.
	openGenerator func(ctx context.Context, cfg backendConfig, progress io.Writer) (gen llm.Generator, close func(), err error)
	// libraryPath is the article database.
	libraryPath func() (string, error)
	// now is the clock of article dates, approvals and bias cards.
	now func() time.Time
	// newFetcher builds the URL fetcher of --source.
	newFetcher func() *sources.Fetcher
	// openServeModel opens the model plume serve serves.
	openServeModel func(ctx context.Context, cfg backendConfig, progress io.Writer) (server.Model, error)
}

// defaultDeps are the production dependencies: the engine or the remote
// backend, the library in Plume's data directory, SOURCE_DATE_EPOCH or the
// wall clock, and a fetcher that refuses private addresses.
func defaultDeps() *deps {
	return &deps{
		openGenerator:  openGenerator,
		libraryPath:    defaultLibraryPath,
		now:            nowFunc,
		newFetcher:     func() *sources.Fetcher { return &sources.Fetcher{} },
		openServeModel: openServeModel,
	}
}

// nowFunc is the production clock of article dates: SOURCE_DATE_EPOCH when
// set (for byte-identical reruns), else the wall clock.
func nowFunc() time.Time {
	if d := config.Load().SourceDate; !d.IsZero() {
		return d
	}
	return time.Now()
}

// defaultLibraryPath is the article database, in Plume's data directory
// (internal/config: PLUME_HOME, else XDG_DATA_HOME/plume).
func defaultLibraryPath() (string, error) {
	dir := config.Load().DataDir
	if dir == "" {
		return "", errors.New("no data directory: set PLUME_HOME")
	}
	return filepath.Join(dir, library.FileName), nil
}

// openLibrary opens the article library for writing (creating and
// migrating it); openLibraryRead opens it for the reading commands.
func (d *deps) openLibrary() (*library.Store, error) {
	path, err := d.libraryPath()
	if err != nil {
		return nil, err
	}
	return library.Open(path)
}

func (d *deps) openLibraryRead() (*library.Store, error) {
	path, err := d.libraryPath()
	if err != nil {
		return nil, err
	}
	return library.OpenReadOnly(path)
}

// libraryDir is the directory of the library database (bias cards live
// under it).
func (d *deps) libraryDir() (string, error) {
	p, err := d.libraryPath()
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}
