package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/testutil"
)

// killTimeout bounds the wait for the first drafted section of the real
// run (seconds on an idle machine; generous for a loaded CI runner).
const killTimeout = 3 * time.Minute

// killTestEnv is a clean environment for the real binary: its own data
// directory and model cache, offline, with a fixed article date.
func killTestEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HF_") && !strings.HasPrefix(kv, "PLUME_") && !strings.HasPrefix(kv, "HUGGINGFACE_") {
			env = append(env, kv)
		}
	}
	return append(env, "HF_HOME="+filepath.Join(dir, "hf"), "PLUME_HOME="+filepath.Join(dir, "data"),
		"HF_HUB_OFFLINE=1", "SOURCE_DATE_EPOCH=1764403200")
}

// waitForSection polls the library (read-only, as another process would)
// until article 1 has a drafted section.
func waitForSection(t *testing.T, lib string, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(killTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("the run ended (%v) before it could be killed", err)
		case <-time.After(20 * time.Millisecond):
		}
		s, err := library.OpenReadOnly(lib)
		if err != nil {
			continue
		}
		a, err := s.Get(context.Background(), 1)
		s.Close()
		if err == nil && len(a.Sections) > 0 {
			return
		}
	}
	t.Fatalf("no section drafted within %v", killTimeout)
}

// TestE2EKilledWriteResumesWithItsSettings is the regression test for a
// resumed run that wrote Markdown into the current directory after an HTML
// run into another: a real plume write --out DIR --format html on the
// fixture model is killed with SIGKILL after its first section; the
// article then lists as interrupted (no live process holds it); a resume
// with a contradicting --format is refused (exit 2); a plain resume from
// another directory writes the HTML into DIR, and stdout is that file.
func TestE2EKilledWriteResumesWithItsSettings(t *testing.T) {
	bin := plumeBinary(t)
	model := testutil.Fixture(t, "stories260K.gguf")
	dir := t.TempDir()
	out := filepath.Join(dir, "site")
	env := killTestEnv(dir)
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	for _, d := range []string{first, second} {
		os.Mkdir(d, 0o755)
	}
	cmd := exec.Command(bin, "write", "A little dog in the park", "--model", model, "--seed", "11", "--words", "300",
		"--revise", "0", "--threads", "1", "--out", out, "--format", "html")
	cmd.Dir, cmd.Env = first, env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitForSection(t, filepath.Join(dir, "data", library.FileName), done)
	cmd.Process.Signal(syscall.SIGKILL)
	<-done

	run := func(args ...string) (string, string, int) {
		c := exec.Command(bin, args...)
		c.Dir, c.Env = second, env
		var o, e bytes.Buffer
		c.Stdout, c.Stderr = &o, &e
		err := c.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return o.String(), e.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return o.String(), e.String(), 0
	}
	list, _, _ := run("articles", "list", "--json")
	var rows []library.Summary
	if err := json.Unmarshal([]byte(list), &rows); err != nil || len(rows) != 1 || rows[0].Status != library.StatusInterrupted {
		t.Fatalf("after SIGKILL: %v %s", err, list)
	}
	if show, _, _ := run("articles", "show", "1"); !strings.Contains(show, "plume write --resume 1") {
		t.Errorf("show does not give the resume command:\n%s", show)
	}
	if _, stderr, code := run("write", "--resume", "1", "--format", "md"); code != exitUsage || !strings.Contains(stderr, "--format md") {
		t.Fatalf("contradicting --format: exit %d\n%s", code, stderr)
	}
	stdout, stderr, code := run("write", "--resume", "1")
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	htmls, _ := filepath.Glob(filepath.Join(out, "*.html"))
	if len(htmls) != 1 {
		t.Fatalf("HTML in --out: %v (stderr %s)", htmls, stderr)
	}
	saved, _ := os.ReadFile(htmls[0])
	if stdout != string(saved) || !strings.HasPrefix(stdout, "<!DOCTYPE html>") {
		t.Errorf("stdout is not the saved HTML:\n%.300s", stdout)
	}
	if left, _ := os.ReadDir(second); len(left) != 0 {
		t.Errorf("the resume wrote into its own directory: %v", left)
	}
	if locks, _ := os.ReadDir(filepath.Join(dir, "data", "locks")); len(locks) != 0 {
		t.Errorf("lock files left: %v", locks)
	}
}
