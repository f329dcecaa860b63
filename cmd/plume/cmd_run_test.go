package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

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
