package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/pflag"

	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// sourceFlags are the grounding flags of plume write.
type sourceFlags struct {
	refs             []string
	skipBad, offline bool
	strict           bool
}

func (s *sourceFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&s.refs, "source", nil, "write from this source: a .md, .txt, .html or .pdf file, a directory of them, or an http(s) URL (repeatable); the article cites it as [n] and lists it under References")
	fl.BoolVar(&s.skipBad, "skip-bad-sources", false, "skip a source that cannot be read (warning in the manifest) instead of failing")
	fl.BoolVar(&s.strict, "strict-citations", false, "have the revise pass rewrite sentences whose citation the check found unsupported")
	fl.BoolVar(&s.offline, "offline", false, "use only URLs already stored in the library; never fetch")
}

// load reads every --source into o before anything is generated. A URL is
// fetched once and kept in the library, which later runs (and --offline)
// read instead of the network.
func (s *sourceFlags) load(ctx context.Context, d *deps, o *writer.Options) error {
	o.StrictCitations = s.strict
	if len(s.refs) == 0 {
		return nil
	}
	l := &sources.Loader{Fetcher: d.newFetcher(), Offline: s.offline, Now: d.now}
	for _, ref := range s.refs {
		if sources.IsURL(ref) {
			lib, err := d.openLibrary()
			if err != nil {
				return err
			}
			defer lib.Close()
			l.Cache = lib
			break
		}
	}
	seen := map[string]bool{} // sha256: the same file given twice is one source
	for _, ref := range s.refs {
		got, err := l.Load(ctx, ref)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if s.skipBad {
				o.SourceWarnings = append(o.SourceWarnings, "source skipped: "+srcOneLine(err.Error()))
				continue
			}
			err = fmt.Errorf("--source: %w (use --skip-bad-sources to go on without it)", err)
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, sources.ErrUnsupported) || errors.Is(err, sources.ErrOffline) {
				return usageError{err} // a typo or a flag mistake, like a missing --model file
			}
			return err
		}
		for _, src := range got {
			if !seen[src.SHA256] {
				seen[src.SHA256] = true
				o.Sources = append(o.Sources, *src)
			}
		}
	}
	return nil
}

func srcOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// maxRemovedShown caps the removed citations listed on the terminal (all of
// them are in the manifest's quality report).
const maxRemovedShown = 10

// printCitations adds the citation part to the terminal quality report.
func printCitations(w io.Writer, c *quality.Citations) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "  citations: %d of %d sentences cited (%.0f%%); %d checked: %d supported, %d partly, %d unsupported removed",
		c.Cited, c.Sentences, 100*c.Share, c.Checked, c.Supported, c.Partly, c.Unsupported)
	if c.Rewritten > 0 {
		fmt.Fprintf(w, ", %d after a strict rewrite", c.Rewritten)
	}
	fmt.Fprintln(w)
	for i, r := range c.Removed {
		if i == maxRemovedShown {
			fmt.Fprintf(w, "         … %d more in the manifest\n", len(c.Removed)-i)
			break
		}
		fmt.Fprintf(w, "         - removed [%d] from %q: %s\n", r.Passage, citeSafe(citeCut(r.Sentence, 100)), r.Reason)
	}
	if len(c.Unused) > 0 {
		fmt.Fprintf(w, "  sources never used: %s\n", citeSafe(strings.Join(c.Unused, "; ")))
	}
}

// citeCut keeps the first n runes of s.
func citeCut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// citeSafe drops control characters (escape sequences in a source's
// title or a model's sentence must not reach the terminal).
func citeSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}
