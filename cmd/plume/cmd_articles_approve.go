package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/review"
	"github.com/plumewriter/plume/internal/writer"
)

// Review states of an article, derived from its revisions: an approval is
// a revision whose manifest carries it; a later revision without one (an AI
// regeneration) voids it.
const (
	reviewNone        = "not-reviewed"
	reviewApproved    = "approved"
	reviewNeedsReview = "needs-review"
)

// errModified is returned by plume articles verify for a file that is not
// the approved (or generated) one.
var errModified = errors.New("the file differs from the recorded article")

// revisionManifest parses one revision's manifest.
func revisionManifest(id int64, r library.Revision) (*writer.Manifest, error) {
	m, err := writer.ParseManifest([]byte(r.Manifest))
	if err != nil {
		return nil, fmt.Errorf("article %d revision %d: %w", id, r.Rev, err)
	}
	return m, nil
}

// finishedArticle reads article arg (an ID) from the library, read-only,
// with its review state (see reviewState); an unfinished article is a usage
// error, as there is no text to review.
func finishedArticle(cmd *cobra.Command, d *deps, arg string) (*library.Article, string, *writer.Manifest, int, error) {
	a, err := getArticle(cmd, d, arg)
	if err != nil {
		return nil, "", nil, 0, err
	}
	if len(a.Revisions) == 0 {
		return nil, "", nil, 0, usageError{fmt.Errorf("article %d is not finished", a.ID)}
	}
	state, approved, modelIdx, err := reviewState(a)
	if err != nil {
		return nil, "", nil, 0, err
	}
	return a, state, approved, modelIdx, nil
}

// reviewState returns the article's review state, its latest approval (if
// the latest revision is one) and the index of the model revision the
// state refers to: the one the approval started from, else the newest
// revision without an approval.
func reviewState(a *library.Article) (string, *writer.Manifest, int, error) {
	state, modelIdx := reviewNone, -1
	var approved *writer.Manifest
	for i, r := range a.Revisions {
		m, err := revisionManifest(a.ID, r)
		if err != nil {
			return "", nil, -1, err
		}
		switch {
		case m.Approval != nil:
			state, approved = reviewApproved, m
		case state != reviewNone:
			state, approved, modelIdx = reviewNeedsReview, nil, i // regenerated after an approval
		default:
			modelIdx = i
		}
	}
	if approved != nil {
		for i, r := range a.Revisions {
			if r.Rev == approved.Approval.ModelRevision {
				modelIdx = i
			}
		}
	}
	if modelIdx < 0 {
		return "", nil, -1, fmt.Errorf("article %d has no generated revision", a.ID)
	}
	return state, approved, modelIdx, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func newArticlesApproveCmd(d *deps) *cobra.Command {
	var editor, note, file string
	var checked []string
	cmd := &cobra.Command{
		Use:   `approve ID --editor "Name"`,
		Short: "Record that a named editor reviewed the article and takes responsibility for it",
		Long: `Record a human sign-off: who, when, the sha256 of the approved Markdown and what
was checked. With --file, the approved text is that file (the article as the
editor edited it); the file is rewritten with Plume's front matter marking the
approval (editor; digitalSourceType compositeWithTrainedAlgorithmicMedia when the
text was edited) and its manifest FILE.plume.json beside it. The library keeps
the approval as a new revision. A later AI regeneration voids it (needs-review).`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApprove(cmd, d, args[0], editor, note, file, checked)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&editor, "editor", "", "name of the person who takes editorial responsibility (required)")
	fl.StringSliceVar(&checked, "checked", nil, "what was checked, comma-separated: "+strings.Join(writer.Checks, ", "))
	fl.StringVar(&note, "note", "", "a note from the editor")
	fl.StringVar(&file, "file", "", "the edited article (Markdown); default: the library's text, unedited")
	return cmd
}

func runApprove(cmd *cobra.Command, d *deps, arg, editor, note, file string, checked []string) error {
	ap, err := writer.NewApproval(editor, checked, note, d.now())
	if err != nil {
		return usageError{err}
	}
	lib, a, err := openArticle(cmd, arg, d.openLibrary)
	if err != nil {
		return err
	}
	defer lib.Close()
	id := a.ID
	if len(a.Revisions) == 0 {
		return usageError{fmt.Errorf("article %d is not finished; there is nothing to approve", id)}
	}
	_, _, modelIdx, err := reviewState(a)
	if err != nil {
		return err
	}
	modelRev := a.Revisions[modelIdx]
	edited := modelRev.Markdown
	if file != "" {
		b, err := readLimited(file, writer.MaxManifestBytes)
		if err != nil {
			return err
		}
		edited = string(b)
	}
	md, man, err := approvedArticle(a, modelRev, edited, ap, file)
	if err != nil {
		return err
	}
	if file != "" {
		// The manifest first: the article never exists without it.
		if err := writer.WritePair(file, md, strings.TrimSuffix(file, filepath.Ext(file))+writer.ManifestSuffix, man); err != nil {
			return err
		}
	}
	rev, err := lib.AddRevision(cmd.Context(), id, library.Revision{Approved: true, Title: modelRev.Title, Slug: modelRev.Slug,
		Markdown: string(md), Manifest: string(man)})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "article %d approved by %s (revision %d, from the model's revision %d): edit ratio %.3f (%d word edits), checked: %s; sha256 %s\n",
		id, ap.Editor, rev, modelRev.Rev, ap.EditRatio, ap.WordEdits, strings.Join(ap.Checked, ", "), ap.MarkdownSHA256)
	return err
}

