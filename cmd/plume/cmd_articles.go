package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/writer"
)

func newArticlesCmd(d *deps) *cobra.Command {
	return groupCmd("articles", "List, show, export and remove the articles in the library",
		"articles command", "list, show, export or rm",
		newArticlesListCmd(d), newArticlesShowCmd(d), newArticlesExportCmd(d), newArticlesRmCmd(d),
		newArticlesApproveCmd(d), newArticlesDiffCmd(d), newArticlesVerifyCmd(d))
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Errorf("article ID %q: want a positive integer", s)}
	}
	return id, nil
}

func newArticlesListCmd(d *deps) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List articles, newest first",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := d.openLibraryRead()
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
					list = []library.Summary{}
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
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", a.ID, a.Status, cell(a.Lang), a.Revisions, a.UpdatedAt, cell(title))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, a := range list {
				if resumableStatus(a.Status) {
					fmt.Fprintln(cmd.OutOrStdout(), "\nContinue an unfinished article with: plume write --resume ID")
					break
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newArticlesShowCmd(d *deps) *cobra.Command {
	var manifest bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print an article (latest revision), or its progress if unfinished",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := getArticle(cmd, d, args[0])
			if err != nil {
				return err
			}
			out := terminalSafe(cmd.OutOrStdout())
			rev, ok := a.Latest()
			switch {
			case ok && manifest:
				_, err = fmt.Fprint(out, rev.Manifest)
			case ok:
				_, err = fmt.Fprint(out, rev.Markdown)
			default:
				next := fmt.Sprintf("continue with: plume write --resume %d", a.ID)
				if a.Status == library.StatusRunning { // a live process holds its lock
					next = "a plume process is writing it now"
				}
				fmt.Fprintf(out, "Article %d (%s): %s\n%d section(s) written; %s\n", a.ID, a.Status, a.Topic, len(a.Sections), next)
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

func newArticlesExportCmd(d *deps) *cobra.Command {
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
			a, err := getArticle(cmd, d, args[0])
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
func renderStored(a *library.Article, format string) ([]byte, error) {
	art, m, err := articleFromStore(a)
	if err != nil {
		return nil, err
	}
	if format == "json" {
		return art.JSON(version, m.Model.Ref)
	}
	return art.HTML(version)
}

func getArticle(cmd *cobra.Command, d *deps, arg string) (*library.Article, error) {
	lib, a, err := openArticle(cmd, arg, d.openLibraryRead)
	if err != nil {
		return nil, err
	}
	lib.Close()
	return a, nil
}

// openArticle opens the library with open and reads article arg (an ID): an
// unknown ID is a usage error. The caller closes the library it returns.
func openArticle(cmd *cobra.Command, arg string, open func() (*library.Store, error)) (*library.Store, *library.Article, error) {
	id, err := parseID(arg)
	if err != nil {
		return nil, nil, err
	}
	lib, err := open()
	if err != nil {
		return nil, nil, err
	}
	a, err := lib.Get(cmd.Context(), id)
	if errors.Is(err, library.ErrNotFound) {
		err = usageError{fmt.Errorf("no article %d in the library", id)}
	}
	if err != nil {
		lib.Close()
		return nil, nil, err
	}
	return lib, a, nil
}

// articleFromStore rebuilds a finished article from its checkpoint and its
// latest manifest, for rendering.
func articleFromStore(a *library.Article) (*writer.Article, *writer.Manifest, error) {
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

// resumableStatus reports whether an article with status can be continued with
// plume write --resume.
func resumableStatus(status string) bool {
	switch status {
	case library.StatusInterrupted, library.StatusFailed, library.StatusOutline:
		return true
	}
	return false
}

func newArticlesRmCmd(d *deps) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "rm ID",
		Short: "Remove an article from the library (asks first, unless --yes)",
		Long: `Remove an article from the library: its checkpoint, sections, revisions
and lock file. Files written with --out are left alone. An article being
written by a live plume process is refused.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, a, err := openArticle(cmd, args[0], d.openLibrary)
			if err != nil {
				return err
			}
			defer lib.Close()
			id := a.ID
			if !yes {
				ok, err := confirmRemoval(cmd, fmt.Sprintf("Remove article %d (%s, %s)? [y/N] ", id, a.Status, cmp.Or(a.Title, a.Topic)))
				if err != nil || !ok {
					if err == nil {
						fmt.Fprintln(cmd.ErrOrStderr(), "not removed")
					}
					return err
				}
			}
			if err := lib.Remove(cmd.Context(), id); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "removed article %d\n", id)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// maxAnswerBytes bounds the confirmation answer read from standard input.
const maxAnswerBytes = 64

// confirmRemoval asks question on stderr and reads one answer line from stdin:
// only y or yes (any case) confirms; end of input declines.
func confirmRemoval(cmd *cobra.Command, question string) (bool, error) {
	fmt.Fprint(cmd.ErrOrStderr(), promptSafe(question))
	line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), maxAnswerBytes)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// promptSafe replaces control characters other than newline (a title
// from a model could carry terminal escape sequences) with '?'.
func promptSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
