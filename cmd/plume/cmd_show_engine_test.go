package main

import (
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/testutil"
)

// TestShowSaysWhetherTheEngineRunsIt: plume show must not call "ok" a file
// that plume run would reject.
func TestShowSaysWhetherTheEngineRunsIt(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"stories260K.gguf", "yes (llama)"},
		{"TinyStories-656K-Q8_0.gguf", "yes (llama)"},
		{"vocab/ggml-vocab-gpt-2.gguf", `no: load `},
		{"PROVENANCE.md", "no: "},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := engineSupport(testutil.Fixture(t, tc.file))
			if !strings.HasPrefix(got, tc.want) || (tc.file == "vocab/ggml-vocab-gpt-2.gguf" &&
				!strings.Contains(got, `invalid model hyperparameters: architecture "gpt2" is not supported`)) {
				t.Errorf("%s: %q, want prefix %q", tc.file, got, tc.want)
			}
		})
	}
}
