// Command plume is an AI writer that runs open-weight models on your own
// machine with a pure-Go inference engine.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/termsafe"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes, listed in the help text.
const (
	exitOK        = 0
	exitError     = 1 // any failure
	exitUsage     = 2 // bad flags or arguments
	exitCancelled = 130
)

// usageError marks an error caused by bad flags or arguments.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// interruptedError is the error of a command stopped by Ctrl-C. It reads as
// msg (what was kept and how to continue), not as the chain of layers that
// noticed the cancellation, and still wraps it: errors.Is(err,
// context.Canceled) holds.
type interruptedError struct {
	msg string
	err error
}

func (e interruptedError) Error() string { return e.msg }
func (e interruptedError) Unwrap() error { return e.err }

// errorMessage is what main prints for err. A cancellation after Ctrl-C
// reads "interrupted" (or the command's own interruptedError message), not
// "draft: generate: context canceled".
func errorMessage(err error, interrupted bool) string {
	var ie interruptedError
	switch {
	case errors.As(err, &ie):
		return ie.msg
	case interrupted && errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}

// newRootCmd builds the plume command and its verbs over d (main passes
// defaultDeps(); tests build their own).
func newRootCmd(d *deps) *cobra.Command {
	root := &cobra.Command{
		Use:   "plume",
		Short: "Plume writes blog articles with open-weight models, entirely on your machine",
		Long: `Plume writes blog articles with open-weight models, entirely on your machine.
It pulls GGUF models from Hugging Face and runs them with its own pure-Go engine.

Exit codes:
  0    success
  1    any runtime failure: a model that cannot be found or loaded, a prompt
       that does not fit the context, a full or read-only disk, a failed
       download, a fault turned into an error
  2    usage error only: an unknown command or flag, a bad flag value or
       argument (the command line must change, not the machine)
  130  interrupted (Ctrl-C); work done so far is kept`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// An unknown verb is a usage error: cobra's own check returns a plain
	// error that could only be recognised by its text.
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, ", "))
		}
		return usageError{errors.New(msg + "; see plume --help")}
	}
	root.SuggestionsMinimumDistance = 2 // cobra's own default for its suggestions
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	// The environment is read once per command; every verb takes it from
	// the context (configFrom).
	root.PersistentPreRunE = loadConfigOnce
	root.AddCommand(newArticlesCmd(d), newAuditCmd(d), newBenchCmd(), newGCCmd(), newListCmd(), newPullCmd(),
		newRmCmd(), newRunCmd(), newServeCmd(d), newShowCmd(d), newTokenizeCmd(), newVerifyCmd(), newWriteCmd(d))
	return root
}

func main() {
	rootCmd := newRootCmd(defaultDeps())
	rootCmd.Version = versionString()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first Ctrl-C cancels the work cleanly (what was written is kept);
	// restoring the default handler then lets a second Ctrl-C kill a stuck
	// process at once.
	go func() { <-ctx.Done(); stop() }()
	err := rootCmd.ExecuteContext(ctx)
	interrupted := ctx.Err() != nil
	stop()
	if err == nil {
		os.Exit(exitOK)
	}
	fmt.Fprintln(os.Stderr, "plume:", termsafe.Text(errorMessage(err, interrupted)))
	var ue usageError
	switch {
	case interrupted:
		os.Exit(exitCancelled)
	case errors.As(err, &ue):
		os.Exit(exitUsage)
	default:
		os.Exit(exitError)
	}
}
