package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/hub/hubtest"
	"github.com/plumewriter/plume/internal/testutil"
)

// The end-to-end tests build the real binary once and drive it against the
// fake hub, the way a user would.

const (
	e2eRepo   = "karpathy/tinyllamas-GGUF"
	e2eFile   = "stories260K-F32.gguf"
	e2eRef    = "hf.co/" + e2eRepo + ":F32"
	e2eSHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func plumeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plume-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "plume")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// e2eEnv is a clean environment pointing plume at the fake hub and a temp cache.
func e2eEnv(h *hubtest.Hub, dir string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HF_") && !strings.HasPrefix(kv, "PLUME_") && !strings.HasPrefix(kv, "HUGGINGFACE_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "HF_HOME="+filepath.Join(dir, "hf"), "PLUME_HOME="+filepath.Join(dir, "data"),
		"HF_ENDPOINT="+h.URL), extra...)
}

func runPlume(t *testing.T, env []string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(plumeBinary(t), args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func fixtureHub(t *testing.T) *hubtest.Hub {
	t.Helper()
	data, err := os.ReadFile(testutil.Fixture(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	h := hubtest.New()
	t.Cleanup(h.Close)
	h.AddFile(e2eRepo, e2eFile, data)
	h.AddFile(e2eRepo, "README.md", []byte("---\nlicense: mit\n---\n# stories260K\n"))
	return h
}

// decodeEvents parses NDJSON output, failing on any non-JSON line.
func decodeEvents(t *testing.T, out string) []hub.Event {
	t.Helper()
	var evs []hub.Event
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e hub.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("stdout line %q is not an NDJSON event: %v", sc.Text(), err)
		}
		evs = append(evs, e)
	}
	return evs
}

func TestE2EPullListShowRunRm(t *testing.T) {
	h := fixtureHub(t)
	h.SetFaults(hubtest.Faults{DropAfter: 300_000, DropTimes: 1})
	dir := t.TempDir()
	env := e2eEnv(h, dir)

	out, stderr, err := runPlume(t, env, "pull", e2eRef) // stdout is a pipe: NDJSON
	if err != nil {
		t.Fatalf("pull: %v\n%s", err, stderr)
	}
	t.Logf("plume pull %s (NDJSON):\n%s", e2eRef, out)
	evs := decodeEvents(t, out)
	last := evs[len(evs)-1]
	if last.Type != hub.EventDone || last.SHA256 != e2eSHA256 || !strings.HasPrefix(last.Path, dir) {
		t.Fatalf("last event %+v", last)
	}
	if r := h.Requests(); !hasRange(r, "bytes=300000-") {
		t.Fatalf("the dropped download did not resume with Range: %+v", r)
	}
	if h.AuthLeaks() != 0 {
		t.Fatal("Authorization reached the CDN")
	}

	out, stderr, err = runPlume(t, env, "list")
	if err != nil || !strings.Contains(out, e2eRepo+"/"+e2eFile) || !strings.Contains(out, "llama") || !strings.Contains(out, "mit") {
		t.Fatalf("list: %v\n%s%s", err, out, stderr)
	}
	out, stderr, err = runPlume(t, env, "show", e2eRef)
	if err != nil || !strings.Contains(out, e2eSHA256) || !strings.Contains(out, "architecture    llama") || !strings.Contains(out, "context length  2048") {
		t.Fatalf("show: %v\n%s%s", err, out, stderr)
	}

	t.Run("run", func(t *testing.T) {
		offline := append(append([]string(nil), env...), "HF_HUB_OFFLINE=1")
		out, stderr, err := runPlume(t, offline, "run", "--model", e2eRef, "--prompt-ids", "1", "-n", "8", "--temperature", "0")
		// stories260K's greedy continuation of BOS (fixtures/stories260K.greedy.json
		// ids 403 407 261 378 …) reads "Once upon a time, there was a".
		if err != nil || !strings.Contains(out, "Once upon a time") {
			t.Fatalf("plume run --model %s: %v\nstdout: %s\nstderr: %s", e2eRef, err, out, stderr)
		}
		t.Logf("plume run output: %s", out)
	})

	out, stderr, err = runPlume(t, env, "rm", e2eRef)
	if err != nil {
		t.Fatalf("rm: %v\n%s", err, stderr)
	}
	blob := filepath.Join(dir, "hf", "hub", "models--karpathy--tinyllamas-GGUF", "blobs", e2eSHA256)
	if _, err := os.Stat(blob); !os.IsNotExist(err) {
		t.Fatalf("blob still present after rm: %v", err)
	}
	out, _, _ = runPlume(t, env, "list")
	if !strings.Contains(out, "no models") {
		t.Fatalf("list after rm: %s", out)
	}
}

// verbRegistered reports whether plume knows a subcommand.

func hasRange(reqs []hubtest.Request, rng string) bool {
	for _, r := range reqs {
		if r.Server == "cdn" && r.Range == rng {
			return true
		}
	}
	return false
}

// TestE2EKilledPullResumes kills plume pull (SIGKILL) while the CDN stalls
// mid-body, then pulls again: the second run must resume with Range from
// the bytes already on disk and end with the right sha256.
func TestE2EKilledPullResumes(t *testing.T) {
	const stallAt = 400_000
	h := fixtureHub(t)
	h.SetFaults(hubtest.Faults{StallAfter: stallAt})
	dir := t.TempDir()
	env := e2eEnv(h, dir)
	cmd := exec.Command(plumeBinary(t), "pull", "--json", e2eRef)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(dir, "hf", "hub", "models--karpathy--tinyllamas-GGUF", "blobs", e2eSHA256+".incomplete")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fi, err := os.Stat(partial); err == nil && fi.Size() == stallAt {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the partial file never reached the stall point")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = bufio.NewReader(stdout).WriteTo(io.Discard) }()
	if err := cmd.Wait(); err == nil {
		t.Fatal("killed pull exited cleanly")
	}
	h.SetFaults(hubtest.Faults{})
	out, stderr, err := runPlume(t, env, "pull", "--json", e2eRef)
	if err != nil {
		t.Fatalf("second pull: %v\n%s", err, stderr)
	}
	evs := decodeEvents(t, out)
	if last := evs[len(evs)-1]; last.SHA256 != e2eSHA256 {
		t.Fatalf("last event %+v", last)
	}
	if !hasRange(h.Requests(), "bytes=400000-") {
		t.Fatalf("second pull did not resume with Range: %+v", h.Requests())
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Fatal(".incomplete left after a finished pull")
	}
}

func TestPullUsageErrors(t *testing.T) {
	h := hubtest.New()
	defer h.Close()
	env := e2eEnv(h, t.TempDir())
	for _, ref := range []string{"org/../x.gguf", "org/repo/../../../etc/x.gguf", "a\\b/c/d.gguf", "hf.co/a--b/c", "hf.co/a/b:Q4\x01", "just-a-word"} {
		_, stderr, err := runPlume(t, env, "pull", ref)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
			t.Errorf("pull %q: err %v, want exit %d\n%s", ref, err, exitUsage, stderr)
		}
	}
	if _, stderr, err := runPlume(t, env, "pull", "../../etc/passwd.gguf"); err == nil || !strings.Contains(stderr, "local path") {
		t.Errorf("pull of a local path: %v %s", err, stderr)
	}
	_, stderr, err := runPlume(t, env, "pull", "hf.co/acme/Missing-GGUF")
	if err == nil || !strings.Contains(stderr, "acme/Missing-GGUF") {
		t.Errorf("missing repo: %v %s", err, stderr)
	}
}
