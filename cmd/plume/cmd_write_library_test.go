package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/writer"
)

// termBuffer is a stderr that says it is a terminal.
type termBuffer struct{ bytes.Buffer }

func (*termBuffer) IsTerminal() bool { return true }

// executeIO runs a fresh command tree with the given stdin and stderr.
func executeIO(t *testing.T, cmd *cobra.Command, stdin string, stderr interface {
	Write([]byte) (int, error)
	String() string
}, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(stderr)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// TestWriteStdoutIsTheArticle is the regression test for drafts on
// stdout: without --json, stdout is exactly the saved file in every
// format (plume write … > post.md works); on a terminal the drafting
// stream and the progress go to stderr, never to stdout.
func TestWriteStdoutIsTheArticle(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format string
		live   bool
	}{{"md", false}, {"html", false}, {"json", false}, {"md", true}} {
		name := tc.format
		if tc.live {
			name += " on a terminal"
		}
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, synthetic)
			out := filepath.Join(env.dir, "out")
			var stderr interface {
				Write([]byte) (int, error)
				String() string
			} = &bytes.Buffer{}
			if tc.live {
				stderr = &termBuffer{}
			}
			stdout, err := executeIO(t, newWriteCmd(env.d), "", stderr, "Compost basics", "--seed", "3", "--words", "300",
				"--out", out, "--format", tc.format)
			if err != nil {
				t.Fatalf("write: %v\n%s", err, stderr.String())
			}
			files, _ := filepath.Glob(filepath.Join(out, "*."+tc.format))
			files = slicesDeleteManifests(files)
			if len(files) != 1 {
				t.Fatalf("files: %v", files)
			}
			saved, _ := os.ReadFile(files[0])
			if stdout != string(saved) {
				t.Fatalf("stdout (%d bytes) is not the saved file (%d bytes):\n%.400s", len(stdout), len(saved), stdout)
			}
			progress := strings.Contains(stderr.String(), "[draft 1/") && strings.Contains(stderr.String(), "tok/s")
			if progress != tc.live {
				t.Errorf("progress on stderr = %v, want %v:\n%s", progress, tc.live, stderr.String())
			}
			if tc.live {
				// The drafting stream: the first words of the introduction.
				intro := strings.Fields(strings.SplitN(string(saved), "---\n\n", 2)[1])[:4]
				if !strings.Contains(stderr.String(), strings.Join(intro, " ")) {
					t.Errorf("the drafting stream is not on stderr (want %q)", intro)
				}
			}
		})
	}
}

func slicesDeleteManifests(files []string) []string {
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, writer.ManifestSuffix) {
			out = append(out, f)
		}
	}
	return out
}

// TestWriteOutlineOnlyEndsAsOutline: an outline-only run is listed as
// "outline", not "running", and prints only the outline.
func TestWriteOutlineOnlyEndsAsOutline(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	stdout, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--outline-only")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, "# ") {
		t.Errorf("stdout is not the outline:\n%s", stdout)
	}
	if got := articleStatus(t, env, "1"); got != library.StatusOutline {
		t.Fatalf("status = %q, want outline", got)
	}
	list, _, _ := execute(t, newArticlesCmd(env.d), "list")
	if !strings.Contains(list, "plume write --resume ID") {
		t.Errorf("list does not say how to continue:\n%s", list)
	}
}

// TestArticlesRm: rm asks (only y/yes confirms) unless --yes, removes the
// rows and the lock file, and refuses an article a live process writes.
func TestArticlesRm(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	for range 2 {
		if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--outline-only"); err != nil {
			t.Fatal(err)
		}
	}
	locks := filepath.Join(filepath.Dir(env.lib), "locks")
	if left, _ := os.ReadDir(locks); len(left) != 0 {
		t.Errorf("lock files pile up: %v", left)
	}
	lib, err := library.Open(env.lib) // another "process" writing article 2
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	lk, err := lib.LockArticle(2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stdin string
		args        []string
		gone        bool
		wantErr     error
	}{
		{"declined", "n\n", []string{"rm", "1"}, false, nil},
		{"no answer", "", []string{"rm", "1"}, false, nil},
		{"locked", "", []string{"rm", "2", "--yes"}, false, library.ErrLocked},
		{"confirmed", "yes\n", []string{"rm", "1"}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := executeIO(t, newArticlesCmd(env.d), tc.stdin, &stderr, tc.args...)
			if (tc.wantErr == nil && err != nil) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			_, _, err = execute(t, newArticlesCmd(env.d), "show", tc.args[1])
			var ue usageError
			if gone := errors.As(err, &ue); gone != tc.gone {
				t.Fatalf("removed = %v, want %v (%v)", gone, tc.gone, err)
			}
		})
	}
	lk.Unlock()
	if _, _, err := execute(t, newArticlesCmd(env.d), "rm", "2", "--yes"); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(locks); len(left) != 0 {
		t.Errorf("lock files left: %v", left)
	}
}

