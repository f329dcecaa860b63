package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/hub"
)

func newGCCmd() *cobra.Command {
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove incomplete downloads from the model cache",
		Long: `Remove the incomplete downloads (blobs/*.incomplete) that interrupted or failed
pulls left in the model cache; plume list --partial shows them. A download a
running pull holds is skipped. Complete models are never touched: plume rm
removes those.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			res, err := store.GC()
			if jsonOut {
				if jerr := json.NewEncoder(cmd.OutOrStdout()).Encode(res); err == nil {
					err = jerr
				}
				return err
			}
			out := cmd.OutOrStdout()
			for _, p := range res.Removed {
				fmt.Fprintf(out, "removed %s\n", p)
			}
			fmt.Fprintf(out, "%d incomplete download(s) removed, %s freed", len(res.Removed), humanBytes(res.Freed))
			if res.Skipped > 0 {
				fmt.Fprintf(out, "; %d in use by a running pull, kept", res.Skipped)
			}
			fmt.Fprintln(out)
			return err
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return cmd
}

// printPartials is plume list --partial.
func printPartials(cmd *cobra.Command, store *hub.Cache, jsonOut bool) error {
	ps, err := store.Partials()
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if jsonOut {
		if ps == nil {
			ps = []hub.Partial{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(ps)
	}
	if len(ps) == 0 {
		fmt.Fprintf(out, "no incomplete downloads in %s\n", store.Dir())
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tSHA256\tDOWNLOADED\tSTATE\tWHERE")
	for _, p := range ps {
		state := "stopped"
		if p.InUse {
			state = "downloading"
		}
		fmt.Fprintf(tw, "%s\t%.12s\t%s\t%s\t%s\n", cell(p.Repo), p.SHA256, humanBytes(p.Size), state, cell(shortPath(p.Path)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "plume gc removes them; a pull of the same file resumes from them.")
	return nil
}
