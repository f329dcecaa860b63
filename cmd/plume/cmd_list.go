package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/termsafe"
)

// listEntry is one row of plume list.
type listEntry struct {
	hub.CachedModel
	Quant  string `json:"quant,omitempty"`
	Arch   string `json:"architecture,omitempty"`
	Params uint64 `json:"parameters,omitempty"`
	Error  string `json:"error,omitempty"`
}

func newListCmd() *cobra.Command {
	var jsonOut, showAliases, partial bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the GGUF models in the local cache (or the recommended aliases)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if showAliases {
				return printAliases(cmd, jsonOut)
			}
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			if partial {
				return printPartials(cmd, store, jsonOut)
			}
			models, err := store.List()
			if err != nil {
				return err
			}
			rows := make([]listEntry, 0, len(models))
			for _, m := range models {
				rows = append(rows, describe(m))
			}
			if jsonOut {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintf(out, "no models in %s; try: plume pull %s\n", store.Dir(), hub.DefaultModel())
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSIZE\tQUANT\tARCH\tPARAMS\tLICENSE\tWHERE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(r.Ref), humanBytes(r.Size), cell(dash(r.Quant)), cell(dash(r.Arch)),
					dash(paramsText(r.Params)), cell(dash(r.License)), cell(shortPath(r.Path)))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	cmd.Flags().BoolVar(&showAliases, "aliases", false, "list the recommended model aliases and their licences")
	cmd.Flags().BoolVar(&partial, "partial", false, "list incomplete downloads (removed by plume gc, or plume rm MODEL)")
	return cmd
}

// describe adds GGUF facts to a cache entry; an unreadable file is listed
// with its error rather than hidden.
func describe(m hub.CachedModel) listEntry {
	e := listEntry{CachedModel: m, Quant: hub.QuantFromName(m.File)}
	if e.License == "" {
		e.License = hub.LicenseForRepo(m.Repo)
	}
	info, err := hub.ReadInfo(m.Path)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Arch, e.Params = info.Arch, info.Params
	if e.Quant == "" {
		e.Quant = info.Quant
	}
	if e.License == "" {
		e.License = info.License
	}
	return e
}

func printAliases(cmd *cobra.Command, jsonOut bool) error {
	out := cmd.OutOrStdout()
	if jsonOut {
		return json.NewEncoder(out).Encode(hub.Aliases())
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALIAS\tMODEL\tLICENSE\tABOUT")
	for _, a := range hub.Aliases() {
		name := a.Name
		if name == hub.DefaultModel() {
			name += " (default)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, a.Ref, a.License, a.About)
	}
	return tw.Flush()
}

func paramsText(n uint64) string {
	if n == 0 {
		return ""
	}
	return hub.FormatParams(n)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// shortPath abbreviates the home directory as ~.
func shortPath(p string) string {
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if rel, err := filepath.Rel(home, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("~", rel)
		}
	}
	return p
}

// cell escapes a table cell: control characters from GGUF metadata or a
// model card never reach the terminal raw, and a tab cannot shift columns.
func cell(s string) string { return strings.ReplaceAll(termsafe.String(s), "\t", `\t`) }
