package writer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// runOptions are RunOptions writing into a fresh directory and library
// with the synthetic generator.
func runOptions(t *testing.T, dir string) RunOptions {
	t.Helper()
	return RunOptions{
		Article: testOptions("Compost basics"), Out: filepath.Join(dir, "out"), Format: FormatMarkdown,
		Backend: Backend{Backend: BackendLocal, Model: "synthetic"},
		Open: func(context.Context, Backend) (llm.Generator, func(), error) {
			return &fakegen.Generator{Model: llm.ModelInfo{Ref: "synthetic/tiny"}}, func() {}, nil
		},
		OpenLibrary: func() (*library.Store, error) { return library.Open(filepath.Join(dir, library.FileName)) },
		Now:         newPipeline(nil).Now, Version: "test",
	}
}

// TestRunSameTitleGetsSuffixEverywhere is the regression test for two
// articles on one topic: the second file is SLUG-2, and so are its front
// matter slug, its canonical URL and its JSON-LD url; the library keeps
// the suffixed article, and the manifest replays to the same bytes.
func TestRunSameTitleGetsSuffixEverywhere(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{FormatMarkdown, FormatHTML} {
		opts := runOptions(t, dir)
		opts.Format = format
		first, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.Article.Author = "B" // another article with the same synthetic title
		second, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		slug := first.Article.Metadata.Slug
		if second.Article.Metadata.Slug != slug+"-2" || filepath.Base(second.Files[0]) != slug+"-2."+format {
			t.Fatalf("%s: second article: slug %q, file %s (first %q)", format, second.Article.Metadata.Slug, second.Files[0], slug)
		}
		body := string(second.Output)
		for _, want := range map[string][]string{
			FormatMarkdown: {"\nslug: " + slug + "-2\n"},
			FormatHTML:     {`<link rel="canonical" href="` + slug + `-2.html">`, `"url": "` + slug + `-2.html"`},
		}[format] {
			if !strings.Contains(body, want) {
				t.Errorf("%s: %q missing from the second article", format, want)
			}
		}
		if second.Article.State.Options.Slug != slug+"-2" {
			t.Errorf("the suffix is not recorded in the inputs: %q", second.Article.State.Options.Slug)
		}
		// Replaying the manifest's inputs gives the same Markdown.
		p := newPipeline(&fakegen.Generator{Model: llm.ModelInfo{Ref: "synthetic/tiny"}})
		st, err := p.NewState(second.Article.Manifest.ReplayOptions())
		if err != nil {
			t.Fatal(err)
		}
		again, err := p.Run(context.Background(), st)
		if err != nil || string(again.Markdown) != string(second.Article.Markdown) {
			t.Fatalf("replay of the suffixed article differs: %v", err)
		}
		dir = t.TempDir()
	}
}

