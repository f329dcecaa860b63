package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/plumewriter/plume/internal/hub"
)

func newPullCmd() *cobra.Command {
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "pull MODEL",
		Short: "Download a model from Hugging Face into the local cache (sha256-verified)",
		Long: `Download a GGUF model into the Hugging Face cache ($HF_HUB_CACHE), shared with
huggingface_hub and llama.cpp. The file is usable only once its sha256 matches
the hub's; an interrupted pull resumes where it stopped.

MODEL is one of:
  an alias                      ` + aliasList() + `
  hf.co/ORG/REPO[:QUANT]        the GGUF file carrying QUANT (default ` + hub.DefaultQuant + `)
  ORG/REPO/FILE.gguf[@REVISION] one file at a branch, tag or commit

Progress is a bar on a terminal, NDJSON events on stdout with --json or when
stdout is not a terminal. Environment: HF_TOKEN, HF_ENDPOINT, HF_HOME,
HF_HUB_CACHE, HF_HUB_OFFLINE, PLUME_HUB_HOSTS (where the hub may redirect).

A hub that cannot be reached fails after one quick retry; the error lists
what to do instead. A download that would not fit on the disk is refused
before it starts; an interrupted one resumes on the next pull (plume list
--partial shows it, plume gc removes it).`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			out := cmd.OutOrStdout()
			rep := newReporter(out, cmd.ErrOrStderr(), jsonOut || !isTerminal(out))
			l, err := store.Pull(cmd.Context(), args[0], rep.event)
			rep.finish()
			if err != nil {
				return refError(hubAdvice(err))
			}
			if !rep.json {
				fmt.Fprintf(out, "%s\n  path    %s\n  sha256  %s\n  commit  %s\n", l.Ref, l.Path, l.SHA256, l.Commit)
				if l.License != "" {
					fmt.Fprintf(out, "  license %s\n", l.License)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print NDJSON progress events instead of a progress bar")
	return cmd
}

// refError turns a malformed model reference into a usage error.
func refError(err error) error {
	if errors.Is(err, hub.ErrBadName) {
		return usageError{err}
	}
	return err
}

func openStore(cmd *cobra.Command) (*hub.Cache, error) {
	return openCache(cmd.Context(), cmd.ErrOrStderr())
}

// openCache opens the model cache the configuration names, printing the
// configuration's warnings to w (when not nil): the one way the commands
// that manage the cache (pull, list, rm, replay's lookup) open it; the
// commands that run a model go through engine.Open.
func openCache(ctx context.Context, w io.Writer) (*hub.Cache, error) {
	hs, err := hub.OpenCache(configFrom(ctx, w))
	if err != nil {
		return nil, fmt.Errorf("model cache: %w", err)
	}
	return hs, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func aliasList() string {
	s := ""
	for i, a := range hub.Aliases() {
		if i > 0 {
			s += ", "
		}
		s += a.Name
	}
	return s
}

// reporter renders pull events as NDJSON or as a progress bar.
type reporter struct {
	json   bool
	enc    *json.Encoder
	errw   io.Writer
	bar    *progressbar.ProgressBar
	file   string
	encErr error
}

// barThrottle limits bar redraws; the ETA needs a few samples anyway.
const barThrottle = 100 * time.Millisecond

func newReporter(out, errw io.Writer, jsonMode bool) *reporter {
	return &reporter{json: jsonMode, enc: json.NewEncoder(out), errw: errw}
}

func (r *reporter) event(e hub.Event) {
	if r.json {
		if r.encErr == nil {
			r.encErr = r.enc.Encode(e)
		}
		return
	}
	switch e.Type {
	case hub.EventResolve:
		fmt.Fprintf(r.errw, "pulling %s/%s (%s, commit %.12s)\n", e.Repo, e.File, humanBytes(e.Total), e.Commit)
	case hub.EventWait:
		fmt.Fprintf(r.errw, "waiting for another plume pull of %s…\n", e.File)
	case hub.EventVerify:
		fmt.Fprintf(r.errw, "verifying sha256 of %s already in the cache…\n", e.File)
	case hub.EventReuse:
		fmt.Fprintf(r.errw, "%s already in the cache, sha256 verified\n", e.File)
	case hub.EventStart, hub.EventProgress:
		r.progress(e)
	case hub.EventRetry:
		r.clear()
		fmt.Fprintln(r.errw, retryLine(e))
	case hub.EventRestart:
		r.clear()
		fmt.Fprintln(r.errw, "the server ignored the resume request; starting over")
	case hub.EventDone:
		if r.bar != nil {
			_ = r.bar.Finish()
			fmt.Fprintln(r.errw)
			r.bar = nil
		}
	}
}

func (r *reporter) progress(e hub.Event) {
	if r.bar == nil || r.file != e.File {
		r.file = e.File
		r.bar = progressbar.NewOptions64(e.Total,
			progressbar.OptionSetWriter(r.errw),
			progressbar.OptionSetDescription(e.File),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(barThrottle),
		)
	}
	_ = r.bar.Set64(e.Completed)
}

func (r *reporter) clear() {
	if r.bar != nil {
		_ = r.bar.Clear()
	}
}

func (r *reporter) finish() {
	if r.bar != nil {
		_ = r.bar.Exit()
		fmt.Fprintln(r.errw)
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
