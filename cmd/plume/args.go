package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// usageArgs makes cobra's positional-argument checks usage errors (exit 2),
// like flag errors: `plume run a b` is a mistake in the command line, not a
// failure of the run.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())}
		}
		return nil
	}
}
