package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/testutil"
)

// TestRunPromptInTwoParts checks that plume run gets the same tokens and
// log-probabilities (top 5 at every step) for a prompt evaluated whole and
// in two parts: with --echo, scoring evaluates all but the last prompt
// token (in chunks of 64) and generation reuses them and evaluates the last
// one alone. On a fixture and a synthetic model, on 1 and 2 threads.
func TestRunPromptInTwoParts(t *testing.T) {
	synth := filepath.Join(t.TempDir(), "synth-llama-Q8_0.gguf")
	spec := testmodel.Base("llama", tensor.Q8_0)
	if err := testmodel.WriteFile(spec, synth); err != nil {
		t.Fatal(err)
	}
	models := map[string]string{"stories260K": testutil.Fixture(t, "stories260K.gguf"), "synth-llama-Q8_0": synth}
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = strconv.Itoa(3 + i*37%250)
	}
	prompt := strings.Join(ids, ",")
	for name, path := range models {
		for _, threads := range []string{"1", "2"} {
			t.Run(fmt.Sprintf("%s/%sthreads", name, threads), func(t *testing.T) {
				run := func(extra ...string) runOutput {
					args := append([]string{path, "--prompt-ids", prompt, "-n", "12", "--temperature", "0",
						"--json", "--logprobs", "5", "--threads", threads}, extra...)
					out, err := execRun(t, "", args...)
					if err != nil {
						t.Fatal(err)
					}
					var o runOutput
					if err := json.Unmarshal([]byte(out), &o); err != nil {
						t.Fatalf("%v: %s", err, out)
					}
					return o
				}
				whole, parts := run(), run("--echo")
				if whole.Timings.PromptEvaluated != len(ids) || parts.Timings.PromptEvaluated != 1 {
					t.Fatalf("prompt tokens evaluated by generation: %d whole, %d after --echo; want %d and 1",
						whole.Timings.PromptEvaluated, parts.Timings.PromptEvaluated, len(ids))
				}
				if len(whole.Tokens) != 12 || !reflect.DeepEqual(whole.Tokens, parts.Tokens) {
					t.Errorf("whole prompt:\n%+v\nin two parts:\n%+v", whole.Tokens, parts.Tokens)
				}
			})
		}
	}
}
