package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
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

// groupCmd is a command that only groups its subcommands (plume articles,
// plume audit): bare, it prints its help; with an unknown subcommand it is a
// usage error naming the choices. Without RunE cobra printed the help and
// exited 0 for a mistyped subcommand (plume articles shwo 1).
func groupCmd(use, short, unknown, choices string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown %s %q (%s)", unknown, args[0], choices)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(subs...)
	return cmd
}

// readInput reads at most limit+1 bytes of r (standard input), returning
// early with ctx's error when the command is interrupted: a Ctrl-C while
// plume waits for input on a terminal must end it, not wait for Ctrl-D. On a
// terminal, hint tells the user that input is expected.
func readInput(ctx context.Context, r io.Reader, limit int64, hint io.Writer, what string) ([]byte, error) {
	if f, ok := r.(*os.File); ok && hint != nil && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(hint, "plume: reading the %s from standard input; end it with Ctrl-D\n", what)
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, limit+1))
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("read standard input: %w", res.err)
		}
		return res.b, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("read standard input: %w", ctx.Err())
	}
}
