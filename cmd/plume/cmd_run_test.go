package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/testutil"
)

func execRun(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := newRunCmd() // fresh flags for each case
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// TestRunStory is the engine's acceptance check: stories260K with "Once
// upon a time", 64 greedy tokens, prints llama.cpp's story.
func TestRunStory(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	out, err := execRun(t, "", "--model", model, "--prompt", "Once upon a time", "-n", "64", "--temperature", "0")
	if err != nil {
		t.Fatal(err)
	}
	want := ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball."
	if !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "\n") {
		t.Errorf("output %q, want prefix %q", out, want)
	}
	// Positional reference and standard input give the same text.
	out2, err := execRun(t, "Once upon a time\n", model, "-n", "64", "--temperature", "0")
	if err != nil || out2 != out {
		t.Errorf("stdin/positional run: %q, %v", out2, err)
	}
}

func TestRunJSON(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	out, err := execRun(t, "", model, "--prompt-ids", "1,403,407,261,378", "-n", "8", "--temperature", "0",
		"--json", "--logprobs", "3", "--echo")
	if err != nil {
		t.Fatal(err)
	}
	var o runOutput
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var ids []int32
	for _, tk := range o.Tokens {
		ids = append(ids, tk.ID)
		if len(tk.TopLogprobs) != 3 || tk.TopLogprobs[0].ID != tk.ID || tk.Logprob > 0 {
			t.Errorf("token %+v", tk)
		}
	}
	// llama.cpp's greedy ids (internal/model/testdata/goldens/stories260K.json)
	if want := []int32{432, 383, 286, 261, 376, 298, 315, 421}; !slicesEqual(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
	if len(o.Echo) != 5 || o.Echo[1].ID != 403 || o.Echo[1].Logprob >= 0 || len(o.Echo[1].TopLogprobs) != 3 {
		t.Errorf("echo %+v", o.Echo)
	}
	if o.Model.Backend != "plume" || o.Model.SHA256 != "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d" ||
		o.Timings.PromptTokensPerS <= 0 || o.Timings.GenTokensPerS <= 0 || o.FinishReason != "length" {
		t.Errorf("model %+v timings %+v finish %q", o.Model, o.Timings, o.FinishReason)
	}
}

func TestRunUsageErrors(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	for _, args := range [][]string{
		{"--prompt", "x"},
		{model, "--model", model},
		{model, "-n", "-1"},
		{model, "--logprobs", "99"},
		{model, "--prompt", "a", "--prompt-ids", "1"},
		{model, "--prompt-ids", "1,x"},
		{model, "--temperature", "-1"},
		{model, "--kv", "q8_0"},
	} {
		_, err := execRun(t, "", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, err := execRun(t, "", model, "--prompt-ids", "1,99999"); err == nil {
		t.Error("token id outside the vocabulary accepted")
	}
}

func slicesEqual(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRunHostileFlagsAreUsageErrors: out-of-range numbers and ids on the
// command line exit 2 with a message that says what to change, instead of
// failing deep in the engine with exit 1.
func TestRunHostileFlagsAreUsageErrors(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	t.Chdir(t.TempDir())
	tests := []struct {
		args []string
		want string
	}{
		{[]string{model, "--threads", "-1", "--prompt", "x"}, "threads -1"},
		{[]string{model, "--threads", "10000", "--prompt", "x"}, "threads 10000"},
		{[]string{model, "--ctx", "-5", "--prompt", "x"}, "context length -5"},
		{[]string{model, "--prompt-ids", "999999,-3"}, `"999999" is not a token id`},
		{[]string{model, "--prompt-ids", "1,-3"}, `"-3" is not a token id`},
		{[]string{model, "--prompt-ids", ",,"}, "is not a token id"},
		{[]string{model, "extra", "--prompt", "x"}, "accepts at most 1 arg"},
		{[]string{"nosuch.gguf", "--prompt", "x"}, "no such file"},
		{[]string{model, "--prompt", "x", "--logprobs", "3"}, "add --json"},
		{[]string{model, "--prompt", "x", "--echo"}, "add --json"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			_, err := execRun(t, "", tt.args...)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v: err = %v, want a usage error containing %q", tt.args[1:], err, tt.want)
			}
		})
	}
}

// TestRunPromptTooLongIsARuntimeError: a prompt that does not fit the
// context is a failure of the run (exit 1), not a usage error: the same
// command line works with a model of a larger window (#13 item 8).
func TestRunPromptTooLongIsARuntimeError(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{model, "--ctx", "8", "--prompt-ids", "1,2,3,4,5,6,7,8,9,10,11"},
		{model, "--ctx", "8", "--prompt-ids", "1,2,3,4,5,6,7,8,9,10,11", "--echo", "--json", "-n", "0"},
	} {
		_, err := execRun(t, "", args...)
		var ue usageError
		// The kind, then the hint the user reads.
		if !errors.Is(err, engine.ErrContextLength) || errors.As(err, &ue) || !strings.Contains(err.Error(), "raise --ctx") {
			t.Errorf("%v: err = %v, want a runtime error saying to raise --ctx", args[1:], err)
		}
	}
}

// TestRunWarnsAboutInvalidPlumeThreads: plume run used to ignore
// PLUME_THREADS (plume write honours it) and to drop an invalid value
// silently; now the value is used and a typo is reported on stderr (a
// valid value prints no warning).
func TestRunWarnsAboutInvalidPlumeThreads(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	for _, tt := range []struct{ env, warn string }{{"1", ""}, {"abc", `PLUME_THREADS="abc" ignored`}} {
		t.Setenv("PLUME_THREADS", tt.env)
		var out, errb bytes.Buffer
		cmd := newRunCmd()
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		cmd.SetArgs([]string{model, "--prompt", "Once", "-n", "2", "--temperature", "0"})
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("PLUME_THREADS=%s: %v", tt.env, err)
		}
		if got := strings.Contains(errb.String(), "warning"); got != (tt.warn != "") || !strings.Contains(errb.String(), tt.warn) {
			t.Errorf("PLUME_THREADS=%s: stderr %q, want warning %q", tt.env, errb.String(), tt.warn)
		}
	}
}

