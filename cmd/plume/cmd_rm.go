package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newRmCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rm MODEL...",
		Short: "Remove models from the local cache",
		Long: `Remove a cached model: its snapshot link, and its blob when no other snapshot
uses it. For a model whose pull never completed, remove the incomplete
downloads of its repository (plume list --partial shows them; plume gc removes
all of them). Only files inside the model cache are ever touched; a local path
is refused.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("rm needs at least one MODEL")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			for _, ref := range args {
				removed, err := store.Remove(ref)
				if err != nil {
					return refError(fmt.Errorf("rm %s: %w", ref, err))
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s (%d cache entries)\n", ref, len(removed))
			}
			return nil
		},
	}
	return cmd
}
