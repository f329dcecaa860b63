package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// hookGen wraps the synthetic generator; call number at (0-based) runs
// hook instead, as a Ctrl-C or a failing engine would.
type hookGen struct {
	*fakegen.Generator
	n, at int
	hook  func(ctx context.Context) error
}

func (g *hookGen) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	g.n++
	if g.n-1 == g.at && g.hook != nil {
		return llm.Result{}, g.hook(ctx)
	}
	return g.Generator.Generate(ctx, req, onToken)
}

// executeCtx is execute with a cancellable context, as main's signal
// handler gives.
func executeCtx(t *testing.T, ctx context.Context, cmd *cobra.Command, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(ctx)
	return out.String(), errb.String(), err
}

// interruptingEnv returns an env whose first run is cancelled at call 4
// (inside drafting) and whose later runs complete.
func interruptingEnv(t *testing.T) (*testEnv, context.Context, *bool) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	first := true
	env := newTestEnv(t, func() llm.Generator {
		g := &hookGen{Generator: synthetic().(*fakegen.Generator), at: -1}
		if first {
			first = false
			g.at = 4
			g.hook = func(ctx context.Context) error { cancel(); return ctx.Err() }
		}
		return g
	})
	return env, ctx, &first
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func articleStatus(t *testing.T, env *testEnv, id string) string {
	t.Helper()
	out, _, err := execute(t, newArticlesCmd(env.d), "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []library.Summary
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if strconv.FormatInt(a.ID, 10) == id {
			return a.Status
		}
	}
	t.Fatalf("article %s not listed: %s", id, out)
	return ""
}

// TestWriteInterruptSetsStatusInterrupted is the regression test for an
// article left "running" after Ctrl-C: it is "interrupted" (listed so) and
// --resume completes it.
func TestWriteInterruptSetsStatusInterrupted(t *testing.T) {
	t.Parallel()
	env, ctx, _ := interruptingEnv(t)
	out := filepath.Join(env.dir, "out")
	_, _, err := executeCtx(t, ctx, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "--resume 1") {
		t.Fatalf("interrupted run: %v", err)
	}
	if got := articleStatus(t, env, "1"); got != library.StatusInterrupted {
		t.Fatalf("status after Ctrl-C = %q, want %q", got, library.StatusInterrupted)
	}
	list, _, _ := execute(t, newArticlesCmd(env.d), "list")
	if !strings.Contains(list, "interrupted") {
		t.Errorf("articles list does not show it:\n%s", list)
	}
	if _, stderr, err := execute(t, newWriteCmd(env.d), "--resume", "1", "--out", out); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	if got := articleStatus(t, env, "1"); got != library.StatusDone {
		t.Fatalf("status after resume = %q", got)
	}
}

// TestWriteErrorSetsStatusFailedAndResumes: an error marks the article
// "failed", which --resume accepts.
func TestWriteErrorSetsStatusFailedAndResumes(t *testing.T) {
	t.Parallel()
	crash := true
	env := newTestEnv(t, func() llm.Generator {
		g := synthetic().(*fakegen.Generator)
		if crash {
			g.FailAfter = 4
		}
		return g
	})
	out := filepath.Join(env.dir, "out")
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out); !errors.Is(err, fakegen.ErrCrash) {
		t.Fatalf("crash run: %v", err)
	}
	if got := articleStatus(t, env, "1"); got != library.StatusFailed {
		t.Fatalf("status after an error = %q, want failed", got)
	}
	crash = false
	if _, stderr, err := execute(t, newWriteCmd(env.d), "--resume", "1", "--out", out); err != nil {
		t.Fatalf("resume a failed article: %v\n%s", err, stderr)
	}
}

// TestWriteResumeRefusedWhileLocked is the regression test for two
// `plume write --resume N` adding revisions at once: while another process
// holds article N, resume fails with a message naming its PID (and, with
// --json, a final error event); a "running" article whose writer died
// (lock free) is resumed.
func TestWriteResumeRefusedWhileLocked(t *testing.T) {
	t.Parallel()
	crash := true
	env := newTestEnv(t, func() llm.Generator {
		g := synthetic().(*fakegen.Generator)
		if crash {
			g.FailAfter = 4
		}
		return g
	})
	out := filepath.Join(env.dir, "out")
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out); !errors.Is(err, fakegen.ErrCrash) {
		t.Fatalf("crash run: %v", err)
	}
	crash = false
	other, err := library.Open(env.lib)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.SetStatus(context.Background(), 1, library.StatusRunning); err != nil {
		t.Fatal(err)
	}
	lk, err := other.LockArticle(1)
	if err != nil {
		t.Fatal(err)
	}
	opened := env.opened
	stdout, _, err := execute(t, newWriteCmd(env.d), "--resume", "1", "--out", out, "--json")
	want := fmt.Sprintf("article 1 is being written by another plume process (pid %d)", os.Getpid())
	if !errors.Is(err, library.ErrLocked) || err.Error() != want {
		t.Fatalf("resume while locked: %v, want %q", err, want)
	}
	if env.opened != opened {
		t.Errorf("the model was loaded although the article is locked")
	}
	var ev endEvent
	if err := json.Unmarshal([]byte(lastLine(stdout)), &ev); err != nil || ev.Event != "error" || ev.ArticleID != 1 || ev.Message != want {
		t.Errorf("final event %q: %v", stdout, err)
	}
	a, _ := other.Get(context.Background(), 1)
	if a.Status != library.StatusRunning || len(a.Revisions) != 0 {
		t.Errorf("the refused run changed the article: %s, %d revisions", a.Status, len(a.Revisions))
	}
	lk.Unlock() // the holder dies: "running" with a free lock is stale
	if _, stderr, err := execute(t, newWriteCmd(env.d), "--resume", "1", "--out", out); err != nil {
		t.Fatalf("resume of a stale running article: %v\n%s", err, stderr)
	}
}

