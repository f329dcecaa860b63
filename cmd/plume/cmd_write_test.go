package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// testDate is the fixed date of test articles.
var testDate = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// testDeps are the production dependencies with the library at lib and
// the clock fixed at testDate.
func testDeps(lib string) *deps {
	d := defaultDeps()
	d.libraryPath = func() (string, error) { return lib, nil }
	d.now = func() time.Time { return testDate }
	return d
}

// testEnv points the write command at a temporary library, a fixed clock
// and a generator factory, through its own deps: tests that use one share
// no package state.
type testEnv struct {
	dir, lib string
	d        *deps
	opened   int
}

func newTestEnv(t *testing.T, mk func() llm.Generator) *testEnv {
	t.Helper()
	env := &testEnv{dir: t.TempDir()}
	env.lib = filepath.Join(env.dir, "data", library.FileName)
	env.d = testDeps(env.lib)
	env.d.openGenerator = func(context.Context, backendConfig, io.Writer) (llm.Generator, func(), error) {
		env.opened++
		return mk(), func() {}, nil
	}
	return env
}

func synthetic() llm.Generator {
	return &fakegen.Generator{Model: llm.ModelInfo{Ref: "synthetic/tiny", SHA256: strings.Repeat("ab", 32),
		License: "MIT", Backend: "plume", EngineVersion: "test", ContextLength: 8192}}
}

