package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/testutil"
)

// TestSeedIsOneFlag: run and write take --seed with the same type and
// meaning: a uint64 (a bad one is a usage error before any work), random
// when not given, and reported.
func TestSeedIsOneFlag(t *testing.T) {
	newWrite := func() *cobra.Command { return newWriteCmd(defaultDeps()) } // refused before any of them is used
	for _, mk := range []func() *cobra.Command{newRunCmd, newWrite} {
		cmd := mk()
		fl := cmd.Flags().Lookup("seed")
		if fl == nil || fl.Value.Type() != "uint64" || !strings.Contains(fl.Usage, "default: random, reported") {
			t.Fatalf("%s --seed: %+v", cmd.Name(), fl)
		}
		for _, bad := range []string{"-1", "abc", "18446744073709551616"} {
			_, _, err := execute(t, mk(), "--seed", bad, "topic")
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "want a non-negative integer") {
				t.Errorf("%s --seed %s: %v, want a usage error", cmd.Name(), bad, err)
			}
		}
	}
	model := testutil.Fixture(t, "stories260K.gguf")
	seeds := map[uint64]bool{}
	for _, extra := range [][]string{{"--seed", "7"}, {}, {}} {
		args := append([]string{model, "--prompt", "Once", "-n", "2", "--json", "--threads", "1"}, extra...)
		out, _, err := execute(t, newRunCmd(), args...)
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Seed *uint64 `json:"seed"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Seed == nil {
			t.Fatalf("run --json without a seed field: %v\n%s", err, out)
		}
		if len(extra) > 0 && *res.Seed != 7 {
			t.Errorf("--seed 7 reported as %d", *res.Seed)
		}
		seeds[*res.Seed] = true
	}
	if len(seeds) != 3 {
		t.Errorf("runs without --seed did not get random seeds: %v", seeds)
	}
}
