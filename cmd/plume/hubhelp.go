package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/termsafe"
)

// retryLine is how a hub retry reads on a terminal:
// "retrying in 4 s (2/6): GET …: connection reset by peer".
func retryLine(e hub.Event) string {
	wait := time.Duration(e.WaitMS) * time.Millisecond
	w := fmt.Sprintf("%d s", int((wait + time.Second/2).Seconds()))
	if wait < time.Second {
		w = fmt.Sprintf("%d ms", wait.Milliseconds())
	}
	of := ""
	if e.Attempts > 0 {
		of = fmt.Sprintf("/%d", e.Attempts)
	}
	return fmt.Sprintf("retrying in %s (%d%s): %s", w, e.Attempt, of, termsafe.String(e.Error))
}

// hubEvents reports hub events of a model that run or write pulls: the
// pull's progress bar and retry lines on a terminal, NDJSON events
// otherwise (one per line, as plume pull --json prints them).
func hubEvents(w io.Writer) func(hub.Event) {
	if w == nil {
		return nil
	}
	if isTerminal(w) {
		return newReporter(w, w, false).event
	}
	return func(e hub.Event) {
		if b, err := json.Marshal(e); err == nil {
			fmt.Fprintln(w, string(b))
		}
	}
}

// advisedError is an error followed by what the user can do about it.
type advisedError struct {
	err    error
	advice string
}

func (e advisedError) Error() string { return e.err.Error() + "\n" + e.advice }
func (e advisedError) Unwrap() error { return e.err }

// hubAdvice adds, to an error saying the hub cannot be reached, the ways to
// go on without it and the cached models that the local engine can run
// (issue 18 item 1). Other errors are returned as they are.
func hubAdvice(err error) error {
	if !errors.Is(err, hub.ErrUnreachable) {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The model hub cannot be reached. Without it you can:\n")
	fmt.Fprintf(&b, "  - use a GGUF file you have: --model FILE.gguf (or %s=FILE.gguf)\n", config.EnvModel)
	fmt.Fprintf(&b, "  - use a Hugging Face mirror: %s=https://…\n", config.EnvHFEndpoint)
	fmt.Fprintf(&b, "  - work offline with the cached models: %s=1\n", config.EnvHFOffline)
	b.WriteString(cachedRunnable())
	return advisedError{err: err, advice: strings.TrimRight(b.String(), "\n")}
}

// cachedRunnable lists the cached models the local engine can run.
func cachedRunnable() string {
	store, err := hub.OpenCache(config.Load())
	if err != nil {
		return ""
	}
	defer store.Close()
	models, err := store.List()
	if err != nil {
		return ""
	}
	var rows []string
	for _, m := range models {
		if strings.HasPrefix(engineSupport(m.Path), "yes") {
			rows = append(rows, fmt.Sprintf("  %s (%s)", termsafe.String(m.Ref), humanBytes(m.Size)))
		}
	}
	if len(rows) == 0 {
		return fmt.Sprintf("No model in the cache (%s) can run yet.\n", store.Dir())
	}
	return "Cached models that run here (use one with --model):\n" + strings.Join(rows, "\n") + "\n"
}