// execute runs a fresh command tree with args, returning stdout, stderr.
func execute(t *testing.T, cmd *cobra.Command, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestWriteEndToEnd(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	out := filepath.Join(env.dir, "out")
	stdout, stderr, err := execute(t, newWriteCmd(env.d), "How to start composting at home", "--seed", "7", "--words", "600",
		"--keywords", "compost,garden", "--out", out, "--tone", "expert")
	if err != nil {
		t.Fatalf("write: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "Quality report (en)") || !strings.Contains(stderr, "readability: flesch") {
		t.Errorf("report missing from stderr:\n%s", stderr)
	}
	if strings.Contains(stderr, "[draft 1/") || strings.Contains(stderr, "tok/s") {
		t.Errorf("progress on a stderr that is not a terminal:\n%s", stderr)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	mans, _ := filepath.Glob(filepath.Join(out, "*.plume.json"))
	if len(mds) != 1 || len(mans) != 1 || strings.TrimSuffix(mds[0], ".md") != strings.TrimSuffix(mans[0], ".plume.json") {
		t.Fatalf("outputs: %v %v", mds, mans)
	}
	md, _ := os.ReadFile(mds[0])
	if stdout != string(md) { // plume write … > post.md gives the saved file
		t.Errorf("stdout is not the saved article:\n%.300s", stdout)
	}
	checkFrontMatter(t, md)
	checkManifest(t, mans[0])
	checkLibrary(t, env.lib, md)

	// Replay reproduces it byte for byte.
	stdout, _, err = execute(t, newWriteCmd(env.d), "--replay", mans[0])
	if err != nil || !strings.Contains(stdout, "replay: identical") {
		t.Fatalf("replay: %v %s", err, stdout)
	}
	// A tampered manifest (another seed) does not match.
	data, _ := os.ReadFile(mans[0])
	bad := bytes.Replace(data, []byte(`"seed": 7,`), []byte(`"seed": 8,`), 2)
	badPath := filepath.Join(env.dir, "bad.plume.json")
	os.WriteFile(badPath, bad, 0o644)
	if _, _, err := execute(t, newWriteCmd(env.d), "--replay", badPath); !errors.Is(err, errReplayMismatch) {
		t.Fatalf("tampered replay: %v", err)
	}
}

func checkFrontMatter(t *testing.T, md []byte) {
	t.Helper()
	parts := strings.SplitN(string(md), "---\n", 3)
	if len(parts) != 3 || parts[0] != "" {
		t.Fatalf("no front matter")
	}
	var fm map[string]any
	if err := yaml.Unmarshal([]byte(parts[1]), &fm); err != nil {
		t.Fatal(err)
	}
	if _, ok := fm["date"].(time.Time); !ok {
		t.Errorf("date is not a YAML timestamp: %T", fm["date"])
	}
	if fm["draft"] != true || fm["lang"] != "en" || fm["digitalSourceType"] != "trainedAlgorithmicMedia" || fm["slug"] == "" {
		t.Errorf("front matter: %v", fm)
	}
	if !strings.Contains(parts[2], "\n## ") {
		t.Errorf("no H2 in the body")
	}
}

func checkManifest(t *testing.T, path string) {
	t.Helper()
	data, _ := os.ReadFile(path)
	m, err := writer.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Model.Ref != "synthetic/tiny" || m.Model.SHA256 == "" || m.Model.License != "MIT" || m.Model.Backend != "plume" ||
		m.Model.EngineVersion != "test" || m.Seed != 7 || m.Date != "2026-11-29T08:00:00Z" || len(m.Calls) == 0 ||
		m.Calls[0].Messages[0].Role != "system" || m.Tokens.Completion == 0 || len(m.Confidence) == 0 ||
		m.Run == nil || len(m.Run.Timings) != len(m.Calls) || m.DigitalSourceType != "trainedAlgorithmicMedia" {
		t.Errorf("manifest incomplete: %+v", m.Model)
	}
}

func checkLibrary(t *testing.T, lib string, md []byte) {
	t.Helper()
	db, err := sql.Open("sqlite", lib)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status, stored string
	var sections, revisions int
	if err := db.QueryRow(`SELECT status FROM articles`).Scan(&status); err != nil || status != "done" {
		t.Errorf("articles row: %q %v", status, err)
	}
	db.QueryRow(`SELECT COUNT(*) FROM sections`).Scan(&sections)
	db.QueryRow(`SELECT COUNT(*), MAX(markdown) FROM revisions`).Scan(&revisions, &stored)
	if sections < 3 || revisions != 1 || stored != string(md) {
		t.Errorf("library: %d sections, %d revisions, markdown equal %v", sections, revisions, stored == string(md))
	}
}

func TestWriteHTMLAndJSONEvents(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	out := filepath.Join(env.dir, "out")
	stdout, _, err := execute(t, newWriteCmd(env.d), "Le compost à la maison", "--seed", "1", "--words", "300",
		"--format", "html", "--json", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not NDJSON: %q", line)
		}
		types[e["type"].(string)] = true
	}
	for _, ty := range []string{"stage", "token", "part", "done", "report"} {
		if !types[ty] {
			t.Errorf("no %s event", ty)
		}
	}
	htmls, _ := filepath.Glob(filepath.Join(out, "*.html"))
	if len(htmls) != 1 {
		t.Fatalf("html outputs: %v", htmls)
	}
	h, _ := os.ReadFile(htmls[0])
	for _, want := range []string{`<html lang="fr">`, `"@type": "BlogPosting"`, writer.DigitalSourceTypeURI} {
		if !bytes.Contains(h, []byte(want)) {
			t.Errorf("html lacks %s", want)
		}
	}
}

func TestWriteBadInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no topic", []string{}, "needs a topic"},
		{"empty topic", []string{""}, "topic is empty"},
		{"huge topic", []string{strings.Repeat("x", 10000)}, "10000 characters"},
		{"unknown language", []string{"t", "--lang", "xx"}, `unknown language "xx"`},
		{"words low", []string{"t", "--words", "10"}, "out of range"},
		{"words high", []string{"t", "--words", "9000"}, "out of range"},
		{"missing notes", []string{"t", "--notes", filepath.Join(env.dir, "nope.txt")}, "--notes"},
		{"bad format", []string{"t", "--format", "pdf"}, "--format"},
		{"bad seed", []string{"t", "--seed", "-1"}, "--seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := execute(t, newWriteCmd(env.d), tt.args...)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want usage error containing %q", err, tt.want)
			}
		})
	}
	if env.opened != 0 {
		t.Errorf("a generator was opened for bad input")
	}
}

func TestWriteContextTooSmall(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func() llm.Generator {
		return &fakegen.Generator{Model: llm.ModelInfo{Ref: "tiny-ctx", ContextLength: 512}}
	})
	_, _, err := execute(t, newWriteCmd(env.d), "Compost", "--seed", "1")
	if !errors.Is(err, writer.ErrContext) || !strings.Contains(err.Error(), "512 tokens") {
		t.Fatalf("err = %v", err)
	}
	if _, statErr := os.Stat(env.lib); statErr == nil {
		t.Errorf("library touched before the context check")
	}
}