// TestArticlesReadOnlyHome is the regression test for reading commands
// that failed with "unable to open database file" on a read-only
// PLUME_HOME: list, show and export work.
func TestArticlesReadOnlyHome(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", filepath.Join(env.dir, "o")); err != nil {
		t.Fatal(err)
	}
	testutil.ReadOnlyDir(t, filepath.Dir(env.lib))
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"show", "1"}, {"show", "1", "--manifest"}, {"export", "1", "--format", "html"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, _, err := execute(t, newArticlesCmd(env.d), args...)
			if err != nil || len(out) < 10 {
				t.Fatalf("err = %v, out %q", err, out)
			}
		})
	}
}

// TestWriteFullOutDir is the regression test for an article file left
// without its manifest on a full disk: --out is a tmpfs too small for
// both; neither appears, the article stays resumable, and once there is
// room the resume writes both into the same directory (a real tmpfs; the
// test skips where it cannot mount one).
func TestWriteFullOutDir(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	out := testutil.SmallTmpfs(t, "8k")
	_, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out)
	// The disk's error, and the resume command the user reads.
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "--resume 1") {
		t.Fatalf("write into a full directory: %v, want ENOSPC naming plume write --resume 1", err)
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Fatalf("files left in the full directory: %v", left)
	}
	if got := articleStatus(t, env, "1"); got != library.StatusFailed {
		t.Fatalf("status = %q, want failed", got)
	}
	if b, err := exec.Command("mount", "-o", "remount,size=4m", out).CombinedOutput(); err != nil {
		t.Fatalf("grow the tmpfs: %v: %s", err, b)
	}
	if _, stderr, err := execute(t, newWriteCmd(env.d), "--resume", "1"); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	mans, _ := filepath.Glob(filepath.Join(out, "*"+writer.ManifestSuffix))
	if len(mds) != 1 || len(mans) != 1 {
		t.Fatalf("after resume: %v %v", mds, mans)
	}
}

// TestArticlesShowOnFullDisk is the regression test for articles show
// failing to set the schema version on a full disk: PLUME_HOME is a small
// tmpfs filled to the last byte after the article was written.
func TestArticlesShowOnFullDisk(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	home := testutil.SmallTmpfs(t, "2m")
	env.lib = filepath.Join(home, library.FileName)
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", filepath.Join(env.dir, "o")); err != nil {
		t.Fatal(err)
	}
	fill, err := os.Create(filepath.Join(home, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := fill.Write(chunk); err != nil {
			break // ENOSPC: the disk is full
		}
	}
	fill.Close()
	for _, args := range [][]string{{"show", "1"}, {"list"}, {"export", "1", "--format", "json"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if out, _, err := execute(t, newArticlesCmd(env.d), args...); err != nil || out == "" {
				t.Fatalf("err = %v, out %q", err, out)
			}
		})
	}
}

// TestWriteSamplingFlags: --top-k and --top-p reach the run like
// --temperature (recorded in the manifest's inputs).
func TestWriteSamplingFlags(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	out := filepath.Join(env.dir, "out")
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out,
		"--top-k", "7", "--top-p", "0.5", "--temperature", "0.3"); err != nil {
		t.Fatal(err)
	}
	mans, _ := filepath.Glob(filepath.Join(out, "*"+writer.ManifestSuffix))
	data, _ := os.ReadFile(mans[0])
	m, err := writer.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Inputs.Sampling; s.TopK != 7 || s.TopP != 0.5 || s.Temperature != 0.3 {
		t.Fatalf("sampling = %+v", s)
	}
}

// TestResumeKeysAreWriteFlags: every setting a resume compares is a flag of
// plume write, so that givenFlags sees it.
func TestResumeKeysAreWriteFlags(t *testing.T) {
	cmd := newWriteCmd(defaultDeps())
	for _, k := range append(writer.ResumeKeys, "threads", "ctx", "no-draft") {
		if cmd.Flags().Lookup(k) == nil {
			t.Errorf("--%s is not a flag of plume write", k)
		}
	}
}