// approvedArticle renders the approved Markdown (Plume's front matter with
// the approval, the editor's body) and its manifest, filling ap's digests.
func approvedArticle(a *library.Article, modelRev library.Revision, edited string, ap *writer.Approval, file string) ([]byte, []byte, error) {
	art, m, err := articleFromRevision(a, modelRev)
	if err != nil {
		return nil, nil, err
	}
	_, modelBody, _ := review.SplitFrontMatter(modelRev.Markdown)
	_, body, _ := review.SplitFrontMatter(edited)
	ap.ModelRevision, ap.ModelMarkdownSHA256 = modelRev.Rev, sha256Hex([]byte(modelRev.Markdown))
	ap.WordEdits, ap.EditRatio = review.WordEdits(modelBody, body), review.EditRatio(modelBody, body)
	if file != "" {
		if abs, err := filepath.Abs(file); err == nil {
			ap.File = abs
		}
	}
	art.Body, art.Approval = body, ap
	md, err := art.RenderMarkdown(version, m.Model.Ref)
	if err != nil {
		return nil, nil, err
	}
	ap.MarkdownSHA256 = sha256Hex(md)
	man, err := m.Approve(ap).Marshal()
	return md, man, err
}

// articleFromRevision rebuilds the model's article of one revision.
func articleFromRevision(a *library.Article, r library.Revision) (*writer.Article, *writer.Manifest, error) {
	only := *a
	only.Revisions = []library.Revision{r}
	return articleFromStore(&only)
}

func newArticlesDiffCmd(d *deps) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "diff ID",
		Short: "Show what the editor changed in the model's text, and the edit ratio",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, state, approved, modelIdx, err := finishedArticle(cmd, d, args[0])
			if err != nil {
				return err
			}
			modelRev := a.Revisions[modelIdx]
			var editor, label string
			switch {
			case file != "":
				b, err := readLimited(file, writer.MaxManifestBytes)
				if err != nil {
					return err
				}
				editor, label = string(b), file
			case approved != nil:
				editor, label = a.Revisions[len(a.Revisions)-1].Markdown, "approved by "+approved.Approval.Editor
			default:
				return usageError{fmt.Errorf("article %d is %s: no editor's text to compare (give one with --file)", a.ID, state)}
			}
			_, mb, _ := review.SplitFrontMatter(modelRev.Markdown)
			_, eb, _ := review.SplitFrontMatter(editor)
			out := cmd.OutOrStdout()
			fmt.Fprint(out, review.Diff(fmt.Sprintf("model (revision %d)", modelRev.Rev), label, mb, eb))
			_, err = fmt.Fprintf(out, "edit ratio %.3f (%d word edits); review state: %s\n", review.EditRatio(mb, eb), review.WordEdits(mb, eb), state)
			return err
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "compare this file instead of the approved text")
	return cmd
}

func newArticlesVerifyCmd(d *deps) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "verify ID",
		Short: "Check that the article file is the one recorded (approved, or as generated)",
		Long: `Compare the sha256 of the article file with the library's record: the approved
Markdown when the article is approved (its file unless --file), else the generated
Markdown (--file needed). Exits non-zero when they differ, or when the approval
was voided by a later regeneration.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, state, approved, _, err := finishedArticle(cmd, d, args[0])
			if err != nil {
				return err
			}
			latest := a.Revisions[len(a.Revisions)-1]
			want := sha256Hex([]byte(latest.Markdown))
			path := file
			if approved != nil {
				want = approved.Approval.MarkdownSHA256
				if path == "" {
					path = approved.Approval.File
				}
			}
			if path == "" {
				return usageError{fmt.Errorf("article %d: give the file to check with --file", a.ID)}
			}
			b, err := readLimited(path, writer.MaxManifestBytes)
			if err != nil {
				return err
			}
			got := sha256Hex(b)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "article %d (%s): %s sha256 %s, recorded %s\n", a.ID, state, path, got, want)
			switch {
			case got != want:
				return fmt.Errorf("article %d: %s: %w (edited after it was recorded)", a.ID, path, errModified)
			case state == reviewNeedsReview:
				return fmt.Errorf("article %d: regenerated after its approval: it needs a new review", a.ID)
			}
			_, err = fmt.Fprintln(out, "ok: the file is the recorded article")
			return err
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the file to check (default: the approved file)")
	return cmd
}

// applyApproval makes a rebuilt article the approved one when its revision
// is an approval: the editor's body and the approval's marking.
func applyApproval(art *writer.Article, m *writer.Manifest, rev library.Revision) {
	if m.Approval == nil {
		return
	}
	_, body, _ := review.SplitFrontMatter(rev.Markdown)
	art.Body, art.Approval, art.Manifest = body, m.Approval, m
}