func TestWriteResumeAfterCrash(t *testing.T) {
	t.Parallel()
	// Reference: the same article written in one go, in another library.
	ref := newTestEnv(t, synthetic)
	refOut := filepath.Join(ref.dir, "out")
	if _, _, err := execute(t, newWriteCmd(ref.d), "Compost basics", "--seed", "3", "--words", "300", "--out", refOut); err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Glob(filepath.Join(refOut, "*.md"))

	crash := true
	env := newTestEnv(t, func() llm.Generator {
		g := synthetic().(*fakegen.Generator)
		if crash {
			g.FailAfter = 5 // brief, outline, three sections
		}
		return g
	})
	out := filepath.Join(env.dir, "out")
	_, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out)
	if !errors.Is(err, fakegen.ErrCrash) || !strings.Contains(err.Error(), "--resume 1") {
		t.Fatalf("crash run: %v", err)
	}
	show, _, err := execute(t, newArticlesCmd(env.d), "show", "1")
	if err != nil || !strings.Contains(show, "3 section(s) written") {
		t.Fatalf("show after crash: %v\n%s", err, show)
	}
	crash = false
	if _, stderr, err := execute(t, newWriteCmd(env.d), "--resume", "1", "--out", out); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	got, _ := filepath.Glob(filepath.Join(out, "*.md"))
	a, _ := os.ReadFile(want[0])
	b, _ := os.ReadFile(got[0])
	if len(got) != 1 || !bytes.Equal(a, b) {
		t.Fatalf("resumed article differs from the uninterrupted one")
	}
	if _, _, err := execute(t, newWriteCmd(env.d), "--resume", "1"); err == nil {
		t.Errorf("resuming a finished article succeeded")
	}
}

func TestArticlesCommands(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", filepath.Join(env.dir, "o")); err != nil {
		t.Fatal(err)
	}
	list, _, err := execute(t, newArticlesCmd(env.d), "list")
	if err != nil || !strings.Contains(list, "ID") || !strings.Contains(list, "done") {
		t.Fatalf("list: %v\n%s", err, list)
	}
	md, _, err := execute(t, newArticlesCmd(env.d), "export", "1", "--format", "md")
	if err != nil || !strings.HasPrefix(md, "---\ntitle:") {
		t.Fatalf("export md: %v %.40q", err, md)
	}
	h, _, err := execute(t, newArticlesCmd(env.d), "export", "1", "--format", "html")
	if err != nil || !strings.Contains(h, "BlogPosting") {
		t.Fatalf("export html: %v", err)
	}
	man, _, err := execute(t, newArticlesCmd(env.d), "show", "1", "--manifest")
	if err != nil || !strings.Contains(man, `"format": "plume-manifest/1"`) {
		t.Fatalf("show --manifest: %v", err)
	}
	for _, args := range [][]string{{"show", "99"}, {"show", "x"}, {"export", "1", "--format", "pdf"}} {
		var ue usageError
		if _, _, err := execute(t, newArticlesCmd(env.d), args...); !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestWriteOutlineOnlyThenResume(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	stdout, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--outline-only")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, "# ") || !strings.Contains(stdout, "\n## ") {
		t.Fatalf("outline not printed:\n%s", stdout)
	}
	out := filepath.Join(env.dir, "out")
	if _, _, err := execute(t, newWriteCmd(env.d), "--resume", "1", "--out", out); err != nil {
		t.Fatal(err)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(mds) != 1 {
		t.Fatalf("no article after resuming an outline: %v", mds)
	}
}

func TestWriteFormatJSON(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	out := filepath.Join(env.dir, "out")
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "2", "--words", "300", "--format", "json", "--out", out); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.json"))
	var doc struct {
		FrontMatter map[string]any `json:"front_matter"`
		Markdown    string         `json:"markdown"`
		Quality     map[string]any `json:"quality"`
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".plume.json") {
			continue
		}
		data, _ := os.ReadFile(f)
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
	}
	if doc.FrontMatter["digitalSourceType"] != "trainedAlgorithmicMedia" || !strings.Contains(doc.Markdown, "## ") || doc.Quality["readability"] == nil {
		t.Fatalf("json output: %v", doc.FrontMatter)
	}
}

// TestWriteNaNTemperatureLeavesNoArticle: --temperature NaN (or out of
// range) used to pass validation, create a library row and then fail with
// "checkpoint: json: unsupported value: NaN" (or a "failed" article for -1).
// It must be a usage error before any model or library is opened.
func TestWriteNaNTemperatureLeavesNoArticle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	for _, temp := range []string{"NaN", "-1", "50", "+Inf"} {
		_, _, err := execute(t, newWriteCmd(env.d), "Compost", "--temperature", temp, "--out", env.dir)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "temperature") {
			t.Errorf("--temperature %s: err = %v, want a usage error about the temperature", temp, err)
		}
	}
	if env.opened != 0 {
		t.Errorf("a generator was opened %d times for bad sampling flags", env.opened)
	}
	if _, err := os.Stat(env.lib); err == nil {
		t.Errorf("library created for bad sampling flags")
	}
}

