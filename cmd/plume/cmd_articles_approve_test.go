package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/writer"
)

// writeSynthetic writes one article with the fake generator and returns the
// path of its Markdown file.
func writeSynthetic(t *testing.T, env *testEnv, topic, out string) string {
	t.Helper()
	if _, stderr, err := execute(t, newWriteCmd(env.d), topic, "--seed", "7", "--out", out); err != nil {
		t.Fatalf("write: %v\n%s", err, stderr)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(mds) != 1 {
		t.Fatalf("outputs %v", mds)
	}
	return mds[0]
}

// editBody replaces the first occurrences of words in the body (after the
// front matter) as an editor would.
func editBody(t *testing.T, path string, repl ...string) {
	t.Helper()
	b, _ := os.ReadFile(path)
	parts := strings.SplitN(string(b), "---\n", 3)
	body := parts[2]
	r := strings.NewReplacer(repl...)
	if nb := r.Replace(body); nb == body {
		t.Fatalf("edit changed nothing in %q", body[:min(200, len(body))])
	} else {
		body = nb
	}
	if err := os.WriteFile(path, []byte("---\n"+parts[1]+"---\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestApproveEditedArticle: the front matter, the JSON-LD and the manifest
// before and after approve; diff shows the edit; verify passes, then
// detects an edit after approval; a regeneration voids the approval.
func TestApproveEditedArticle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	out := filepath.Join(env.dir, "out")
	md := writeSynthetic(t, env, "Composting on a balcony", out)
	manPath := strings.TrimSuffix(md, ".md") + ".plume.json"
	if fm := frontMatterField(t, md, "digitalSourceType"); fm != writer.DigitalSourceType || frontMatterField(t, md, "editor") != "" {
		t.Fatalf("before approval: digitalSourceType %q", fm)
	}
	if m := readManifest(t, manPath); m.Approval != nil || m.DigitalSourceType != writer.DigitalSourceType {
		t.Fatalf("manifest before approval: %+v", m.Approval)
	}
	if _, _, err := execute(t, newArticlesCmd(env.d), "verify", "1", "--file", md); err != nil {
		t.Errorf("verify of the generated file: %v", err)
	}
	body, _ := os.ReadFile(md)
	old := strings.Fields(strings.SplitN(string(body), "---\n", 3)[2])[3] // a word of the body
	editBody(t, md, " "+old+" ", " EDITED ")

	stdout, stderr, err := execute(t, newArticlesCmd(env.d), "approve", "1", "--editor", "Jeanne Martin",
		"--checked", "facts,sources", "--note", "Checked against the sources.", "--file", md)
	if err != nil {
		t.Fatalf("approve: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "approved by Jeanne Martin") {
		t.Errorf("approve output: %s", stdout)
	}
	if got := frontMatterField(t, md, "digitalSourceType"); got != writer.DigitalSourceTypeComposite {
		t.Errorf("approved front matter digitalSourceType %q", got)
	}
	if got := frontMatterField(t, md, "editor"); got != "Jeanne Martin" {
		t.Errorf("approved front matter editor %q", got)
	}
	approved, _ := os.ReadFile(md)
	if !strings.Contains(string(approved), " EDITED ") {
		t.Error("the editor's text was not kept")
	}
	m := readManifest(t, manPath)
	ap := m.Approval
	if ap == nil || ap.Editor != "Jeanne Martin" || strings.Join(ap.Checked, ",") != "facts,sources" ||
		ap.MarkdownSHA256 != sha256Hex(approved) || ap.ModelRevision != 1 || ap.WordEdits == 0 || ap.EditRatio <= 0 ||
		m.DigitalSourceType != writer.DigitalSourceTypeComposite || ap.At != "2026-11-29T08:00:00Z" {
		t.Fatalf("approved manifest: %+v (%s)", ap, m.DigitalSourceType)
	}

	checkApprovedOutputs(t, env, md, approved)
	checkRegenerationVoidsApproval(t, env, md)
}

// checkApprovedOutputs: the approved article's HTML export, diff and
// verification, which fails once the file is edited after approval.
func checkApprovedOutputs(t *testing.T, env *testEnv, md string, approved []byte) {
	t.Helper()
	html, _, err := execute(t, newArticlesCmd(env.d), "export", "1", "--format", "html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{writer.DigitalSourceTypeCompositeURI, `"editor": {`, `"name": "Jeanne Martin"`, "EDITED"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML export lacks %q", want)
		}
	}

	diff, _, err := execute(t, newArticlesCmd(env.d), "diff", "1")
	if err != nil || !strings.Contains(diff, "EDITED") || !strings.Contains(diff, "edit ratio") || !strings.Contains(diff, "approved") {
		t.Errorf("diff: %v\n%s", err, diff)
	}

	if stdout, _, err := execute(t, newArticlesCmd(env.d), "verify", "1"); err != nil || !strings.Contains(stdout, "ok:") {
		t.Errorf("verify after approval: %v\n%s", err, stdout)
	}
	os.WriteFile(md, append(approved, []byte("\nA sentence added later.\n")...), 0o644)
	if _, _, err := execute(t, newArticlesCmd(env.d), "verify", "1"); !errors.Is(err, errModified) {
		t.Errorf("verify of a file edited after approval: %v, want errModified", err)
	}
	os.WriteFile(md, approved, 0o644)
}

// checkRegenerationVoidsApproval: a new AI revision sets the article back
// to needing review, and the approved file no longer verifies.
func checkRegenerationVoidsApproval(t *testing.T, env *testEnv, md string) {
	t.Helper()
	lib, err := library.Open(env.lib)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := lib.Get(context.Background(), 1)
	if a.Status != library.StatusApproved {
		t.Errorf("status after approval %q, want %q", a.Status, library.StatusApproved)
	}
	first := a.Revisions[0]
	if _, err := lib.AddRevision(context.Background(), 1, library.Revision{Title: first.Title, Slug: first.Slug,
		Markdown: first.Markdown, Manifest: first.Manifest}); err != nil {
		t.Fatal(err)
	}
	a, _ = lib.Get(context.Background(), 1)
	lib.Close()
	if a.Status != library.StatusNeedsReview {
		t.Errorf("status after regeneration %q, want %q", a.Status, library.StatusNeedsReview)
	}
	if list, _, err := execute(t, newArticlesCmd(env.d), "list"); err != nil || !strings.Contains(list, library.StatusNeedsReview) {
		t.Errorf("articles list after regeneration: %v\n%s", err, list)
	}
	if state, approvedM, idx, err := reviewState(a); err != nil || state != reviewNeedsReview || approvedM != nil || idx != 2 {
		t.Errorf("after regeneration: %s %v %d %v", state, approvedM, idx, err)
	}
	if _, _, err := execute(t, newArticlesCmd(env.d), "verify", "1", "--file", md); err == nil {
		t.Error("verify passed an article regenerated after its approval")
	}
}

// TestApproveUnedited: approving the text as generated keeps the marking
// trainedAlgorithmicMedia and names the editor.
func TestApproveUnedited(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	writeSynthetic(t, env, "Composting on a balcony", filepath.Join(env.dir, "out"))
	if _, stderr, err := execute(t, newArticlesCmd(env.d), "approve", "1", "--editor", "Ana"); err != nil {
		t.Fatalf("approve: %v\n%s", err, stderr)
	}
	a := mustArticle(t, env, 1)
	state, m, _, err := reviewState(a)
	if err != nil || state != reviewApproved || m.Approval.WordEdits != 0 || m.DigitalSourceType != writer.DigitalSourceType {
		t.Fatalf("%s %+v %v", state, m, err)
	}
	latest := a.Revisions[len(a.Revisions)-1].Markdown
	if !strings.Contains(latest, "editor: Ana") || !strings.Contains(latest, "digitalSourceType: trainedAlgorithmicMedia") {
		t.Errorf("approved Markdown:\n%.500s", latest)
	}
	if _, _, err := execute(t, newArticlesCmd(env.d), "diff", "1"); err != nil {
		t.Errorf("diff: %v", err)
	}
}

func mustArticle(t *testing.T, env *testEnv, id int64) *library.Article {
	t.Helper()
	lib, err := library.Open(env.lib)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	a, err := lib.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestApproveUsage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	writeSynthetic(t, env, "Composting on a balcony", filepath.Join(env.dir, "out"))
	var ue usageError
	for name, args := range map[string][]string{
		"no editor":      {"approve", "1"},
		"blank editor":   {"approve", "1", "--editor", "  "},
		"unknown check":  {"approve", "1", "--editor", "A", "--checked", "vibes"},
		"no article":     {"approve", "9", "--editor", "A"},
		"control chars":  {"approve", "1", "--editor", "A\x1b[2J"},
		"diff unedited":  {"diff", "1"},
		"verify no file": {"verify", "1"},
	} {
		if _, _, err := execute(t, newArticlesCmd(env.d), args...); !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}
