package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestConfigLoadedOnce checks the root's PersistentPreRunE: a verb sees the
// environment as it was when the command started (read once, not again by
// each caller), and the warnings about ignored values are printed once
// however many callers ask with a writer.
func TestConfigLoadedOnce(t *testing.T) {
	if newRootCmd(defaultDeps()).PersistentPreRunE == nil {
		t.Fatal("the plume root command does not load the configuration before its verbs")
	}
	t.Setenv("PLUME_THREADS", "abc")
	t.Setenv("PLUME_MODEL", "first/model")
	var models []string
	root := &cobra.Command{Use: "plume", PersistentPreRunE: loadConfigOnce}
	root.AddCommand(&cobra.Command{Use: "verb", RunE: func(cmd *cobra.Command, _ []string) error {
		os.Setenv("PLUME_MODEL", "second/model") // t.Setenv restores it
		for range 3 {
			models = append(models, configFrom(cmd.Context(), cmd.ErrOrStderr()).Model)
		}
		return nil
	}})
	var errb bytes.Buffer
	root.SetErr(&errb)
	root.SetArgs([]string{"verb"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, m := range models {
		if m != "first/model" {
			t.Errorf("call %d: model %q, want the value at start, first/model", i, m)
		}
	}
	if n := strings.Count(errb.String(), "plume: warning: PLUME_THREADS"); n != 1 {
		t.Errorf("%d PLUME_THREADS warnings, want 1:\n%s", n, errb.String())
	}
}

// TestConfigWithoutRoot checks the fallback for a verb run on its own (as
// the tests of each verb do): the environment is read at the call.
func TestConfigWithoutRoot(t *testing.T) {
	tests := []struct {
		name, threads string
		warn          bool
	}{
		{"valid", "2", false},
		{"ignored", "lots", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PLUME_THREADS", tt.threads)
			var errb bytes.Buffer
			configFrom(context.Background(), &errb)
			if got := strings.Contains(errb.String(), "warning: PLUME_THREADS"); got != tt.warn {
				t.Errorf("warning printed %v, want %v: %q", got, tt.warn, errb.String())
			}
		})
	}
}

// TestRootHasEveryVerb: newRootCmd, not init functions, registers the verbs;
// each must be there, built with the deps it is given.
func TestRootHasEveryVerb(t *testing.T) {
	t.Parallel()
	root := newRootCmd(testDeps(filepath.Join(t.TempDir(), "library.db")))
	var got []string
	for _, c := range root.Commands() {
		got = append(got, c.Name())
	}
	want := []string{"articles", "audit", "bench", "gc", "list", "pull", "rm", "run", "serve", "show", "tokenize", "verify", "write"}
	for _, name := range want {
		if !slices.Contains(got, name) {
			t.Errorf("plume %s is missing from the root command (has %v)", name, got)
		}
	}
}
