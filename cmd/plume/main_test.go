package main

import (
	"errors"
	"os/exec"
	"testing"
)

// TestExitCodes runs the real binary: usage mistakes exit 2 (as the help
// text promises), other failures 1, success 0.
func TestExitCodes(t *testing.T) {
	bin := plumeBinary(t)
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
	}
	for _, tc := range tests {
		cmd := exec.Command(bin, tc.args...)
		cmd.Env = append(cmd.Environ(), "PLUME_HOME="+t.TempDir(), "HF_HUB_OFFLINE=1")
		err := cmd.Run()
		got := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			got = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got != tc.want {
			t.Errorf("plume %v: exit %d, want %d", tc.args, got, tc.want)
		}
	}
}