// ggufWithKVs copies the GGUF file src with some metadata values replaced
// (or added), for hostile-model tests.
func ggufWithKVs(t *testing.T, src string, kvs map[string]any) string {
	t.Helper()
	f, err := gguf.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := gguf.NewWriter()
	w.SetAlignment(f.Alignment)
	for _, kv := range f.KVs {
		v, ok := kvs[kv.Key]
		if !ok {
			v = kv.Value
		}
		if kv.Key != "general.alignment" {
			if err := w.AddKV(kv.Key, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for k, v := range kvs {
		if _, ok := f.Lookup(k); !ok {
			if err := w.AddKV(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, ti := range f.Tensors {
		data, err := f.TensorData(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Dims, data); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "model.gguf")
	if err := w.WriteFile(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRunEmptyPromptWithoutBOSEcho: `plume run --prompt "" --echo --json`
// on a model that adds no BOS token panicked (index out of range in
// runEcho); an empty prompt is now a usage error in every mode.
func TestRunEmptyPromptWithoutBOSEcho(t *testing.T) {
	model := ggufWithKVs(t, testutil.Fixture(t, "stories260K.gguf"), map[string]any{"tokenizer.ggml.add_bos_token": false})
	for _, extra := range [][]string{{"--echo", "--json", "-n", "0"}, {"--echo", "--json"}, {}, {"--json"}} {
		args := append([]string{model, "--prompt", ""}, extra...)
		_, err := execRun(t, "", args...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "prompt is empty") {
			t.Errorf("%v: err = %v, want a usage error about the empty prompt", extra, err)
		}
	}
}

// TestRunCtrlCWhileWaitingForStdin: `plume run MODEL` without --prompt
// waits for standard input; Ctrl-C there was ignored until the input ended
// (Ctrl-D), because io.ReadAll does not watch the context.
func TestRunCtrlCWhileWaitingForStdin(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	pr, pw := io.Pipe() // input that never ends
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	for _, mk := range []func() *cobra.Command{newRunCmd, newTokenizeCmd} {
		cmd := mk()
		cmd.SetArgs([]string{"--model", model})
		cmd.SetIn(pr)
		cmd.SetOut(new(bytes.Buffer))
		cmd.SetErr(new(bytes.Buffer))
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(ctx) }()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: err = %v, want context.Canceled", cmd.Name(), err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s still waiting for standard input after Ctrl-C", cmd.Name())
		}
	}
}
