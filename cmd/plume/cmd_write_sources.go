package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/writer"
)

// sourceFlags are the grounding flags of plume write.
type sourceFlags struct {
	refs             []string
	skipBad, offline bool
	strict           bool
}

// newFetcher builds the URL fetcher (tests allow their loopback server).
var newFetcher = func() *sources.Fetcher { return &sources.Fetcher{} }

func (s *sourceFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&s.refs, "source", nil, "write from this source: a .md, .txt, .html or .pdf file, a directory of them, or an http(s) URL (repeatable); the article cites it as [n] and lists it under References")
	fl.BoolVar(&s.skipBad, "skip-bad-sources", false, "skip a source that cannot be read (warning in the manifest) instead of failing")
	fl.BoolVar(&s.strict, "strict-citations", false, "have the revise pass rewrite sentences whose citation the check found unsupported")
	fl.BoolVar(&s.offline, "offline", false, "use only URLs already stored in the library; never fetch")
}

// load reads every --source into o before anything is generated. A URL is
// fetched once and kept in the library, which later runs (and --offline)
// read instead of the network.
func (s *sourceFlags) load(ctx context.Context, o *writer.Options) error {
	o.StrictCitations = s.strict
	if len(s.refs) == 0 {
		return nil
	}
	l := &sources.Loader{Fetcher: newFetcher(), Offline: s.offline, Now: nowFunc}
	for _, ref := range s.refs {
		if sources.IsURL(ref) {
			lib, err := openLibrary()
			if err != nil {
				return err
			}
			defer lib.Close()
			l.Cache = lib
			break
		}
	}
	for _, ref := range s.refs {
		got, err := l.Load(ctx, ref)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if s.skipBad {
				o.SourceWarnings = append(o.SourceWarnings, "source skipped: "+oneLine(err.Error()))
				continue
			}
			return fmt.Errorf("--source: %w (use --skip-bad-sources to go on without it)", err)
		}
		for _, src := range got {
			o.Sources = append(o.Sources, *src)
		}
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
