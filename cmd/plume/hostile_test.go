package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/hub/hubtest"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/testutil"
)

// hostileGGUF is a tiny model whose general.name, general.license and
// chat template carry terminal escape sequences (OSC title, CSI clear
// screen, C1 CSI, carriage return).
func hostileGGUF(t *testing.T) []byte {
	t.Helper()
	w, err := testmodel.BuildEdited(testmodel.Tiny("llama", tensor.F32), testmodel.Edit{
		KV: func(key string, v any) any {
			switch key {
			case "general.name":
				return "Tiny\x1b]0;owned\x07\x1b[2J"
			case "general.license":
				return "\u009b31mMIT\rEVIL"
			}
			return v
		},
		Extra: map[string]any{"tokenizer.chat_template": "{{ '\x1b]52;c;cGF5bG9hZA==\x07' }}\n{{ messages }}"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawControls reports the first C0 (other than tab and newline) or C1
// control in s, or -1.
func rawControls(s string) rune {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return r
		}
	}
	return -1
}

// TestHostileMetadataIsEscaped is issue 13 item 5 for show and list: GGUF
// metadata with escape sequences is printed escaped, never raw.
func TestHostileMetadataIsEscaped(t *testing.T) {
	h := hubtest.New()
	t.Cleanup(h.Close)
	h.AddFile("evil/Tiny-GGUF", "tiny-F32.gguf", hostileGGUF(t))
	dir := t.TempDir()
	env := e2eEnv(h, dir)
	if _, stderr, err := runPlume(t, env, "pull", "evil/Tiny-GGUF/tiny-F32.gguf"); err != nil {
		t.Fatalf("pull: %v\n%s", err, stderr)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"show", "evil/Tiny-GGUF/tiny-F32.gguf"}, []string{`Tiny\x1b]0;owned\x07\x1b[2J`, `\u009b31mMIT\x0dEVIL`, `\x1b]52;c;`}},
		{[]string{"show", "--template", "evil/Tiny-GGUF/tiny-F32.gguf"}, []string{`\x1b]52;c;`}},
		{[]string{"list"}, []string{`\u009b31mMIT\x0dEVIL`}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, stderr, err := runPlume(t, env, tc.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if r := rawControls(out + stderr); r >= 0 {
				t.Fatalf("raw control %U reached the output:\n%q", r, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestE2EUnreachableHub is issue 18 item 1 through the real binary: with a
// hub that refuses connections or whose name does not resolve, pull and run
// fail in under 5 s (test's clock) after one retry, shown as an NDJSON
// event, and the error says what to do and lists the cached models that
// run.
func TestE2EUnreachableHub(t *testing.T) {
	h := fixtureHub(t)
	dir := t.TempDir()
	if _, stderr, err := runPlume(t, e2eEnv(h, dir), "pull", e2eRef); err != nil {
		t.Fatalf("seeding the cache: %v\n%s", err, stderr)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	tests := []struct {
		name, endpoint string
		args           []string
	}{
		{"pull, connection refused", refused, []string{"pull", "hf.co/acme/Other-GGUF"}},
		{"pull, DNS failure", "https://hub.invalid", []string{"pull", "hf.co/acme/Other-GGUF"}},
		{"run, connection refused", refused, []string{"run", "hf.co/acme/Other-GGUF", "--prompt", "x"}},
		{"write, connection refused", refused, []string{"write", "Compost", "--model", "hf.co/acme/Other-GGUF"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := e2eEnv(h, dir, "HF_ENDPOINT="+tc.endpoint)
			start := time.Now()
			out, stderr, err := runPlume(t, env, tc.args...)
			elapsed := time.Since(start)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("err = %v, want exit 1\n%s", err, stderr)
			}
			if elapsed >= 5*time.Second {
				t.Errorf("failed after %v, want < 5 s", elapsed)
			}
			for _, want := range []string{"--model FILE.gguf", "PLUME_MODEL", "HF_ENDPOINT", "HF_HUB_OFFLINE", e2eRepo + "/" + e2eFile} {
				if !strings.Contains(stderr, want) {
					t.Errorf("error lacks %q:\n%s", want, stderr)
				}
			}
			if tc.args[0] == "write" { // a line on stderr, as write reports the model's pull
				if !strings.Contains(stderr, "retrying in 500 ms (2/2): ") {
					t.Errorf("no retry line:\n%s", stderr)
				}
				return
			}
			events := out // pull: NDJSON on stdout (a pipe); run: on stderr
			if tc.args[0] == "run" {
				events = stderr[:strings.LastIndex(stderr, "\nplume: ")+1]
				if strings.HasPrefix(events, "plume: seed ") { // run reports its seed first
					events = events[strings.Index(events, "\n")+1:]
				}
			}
			retries := 0
			for _, e := range decodeEvents(t, events) {
				if e.Type == hub.EventRetry {
					retries++
					if e.Attempt != 2 || e.Attempts != 2 {
						t.Errorf("retry event %+v", e)
					}
				}
			}
			if retries != 1 {
				t.Errorf("%d retry events, want 1:\n%s", retries, events)
			}
		})
	}
}

func TestRetryLine(t *testing.T) {
	tests := []struct {
		e    hub.Event
		want string
	}{
		{hub.Event{Attempt: 2, Attempts: 6, WaitMS: 4000, Error: "GET x: EOF"}, "retrying in 4 s (2/6): GET x: EOF"},
		{hub.Event{Attempt: 2, Attempts: 2, WaitMS: 500, Error: "dial: refused"}, "retrying in 500 ms (2/2): dial: refused"},
		{hub.Event{Attempt: 3, Attempts: 6, WaitMS: 1000, Error: "body \x1b[2J"}, `retrying in 1 s (3/6): body \x1b[2J`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := retryLine(tc.e); got != tc.want {
				t.Errorf("retryLine = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestE2EPartialListRmGC: an incomplete download is shown by list
// --partial with its size and removed by rm MODEL and by gc.
func TestE2EPartialListRmGC(t *testing.T) {
	h := hubtest.New()
	t.Cleanup(h.Close)
	dir := t.TempDir()
	env := e2eEnv(h, dir, "HF_HUB_OFFLINE=1")
	sum := strings.Repeat("ab", 32)
	blobs := filepath.Join(dir, "hf", "hub", "models--acme--Big-GGUF", "blobs")
	partial := filepath.Join(blobs, sum+".incomplete")
	leave := func() {
		t.Helper()
		if err := os.MkdirAll(blobs, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(partial, make([]byte, 3000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	leave()
	out, stderr, err := runPlume(t, env, "list", "--partial")
	if err != nil || !strings.Contains(out, "acme/Big-GGUF") || !strings.Contains(out, "2.9 KiB") || !strings.Contains(out, sum[:12]) {
		t.Fatalf("list --partial: %v\n%s%s", err, out, stderr)
	}
	if out, _, _ := runPlume(t, env, "list"); strings.Contains(out, "Big-GGUF") {
		t.Fatalf("plain list shows the partial:\n%s", out)
	}
	if _, stderr, err := runPlume(t, env, "rm", "hf.co/acme/Big-GGUF"); err != nil {
		t.Fatalf("rm: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Fatalf("rm left the partial: %v", err)
	}
	leave()
	out, stderr, err = runPlume(t, env, "gc")
	if err != nil || !strings.Contains(out, "1 incomplete download(s) removed, 2.9 KiB freed") {
		t.Fatalf("gc: %v\n%s%s", err, out, stderr)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Fatalf("gc left the partial: %v", err)
	}
	if out, _, _ := runPlume(t, env, "list", "--partial"); !strings.Contains(out, "no incomplete downloads") {
		t.Fatalf("list --partial after gc:\n%s", out)
	}
}

// TestE2ETruncatedModelDuringRun is issue 13 item 1 through the binary:
// `plume run --model m.gguf -n 2000 &` then `truncate -s 4096 m.gguf`
// ends with exit 1 and "model file changed while in use", not SIGBUS.
func TestE2ETruncatedModelDuringRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := testmodel.WriteFile(testmodel.Base("llama", tensor.Q8_0), path); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(plumeBinary(t), "run", "--model", path, "--prompt-ids", "1", "-n", "2000", "--temperature", "0", "--threads", "2")
	h := hubtest.New()
	t.Cleanup(h.Close)
	cmd.Env = e2eEnv(h, t.TempDir(), "HF_HUB_OFFLINE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until it is generating, then truncate the file under it.
	buf := make([]byte, 64)
	got := 0
	for got < 16 {
		n, err := stdout.Read(buf)
		if err != nil {
			t.Fatalf("run ended before the truncation: %v (stdout %d bytes)\n%s", err, got, stderr.String())
		}
		got += n
	}
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("err = %v, want exit 1\n%s", err, stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "model file changed while in use: "+path) || strings.Contains(msg, "SIGBUS") || strings.Contains(msg, "goroutine ") {
		t.Fatalf("stderr:\n%s", msg)
	}
}

// TestErrorsNamePathOnce is issue 13 item 9: "open X: X: gguf: …" named the
// file twice; every verb that opens a model names it once.
func TestErrorsNamePathOnce(t *testing.T) {
	bad := testutil.Fixture(t, "PROVENANCE.md") // not a GGUF file
	missing := filepath.Join(t.TempDir(), "missing.gguf")
	h := hubtest.New()
	t.Cleanup(h.Close)
	env := e2eEnv(h, t.TempDir(), "HF_HUB_OFFLINE=1")
	tests := []struct {
		path string
		args []string
	}{
		{bad, []string{"show", bad}},
		{bad, []string{"run", "--model", bad, "--prompt", "x"}},
		{bad, []string{"tokenize", "--model", bad, "--text", "x"}},
		{missing, []string{"show", missing}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args[:1], " ")+" "+filepath.Base(tc.path), func(t *testing.T) {
			_, stderr, err := runPlume(t, env, tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if n := strings.Count(stderr, tc.path); n != 1 {
				t.Errorf("path named %d times:\n%s", n, stderr)
			}
		})
	}
}
