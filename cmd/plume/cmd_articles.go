package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/store"
	"github.com/plumewriter/plume/internal/writer"
)

func init() { rootCmd.AddCommand(newArticlesCmd()) }

func newArticlesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "articles",
		Short: "List, show and export the articles in the library",
		// Without RunE cobra printed the help and exited 0 for a mistyped
		// subcommand (plume articles shwo 1).
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown articles command %q (list, show or export)", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newArticlesListCmd(), newArticlesShowCmd(), newArticlesExportCmd())
	cmd.AddCommand(newArticlesApproveCmd(), newArticlesDiffCmd(), newArticlesVerifyCmd())
	return cmd
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Errorf("article ID %q: want a positive integer", s)}
	}
	return id, nil
}

func newArticlesListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List articles, newest first",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := openLibrary()
			if err != nil {
				return err
			}
			defer lib.Close()
			list, err := lib.List(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				if list == nil {
					list = []store.Summary{}
				}
				return json.NewEncoder(cmd.OutOrStdout()).Encode(list)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATUS\tLANG\tREVS\tUPDATED\tTITLE / TOPIC")
			for _, a := range list {
				title := a.Title
				if title == "" {
					title = a.Topic
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", a.ID, a.Status, a.Lang, a.Revisions, a.UpdatedAt, title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newArticlesShowCmd() *cobra.Command {
	var manifest bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print an article (latest revision), or its progress if unfinished",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := getArticle(cmd, args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rev, ok := a.Latest()
			switch {
			case ok && manifest:
				_, err = fmt.Fprint(out, rev.Manifest)
			case ok:
				_, err = fmt.Fprint(out, rev.Markdown)
			default:
				fmt.Fprintf(out, "Article %d (%s): %s\n%d section(s) written; continue with: plume write --resume %d\n",
					a.ID, a.Status, a.Topic, len(a.Sections), a.ID)
				for _, s := range a.Sections {
					if s.Heading != "" {
						fmt.Fprintf(out, "\n## %s\n", s.Heading)
					}
					fmt.Fprintf(out, "\n%s\n", s.Body)
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&manifest, "manifest", false, "print the provenance manifest instead")
	return cmd
}

func newArticlesExportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export ID",
		Short: "Print the latest revision as Markdown, HTML or JSON",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "md", "html", "json":
			default:
				return usageError{fmt.Errorf("unknown --format %q (md, html or json)", format)}
			}
			a, err := getArticle(cmd, args[0])
			if err != nil {
				return err
			}
			rev, ok := a.Latest()
			if !ok {
				return fmt.Errorf("article %d is not finished; resume it with plume write --resume %d", a.ID, a.ID)
			}
			if format == "md" {
				_, err = fmt.Fprint(cmd.OutOrStdout(), rev.Markdown)
				return err
			}
			body, err := renderStored(a, format)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(body)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, html or json (the same JSON as plume write --format json)")
	return cmd
}

// renderStored renders a finished article as html or json, exactly as
// plume write wrote it.
func renderStored(a *store.Article, format string) ([]byte, error) {
	art, m, err := articleFromStore(a)
	if err != nil {
		return nil, err
	}
	if format == "json" {
		return art.JSON(version, m.Model.Ref)
	}
	return art.HTML(version)
}

func getArticle(cmd *cobra.Command, arg string) (*store.Article, error) {
	id, err := parseID(arg)
	if err != nil {
		return nil, err
	}
	lib, err := openLibrary()
	if err != nil {
		return nil, err
	}
	defer lib.Close()
	a, err := lib.Get(cmd.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usageError{fmt.Errorf("no article %d in the library", id)}
	}
	return a, err
}

// articleFromStore rebuilds a finished article from its checkpoint and its
// latest manifest, for rendering.
func articleFromStore(a *store.Article) (*writer.Article, *writer.Manifest, error) {
	var st writer.State
	if err := json.Unmarshal(a.State, &st); err != nil {
		return nil, nil, fmt.Errorf("article %d: checkpoint: %w", a.ID, err)
	}
	rev, _ := a.Latest()
	m, err := writer.ParseManifest([]byte(rev.Manifest))
	if err != nil {
		return nil, nil, fmt.Errorf("article %d: %w", a.ID, err)
	}
	art, err := writer.Assemble(&st, m.ModelInfo(), version)
	if err != nil {
		return nil, nil, fmt.Errorf("article %d: %w", a.ID, err)
	}
	applyApproval(art, m, rev)
	return art, m, nil
}