// TestWriteJSONFinalEvent is the regression test for --json runs that end
// without a final event: an interrupt and an error each end stdout with
// {"event": "interrupted"|"error", "article_id", "message", "resume"}.
func TestWriteJSONFinalEvent(t *testing.T) {
	t.Parallel()
	env, ctx, _ := interruptingEnv(t)
	out := filepath.Join(env.dir, "out")
	stdout, _, err := executeCtx(t, ctx, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out, "--json")
	if err == nil {
		t.Fatal("interrupted run succeeded")
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lastLine(stdout)), &ev); err != nil {
		t.Fatalf("last line %q: %v", lastLine(stdout), err)
	}
	if ev["event"] != "interrupted" || ev["type"] != "interrupted" || ev["article_id"] != 1.0 ||
		ev["resume"] != "plume write --resume 1" || !strings.Contains(ev["message"].(string), "interrupted") {
		t.Errorf("interrupt event: %v", ev)
	}

	env = newTestEnv(t, func() llm.Generator {
		return &hookGen{Generator: synthetic().(*fakegen.Generator), at: 2,
			hook: func(context.Context) error { return errors.New("generate: prompt: out of memory") }}
	})
	stdout, _, err = execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out, "--json")
	if err == nil {
		t.Fatal("failing run succeeded")
	}
	ev = nil
	if err := json.Unmarshal([]byte(lastLine(stdout)), &ev); err != nil {
		t.Fatalf("last line %q: %v", lastLine(stdout), err)
	}
	if ev["event"] != "error" || ev["article_id"] != 1.0 || ev["resume"] != "plume write --resume 1" ||
		ev["message"] != err.Error() {
		t.Errorf("error event: %v (err %v)", ev, err)
	}
}

// TestWriteErrorHasNoRepeatedPrefix is the regression test for
// "generate: generate: …": the writer added "generate:" to the engine's own
// "generate: …" errors.
func TestWriteErrorHasNoRepeatedPrefix(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func() llm.Generator {
		return &hookGen{Generator: synthetic().(*fakegen.Generator), at: 3,
			hook: func(context.Context) error { return errors.New("generate: prompt: out of memory") }}
	})
	_, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", filepath.Join(env.dir, "o"))
	if err == nil {
		t.Fatal("failing run succeeded")
	}
	msg := err.Error()
	if n := strings.Count(msg, "generate:"); n != 1 {
		t.Errorf("%q has %d \"generate:\" prefixes, want 1", msg, n)
	}
	parts := strings.Split(msg, ": ")
	for i := 1; i < len(parts); i++ {
		if parts[i] == parts[i-1] {
			t.Errorf("%q repeats %q", msg, parts[i])
		}
	}
}

// TestArticlesExportJSON is the regression test for `articles export
// --format json` being refused: it prints the same bytes as the file
// `write --format json` wrote.
func TestArticlesExportJSON(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	out := filepath.Join(env.dir, "out")
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "2", "--words", "300", "--format", "json", "--out", out); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.json"))
	var want []byte
	for _, f := range files {
		if !strings.HasSuffix(f, ".plume.json") {
			want, _ = os.ReadFile(f)
		}
	}
	if len(want) == 0 {
		t.Fatalf("no json article in %v", files)
	}
	got, _, err := execute(t, newArticlesCmd(env.d), "export", "1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("export json differs from write's file:\n%.300s\n---\n%.300s", got, want)
	}
}

// TestOpenLocalErrorHasNoRepeatedPrefix is the regression test for
// "load X: load X: …" when the engine cannot load a model file.
func TestOpenLocalErrorHasNoRepeatedPrefix(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("PLUME_HOME", filepath.Join(dir, "plume"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	path := filepath.Join(dir, "bad.gguf")
	// A valid GGUF v3 header with no tensors and no keys: no architecture.
	if err := os.WriteFile(path, append([]byte("GGUF\x03\x00\x00\x00"), make([]byte, 64)...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := openLocal(context.Background(), backendConfig{Model: path}, nil)
	if err == nil {
		t.Fatal("loading a model without an architecture succeeded")
	}
	msg := err.Error()
	if n := strings.Count(msg, "load "); n != 1 {
		t.Errorf("%q has %d \"load\" prefixes, want 1", msg, n)
	}
	if !strings.Contains(msg, path) {
		t.Errorf("%q does not name the file", msg)
	}
}
