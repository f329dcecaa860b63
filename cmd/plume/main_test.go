package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/testutil"
)

// TestExitCodes runs the real binary: usage mistakes exit 2 (as the help
// text promises), other failures 1, success 0.
func TestExitCodes(t *testing.T) {
	bin := plumeBinary(t)
	model := testutil.Fixture(t, "stories260K.gguf")
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"--version"}, 0},
		{[]string{"bogus"}, 2},
		{[]string{"run", "--no-such-flag"}, 2},
		{[]string{"run", "--model", "nosuch.gguf", "--prompt", "x"}, 2},
		{[]string{"run", "--model", "/nonexistent/dir/model.gguf", "--prompt", "x"}, 1},
		{[]string{"show", "/dev/null"}, 1},
		// #13 item 8: 2 only for the command line, 1 for every runtime failure.
		{[]string{"write", "x", "--format", "pdf"}, 2},
		{[]string{"write", "x", "--draft", "--no-draft"}, 2},
		{[]string{"write", "x", "--ai-notice", "maybe"}, 2},
		{[]string{"write", "--resume", "5"}, 2},
		{[]string{"articles", "show", "3"}, 2},
		{[]string{"articles", "rm"}, 2},
		{[]string{"articles", "list"}, 0},
		{[]string{"write", "A little dog", "--model", "/nonexistent/dir/model.gguf"}, 1},
		{[]string{"write", "A little dog", "--model", model, "--ctx", "64"}, 1}, // the plan does not fit
		{[]string{"run", model, "--ctx", "8", "--prompt-ids", "1,2,3,4,5,6,7,8,9,10,11"}, 1},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(cmd.Environ(), "PLUME_HOME="+t.TempDir(), "HF_HUB_OFFLINE=1")
			out, err := cmd.CombinedOutput()
			got := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				got = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("exit %d, want %d\n%s", got, tc.want, out)
			}
		})
	}
}