// TestWriteExtraArgumentsAreUsageErrors: `plume write a b` (an unquoted
// topic) exits 2, like a bad flag, and says where to look.
func TestWriteExtraArgumentsAreUsageErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	_, _, err := execute(t, newWriteCmd(env.d), "How", "to", "compost")
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--help") {
		t.Fatalf("err = %v, want a usage error pointing to --help", err)
	}
}

// TestWriteBadOutDirFailsBeforeGeneration: --out naming a file (or an
// unwritable place) used to be noticed only after the whole article had been
// generated. It must be a usage error before any model or library is opened.
func TestWriteBadOutDirFailsBeforeGeneration(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	file := filepath.Join(env.dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{file, filepath.Join(file, "sub")} {
		_, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--out", out)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--out") {
			t.Errorf("--out %s: err = %v, want a usage error about --out", out, err)
		}
	}
	if env.opened != 0 {
		t.Errorf("generator opened %d times before --out was checked", env.opened)
	}
	if _, err := os.Stat(env.lib); err == nil {
		t.Errorf("library created although --out is unusable")
	}
}

// TestWriteResumeRejectsUnknownFormat: `--resume ID --format pdf` used to
// save the Markdown under a .pdf name, because only a new run checked
// --format.
func TestWriteResumeRejectsUnknownFormat(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	if _, _, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "3", "--words", "300", "--outline-only"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(env.dir, "out")
	_, _, err := execute(t, newWriteCmd(env.d), "--resume", "1", "--format", "pdf", "--out", out)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--format") {
		t.Fatalf("err = %v, want a usage error about --format", err)
	}
	if pdfs, _ := filepath.Glob(filepath.Join(out, "*.pdf")); len(pdfs) != 0 {
		t.Fatalf("wrote %v", pdfs)
	}
}

// TestWriteResumeUnknownIDIsUsageError: --resume 999 / 0 / -5 exits 2 and
// points to plume articles list.
func TestWriteResumeUnknownIDIsUsageError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	for _, id := range []string{"999", "0", "-5"} {
		_, _, err := execute(t, newWriteCmd(env.d), "--resume", id)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "plume articles list") {
			t.Errorf("--resume %s: err = %v, want a usage error pointing to plume articles list", id, err)
		}
	}
}

// TestWriteDateFromSourceDateEpoch: two runs with the same --seed differed
// only by the wall-clock date in the front matter and manifest;
// SOURCE_DATE_EPOCH pins it so the files are byte-identical.
func TestWriteDateFromSourceDateEpoch(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1764403200")
	if got, want := nowFunc(), time.Date(2025, 11, 29, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("nowFunc() = %v, want %v", got, want)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "")
	if got := nowFunc(); time.Since(got) > time.Minute {
		t.Fatalf("without SOURCE_DATE_EPOCH nowFunc() = %v, want the clock", got)
	}
}

// TestReplayMismatchNamesEachDifferenceOnce: a replay of a manifest whose
// markdown_sha256 was tampered with reported "differs in article, article"
// (the text and the manifest's article section under the same name).
func TestReplayMismatchNamesEachDifferenceOnce(t *testing.T) {
	err := replayMismatch(strings.Repeat("a", 64), strings.Repeat("b", 64), []string{"article"})
	msg := err.Error()
	if !errors.Is(err, errReplayMismatch) || !strings.Contains(msg, "article text differs (sha256 aaaaaaaaaaaa…, manifest bbbbbbbbbbbb…)") ||
		!strings.Contains(msg, "manifest sections differ: article") || strings.Count(msg, "article") != 2 {
		t.Errorf("message %q", msg)
	}
	if msg := replayMismatch("x", "x", []string{"seed"}).Error(); strings.Contains(msg, "text") || !strings.Contains(msg, "differ: seed") {
		t.Errorf("manifest-only mismatch: %q", msg)
	}
}

// TestArticlesUnknownSubcommandIsUsageError: `plume articles shwo 1`
// printed the help and exited 0, so scripts took the typo for success.
func TestArticlesUnknownSubcommandIsUsageError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	_, _, err := execute(t, newArticlesCmd(env.d), "shwo", "1")
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"shwo"`) {
		t.Fatalf("err = %v, want a usage error naming the subcommand", err)
	}
	if out, _, err := execute(t, newArticlesCmd(env.d)); err != nil || !strings.Contains(out, "Available Commands") {
		t.Fatalf("bare plume articles: %v %q", err, out)
	}
}
