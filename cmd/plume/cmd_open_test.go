package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/testutil"
)

// vocabMismatchModel writes a model whose tokenizer has one token more than
// its embedding rows: the check plume show used to skip and plume run makes.
func vocabMismatchModel(t *testing.T) string {
	t.Helper()
	w, err := testmodel.BuildEdited(testmodel.Tiny("llama", tensor.F32), testmodel.Edit{
		Dims: func(name string, dims []uint64) []uint64 {
			if name == "token_embd.weight" || name == "output.weight" {
				return []uint64{dims[0], dims[1] - 1}
			}
			return dims
		}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mismatch.gguf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestShowAndRunAgree: plume show's "can the engine run this" and plume
// run's load are one piece of code: a file run rejects is never a "yes".
func TestShowAndRunAgree(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string
		ok   bool
	}{
		{"runnable", testutil.Fixture(t, "stories260K.gguf"), true},
		{"tokenizer and embeddings disagree", vocabMismatchModel(t), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			verdict := engineSupport(tc.path)
			cmd := newRunCmd()
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			cmd.SetArgs([]string{tc.path, "--prompt", "Once", "-n", "1", "--threads", "1"})
			runErr := cmd.Execute()
			if strings.HasPrefix(verdict, "yes") != tc.ok || (runErr == nil) != tc.ok {
				t.Errorf("show says %q, run says %v; want runnable = %v for both", verdict, runErr, tc.ok)
			}
			// One check, one message: show quotes run's error as it is.
			if !tc.ok && !strings.Contains(verdict, runErr.Error()) {
				t.Errorf("show's reason %q is not run's %q", verdict, runErr)
			}
		})
	}
}

// TestModelVerbsTakeHubReferences: run, tokenize, bench and show open a hub
// reference (pulled from a fake hub over a real socket) as well as a path,
// and bench takes its model as an argument like run.
func TestModelVerbsTakeHubReferences(t *testing.T) {
	h := fixtureHub(t)
	dir := t.TempDir()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "HF_") || strings.HasPrefix(k, "HUGGINGFACE_") || strings.HasPrefix(k, "PLUME_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("PLUME_HOME", filepath.Join(dir, "data"))
	t.Setenv("HF_ENDPOINT", h.URL)
	ref := e2eRepo + "/" + e2eFile
	path := testutil.Fixture(t, "stories260K.gguf")
	run := func(args ...string) (string, error) {
		c := map[string]func() *cobra.Command{"run": newRunCmd, "tokenize": newTokenizeCmd, "bench": newBenchCmd,
			"show": func() *cobra.Command { return newShowCmd(defaultDeps()) }}[args[0]]() // PLUME_HOME is the test's
		var out bytes.Buffer
		c.SetArgs(args[1:])
		c.SetOut(&out)
		c.SetErr(io.Discard)
		err := c.Execute()
		return out.String(), err
	}
	for _, model := range []string{ref, path} {
		t.Run(filepath.Base(model), func(t *testing.T) {
			if out, err := run("run", model, "--prompt", "Once", "-n", "2", "--threads", "1", "--temperature", "0"); err != nil || out == "" {
				t.Errorf("run: %q, %v", out, err)
			}
			if out, err := run("tokenize", "--model", model, "--text", "Once upon a time"); err != nil || !strings.Contains(out, "5 tokens") {
				t.Errorf("tokenize: %q, %v", out, err)
			}
			out, err := run("bench", model, "-p", "4", "-n", "2", "-t", "1", "-r", "1", "--json")
			var res []benchResult
			if err != nil || json.Unmarshal([]byte(out), &res) != nil || len(res) != 2 || !strings.HasPrefix(res[0].Model, "stories260K") {
				t.Errorf("bench: %q, %v", out, err)
			}
			if out, err := run("show", model); err != nil || !strings.Contains(out, "yes (llama)") {
				t.Errorf("show: %q, %v", out, err)
			}
		})
	}
	var ue usageError
	if _, err := run("bench", path, "--model", path); !errors.As(err, &ue) {
		t.Errorf("bench with the model twice: %v, want a usage error", err)
	}
}