// TestRunResumeRefusesContradictingSettings: a resume takes the output
// directory, format, backend and inputs from the library; a given setting
// that differs is refused (ErrResumeConflict, an input error) and names
// every conflict; equal ones, threads and ctx are accepted.
func TestRunResumeRefusesContradictingSettings(t *testing.T) {
	dir := t.TempDir()
	opts := runOptions(t, dir)
	opts.Format = FormatHTML
	crash := &fakegen.Generator{FailAfter: 3, Model: llm.ModelInfo{Ref: "synthetic/tiny"}}
	opts.Open = func(context.Context, Backend) (llm.Generator, func(), error) { return crash, func() {}, nil }
	res, err := Run(context.Background(), opts)
	var re *RunError
	if !errors.As(err, &re) || re.ID != res.ID || re.Interrupted {
		t.Fatalf("crash: %v", err)
	}
	tests := []struct {
		name  string
		set   func(o *RunOptions)
		given []string
		bad   []string
	}{
		{"format", func(o *RunOptions) { o.Format = FormatMarkdown }, []string{"format"}, []string{"--format md"}},
		{"out and seed", func(o *RunOptions) { o.Out = "elsewhere"; o.Article.Seed = 9 }, []string{"out", "seed"}, []string{"--out", "--seed 9"}},
		{"backend", func(o *RunOptions) { o.Backend.Backend = BackendOpenAI }, []string{"backend"}, []string{"--backend openai"}},
		{"draft", func(o *RunOptions) { f := false; o.Article.Draft = &f }, []string{"draft"}, []string{"--draft false"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := RunOptions{Resume: res.ID, Open: opts.Open, OpenLibrary: opts.OpenLibrary, Given: map[string]bool{},
				Article: opts.Article, Out: opts.Out, Format: opts.Format, Backend: opts.Backend}
			tc.set(&o)
			for _, g := range tc.given {
				o.Given[g] = true
			}
			_, err := Run(context.Background(), o)
			if !errors.Is(err, ErrResumeConflict) || !errors.Is(err, ErrInput) {
				t.Fatalf("err = %v, want ErrResumeConflict", err)
			}
			for _, b := range tc.bad { // the message the user reads names each conflict
				if !strings.Contains(err.Error(), b) {
					t.Errorf("%q not named in %v", b, err)
				}
			}
		})
	}
	// Without flags, from another directory: the HTML goes to the first
	// run's directory.
	t.Chdir(t.TempDir())
	crash.FailAfter = 0
	got, err := Run(context.Background(), RunOptions{Resume: res.ID, Open: opts.Open, OpenLibrary: opts.OpenLibrary,
		Given: map[string]bool{"threads": true, "format": true}, Format: FormatHTML, Backend: Backend{Threads: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(got.Files[0]) != opts.Out || filepath.Ext(got.Files[0]) != ".html" {
		t.Fatalf("resumed files: %v, want .html in %s", got.Files, opts.Out)
	}
	if _, err := Run(context.Background(), RunOptions{Resume: res.ID, Open: opts.Open, OpenLibrary: opts.OpenLibrary}); !errors.Is(err, ErrInput) {
		t.Fatalf("resuming a finished article: %v", err)
	}
	if _, err := Run(context.Background(), RunOptions{Resume: 99, Open: opts.Open, OpenLibrary: opts.OpenLibrary}); !errors.Is(err, ErrNoArticle) {
		t.Fatalf("resuming an unknown article: %v", err)
	}
}

// TestPublishingChoices: draft, the visible AI notice (in the article's
// language, at the end of the Markdown and in the HTML body) and the
// author in the front matter and the JSON-LD.
func TestPublishingChoices(t *testing.T) {
	off, no := false, false
	tests := []struct {
		name      string
		set       func(o *Options)
		wantMD    []string
		notMD     []string
		wantHTML  []string
		notInHTML []string
	}{
		{"defaults", func(o *Options) {}, []string{"\ndraft: true\n", "\n*This article was generated by artificial intelligence (Plume, model synthetic/tiny) and may contain errors.*\n"},
			[]string{"author:"}, []string{"<em>This article was generated by artificial intelligence"}, []string{`"author"`}},
		{"french", func(o *Options) { o.Topic = "Pourquoi le compost change un petit jardin"; o.Lang = "fr" },
			[]string{"\n*Cet article a été généré par une intelligence artificielle (Plume, modèle synthetic/tiny) et peut contenir des erreurs.*\n"},
			[]string{"This article was generated"}, []string{"Cet article a été généré"}, nil},
		{"published, no notice, author", func(o *Options) { o.Draft, o.AINotice, o.Author = &no, &off, "Ada Lovelace" },
			[]string{"\ndraft: false\n", "\nauthor: Ada Lovelace\n"}, []string{"generated by artificial intelligence"},
			[]string{`"author": {`, `"name": "Ada Lovelace"`, `<meta name="author" content="Ada Lovelace">`}, []string{"generated by artificial intelligence"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions("Compost basics")
			tc.set(&opts)
			art, _ := runArticle(t, &fakegen.Generator{Model: llm.ModelInfo{Ref: "synthetic/tiny"}}, opts)
			h, err := art.HTML("test")
			if err != nil {
				t.Fatal(err)
			}
			md := string(art.Markdown)
			for _, w := range tc.wantMD {
				if !strings.Contains(md, w) {
					t.Errorf("Markdown lacks %q", w)
				}
			}
			for _, w := range tc.notMD {
				if strings.Contains(md, w) {
					t.Errorf("Markdown has %q", w)
				}
			}
			for _, w := range tc.wantHTML {
				if !strings.Contains(string(h), w) {
					t.Errorf("HTML lacks %q", w)
				}
			}
			for _, w := range tc.notInHTML {
				if strings.Contains(string(h), w) {
					t.Errorf("HTML has %q", w)
				}
			}
		})
	}
}

// TestAINoticeForEveryLanguage: every prompt language has its notice.
func TestAINoticeForEveryLanguage(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		if AINotice(lang, "m") == "" {
			t.Errorf("no AI notice for %s", lang)
		}
	}
}

// TestWritePairFullDisk: on a file system without room for both files,
// neither the article nor its manifest appears (a tmpfs of 64 KiB; the
// test skips, saying so, where it cannot mount one).
func TestWritePairFullDisk(t *testing.T) {
	dir := testutil.SmallTmpfs(t, "64k")
	manifest := make([]byte, 40<<10)
	body := make([]byte, 40<<10) // the two do not fit together
	err := WritePair(filepath.Join(dir, "a.md"), body, filepath.Join(dir, "a.plume.json"), manifest)
	if err == nil {
		t.Fatal("writing 80 KiB into 64 KiB succeeded")
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Fatalf("files left after the failed write: %v", left)
	}
	// Room for both: both appear.
	if err := WritePair(filepath.Join(dir, "a.md"), body[:1000], filepath.Join(dir, "a.plume.json"), manifest[:1000]); err != nil {
		t.Fatal(err)
	}
}

// TestReplayOfManifestBeforeTheNotice: a manifest written before the AI
// notice existed (no ai_notice input) replays to its article, without a
// notice; a new run records ai_notice explicitly.
func TestReplayOfManifestBeforeTheNotice(t *testing.T) {
	off := false
	opts := testOptions("Compost basics")
	opts.AINotice = &off
	art, _ := runArticle(t, &fakegen.Generator{}, opts)
	data, err := art.Manifest.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	old := regexp.MustCompile(`,\s*"ai_notice": false`).ReplaceAllString(string(data), "")
	if old == string(data) {
		t.Fatalf("ai_notice not recorded in the manifest")
	}
	m, err := ParseManifest([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	p := newPipeline(&fakegen.Generator{})
	st, err := p.NewState(m.ReplayOptions())
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Run(context.Background(), st)
	if err != nil || string(again.Markdown) != string(art.Markdown) {
		t.Fatalf("replay of an old manifest differs: %v", err)
	}
	st, _ = p.NewState(testOptions("Compost basics"))
	if st.Options.AINotice == nil || !*st.Options.AINotice {
		t.Errorf("a new run does not record ai_notice: %v", st.Options.AINotice)
	}
}
