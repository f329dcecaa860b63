package writer

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// stageOf identifies a request's stage from its user prompt.
func stageOf(req llm.Request) string {
	u := req.Messages[len(req.Messages)-1].Content
	if strings.HasPrefix(u, "Brief: ") || strings.HasPrefix(u, "Brief : ") {
		// The brief heads the outline, draft and review prompts (shared
		// with the calls before them); the stage's own text follows.
		for _, m := range []string{"\nCreate the outline", "\nCrée le plan", "\nArticle title:", "\nTitre de l'article",
			"\nReview one section", "\nRelis une section"} {
			if i := strings.Index(u, m); i >= 0 {
				u = u[i+1:]
				break
			}
		}
	}
	switch {
	case strings.HasPrefix(u, "Write a short creative brief"), strings.HasPrefix(u, "Rédige un court brief"):
		return StageBrief
	case strings.HasPrefix(u, "Create the outline"), strings.HasPrefix(u, "Crée le plan"):
		return StageOutline
	case strings.HasPrefix(u, "Article title:"), strings.HasPrefix(u, "Titre de l'article"):
		return StageDraft
	case strings.HasPrefix(u, "Review one section"), strings.HasPrefix(u, "Relis une section"):
		return StageReview
	case strings.HasPrefix(u, "Rewrite this section"), strings.HasPrefix(u, "Réécris cette section"):
		return StageRevise
	case strings.HasPrefix(u, "Write the metadata"), strings.HasPrefix(u, "Rédige les métadonnées"):
		return StageMetadata
	case strings.HasPrefix(u, "Your previous answer"), strings.HasPrefix(u, "Ta réponse précédente"):
		return "repair"
	}
	return "unknown"
}

func TestStageOrderAndPrompts(t *testing.T) {
	g := &fakegen.Generator{}
	art, sv := runArticle(t, g, testOptions("How to make compost at home"))
	reqs := g.Requests()
	var stages []string
	for _, r := range reqs {
		s := stageOf(r)
		if len(stages) == 0 || stages[len(stages)-1] != s {
			stages = append(stages, s)
		}
		if r.Messages[0].Role != "system" || !strings.HasPrefix(r.Messages[0].Content, "You are an experienced blog writer") {
			t.Fatalf("request without the English system prompt: %q", r.Messages[0].Content)
		}
		wantSchema := s == StageOutline || s == StageReview || s == StageMetadata
		if (r.JSONSchema != nil) != wantSchema {
			t.Errorf("%s request: JSONSchema set = %v", s, r.JSONSchema != nil)
		}
		if s == StageDraft && r.TopLogprobs != 1 {
			t.Errorf("draft request without logprobs")
		}
	}
	// Reviews and revisions interleave per part; collapse to the first
	// appearance order of stage groups.
	got := strings.Join(stages, ",")
	if !strings.HasPrefix(got, "brief,outline,draft,review") || !strings.HasSuffix(got, "metadata") {
		t.Errorf("stage order = %s", got)
	}
	parts := len(art.State.Parts)
	drafts, reviews := 0, 0
	for _, r := range reqs {
		switch stageOf(r) {
		case StageDraft:
			drafts++
		case StageReview:
			reviews++
		}
	}
	if drafts != parts || reviews < parts {
		t.Errorf("drafts = %d, reviews = %d, parts = %d", drafts, reviews, parts)
	}
	// Each section prompt sees the outline and a running summary of the
	// parts before it (none for the first).
	var draftPrompts []string
	for _, r := range reqs {
		if stageOf(r) == StageDraft {
			draftPrompts = append(draftPrompts, r.Messages[1].Content)
		}
	}
	if strings.Contains(draftPrompts[0], "Already written") {
		t.Errorf("first part got a running summary")
	}
	for i, p := range draftPrompts[1:] {
		if !strings.Contains(p, "Already written (do not repeat it):\n- Introduction: ") || !strings.Contains(p, "Outline:\n# ") {
			t.Errorf("draft prompt %d lacks the outline or the running summary:\n%s", i+1, p)
		}
	}
	// one checkpoint per finished step at least: brief, outline, each part
	// drafted, each part reviewed, metadata, done.
	if want := 2 + 2*parts + 2; sv.n != want {
		t.Errorf("checkpoints = %d, want %d", sv.n, want)
	}
}

func TestArticleOutput(t *testing.T) {
	art, _ := runArticle(t, &fakegen.Generator{}, testOptions("How to make compost at home"))
	md := string(art.Markdown)
	if !strings.HasPrefix(md, "---\n") {
		t.Fatalf("no front matter:\n%s", md)
	}
	end := strings.Index(md[4:], "\n---\n")
	var fm map[string]any
	if err := yaml.Unmarshal([]byte(md[4:4+end]), &fm); err != nil {
		t.Fatalf("front matter does not parse: %v", err)
	}
	for _, k := range []string{"title", "date", "slug", "description", "tags", "lang"} {
		if fm[k] == nil {
			t.Errorf("front matter lacks %s", k)
		}
	}
	if fm["draft"] != true || fm["digitalSourceType"] != "trainedAlgorithmicMedia" || fm["lang"] != "en" {
		t.Errorf("front matter draft/marking/lang wrong: %v", fm)
	}
	if n := len([]rune(art.Metadata.Description)); n < 120 || n > 156 {
		t.Errorf("description length %d", n)
	}
	if art.Metadata.Slug != Slugify(art.Metadata.Title) || art.Metadata.ReadingMinutes < 1 {
		t.Errorf("slug/reading time: %+v", art.Metadata)
	}
	if !strings.Contains(art.Body, "\n## ") {
		t.Errorf("body has no H2")
	}
	m := art.Manifest
	if m.DigitalSourceType != DigitalSourceType || m.Date != "2026-11-29T10:30:00Z" || len(m.Calls) == 0 ||
		len(m.Confidence) == 0 || m.Tokens.Completion == 0 || m.Run == nil || len(m.Run.Stages) == 0 {
		t.Errorf("manifest incomplete: date %s calls %d conf %d", m.Date, len(m.Calls), len(m.Confidence))
	}
	for _, c := range m.Confidence {
		if c.Confidence <= 0 || c.Confidence > 1 || c.Tokens == 0 {
			t.Fatalf("bad confidence %+v", c)
		}
	}
	if len(m.Quality.Rules) == 0 {
		t.Errorf("no quality rules in the manifest")
	}
	h, err := art.HTML("test")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"@type": "BlogPosting"`, `"digitalSourceType": "` + DigitalSourceTypeURI + `"`, "<h2>", `<html lang="en">`} {
		if !bytes.Contains(h, []byte(want)) {
			t.Errorf("HTML lacks %s", want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := runArticle(t, &fakegen.Generator{}, testOptions("How to make compost at home"))
	b, _ := runArticle(t, &fakegen.Generator{}, testOptions("How to make compost at home"))
	if !bytes.Equal(a.Markdown, b.Markdown) {
		t.Fatal("same inputs gave different articles")
	}
	if same, diff, err := a.Manifest.Compare(b.Manifest); err != nil || !same {
		t.Fatalf("manifests differ in %v (%v)", diff, err)
	}
	opts := testOptions("How to make compost at home")
	opts.Seed = 43
	c, _ := runArticle(t, &fakegen.Generator{}, opts)
	if bytes.Equal(a.Markdown, c.Markdown) {
		t.Fatal("a different seed gave the same article")
	}
	if same, diff, _ := a.Manifest.Compare(c.Manifest); same || len(diff) == 0 {
		t.Fatal("Compare missed a difference")
	}
}

func TestResumeAfterCrash(t *testing.T) {
	want, _ := runArticle(t, &fakegen.Generator{}, testOptions("How to make compost at home"))
	for _, failAfter := range []int{1, 4, 7, 12} {
		p := newPipeline(&fakegen.Generator{FailAfter: failAfter})
		sv := &saver{}
		p.Checkpoint = sv.checkpoint
		st, err := p.NewState(testOptions("How to make compost at home"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Run(context.Background(), st); !errors.Is(err, fakegen.ErrCrash) {
			t.Fatalf("failAfter %d: err = %v, want the crash", failAfter, err)
		}
		resumed := sv.load(t)
		saved := len(resumed.Calls)
		if saved >= failAfter+1 {
			t.Fatalf("checkpoint holds an unfinished call")
		}
		g := &fakegen.Generator{}
		p2 := newPipeline(g)
		p2.Checkpoint = sv.checkpoint
		got, err := p2.Run(context.Background(), resumed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Markdown, want.Markdown) {
			t.Errorf("failAfter %d: resumed article differs", failAfter)
		}
		if resumedRun := got.Manifest.Run.Resumed; !resumedRun || want.Manifest.Run.Resumed {
			t.Errorf("failAfter %d: run.resumed = %v", failAfter, resumedRun)
		}
		if same, diff, _ := want.Manifest.Compare(got.Manifest); !same {
			t.Errorf("failAfter %d: resumed manifest differs in %v", failAfter, diff)
		}
		if n := len(g.Requests()); n+saved != len(want.Manifest.Calls) {
			t.Errorf("failAfter %d: resumed run made %d calls after %d saved, want %d in all", failAfter, n, saved, len(want.Manifest.Calls))
		}
	}
}

func TestCancelKeepsFinishedSections(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	drafts := 0
	g := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
		if stageOf(req) == StageDraft {
			drafts++
			if drafts == 3 {
				cancel()
			}
		}
		return "", false
	}}
	p := newPipeline(g)
	sv := &saver{}
	p.Checkpoint = sv.checkpoint
	st, _ := p.NewState(testOptions("How to make compost at home"))
	if _, err := p.Run(ctx, st); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := sv.load(t).DraftedParts(); got != 2 {
		t.Errorf("saved drafted parts = %d, want 2", got)
	}
}

func TestFrench(t *testing.T) {
	g := &fakegen.Generator{}
	opts := testOptions("Comment faire son compost à la maison")
	art, _ := runArticle(t, g, opts)
	if art.State.Options.Lang != "fr" || art.State.Options.LangSource != "detected" {
		t.Fatalf("lang = %s (%s)", art.State.Options.Lang, art.State.Options.LangSource)
	}
	for _, r := range g.Requests() {
		if !strings.HasPrefix(r.Messages[0].Content, "Tu es un rédacteur") || stageOf(r) == "unknown" {
			t.Fatalf("non-French prompt: %q", r.Messages[1].Content)
		}
	}
	if art.Quality.Readability.Formula != "kandel-moles" {
		t.Errorf("formula = %s", art.Quality.Readability.Formula)
	}
}

func TestJSONRepair(t *testing.T) {
	bad := 0
	g := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
		if req.JSONSchema != nil && req.JSONSchema.Property("sections") != nil && bad < 2 {
			bad++
			return `{"title": "cut short`, true
		}
		return "", false
	}}
	art, _ := runArticle(t, g, testOptions("How to make compost at home"))
	repairs := 0
	for _, r := range g.Requests() {
		if stageOf(r) == "repair" {
			repairs++
			if r.Messages[2].Role != "assistant" || r.Messages[2].Content != `{"title": "cut short` {
				t.Errorf("repair request does not show the bad answer: %+v", r.Messages)
			}
		}
	}
	if repairs != 2 || len(art.State.Warnings) < 2 {
		t.Errorf("repairs = %d, warnings = %q", repairs, art.State.Warnings)
	}

	// Always invalid: bounded, then a clear error.
	g = &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
		if req.JSONSchema != nil {
			return `{"title":"x","intro":[],"sections":[]}`, true
		}
		return "", false
	}}
	p := newPipeline(g)
	st, _ := p.NewState(testOptions("How to make compost at home"))
	_, err := p.Run(context.Background(), st)
	if !errors.Is(err, ErrNoValidJSON) {
		t.Fatalf("err = %v", err)
	}
	if n := len(g.Requests()); n != 1+1+MaxRepairs {
		t.Errorf("requests = %d, want brief + %d outline attempts", n, 1+MaxRepairs)
	}
}

func TestReviseFailingSections(t *testing.T) {
	g := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
		if stageOf(req) == StageReview {
			if strings.Contains(conversation(req), "REVISED") {
				return `{"pass":true,"problems":[]}`, true
			}
			return `{"pass":false,"problems":["too vague"]}`, true
		}
		if stageOf(req) == StageRevise {
			if !strings.Contains(req.Messages[len(req.Messages)-1].Content, "too vague") {
				t.Errorf("revise prompt lacks the problem")
			}
			return "REVISED text that is better.", true
		}
		return "", false
	}}
	art, _ := runArticle(t, g, testOptions("How to make compost at home"))
	for i, p := range art.State.Parts {
		if p.Revisions != 1 || p.Text != "REVISED text that is better." || !p.Reviewed {
			t.Errorf("part %d: revisions %d text %.30q", i, p.Revisions, p.Text)
		}
	}
}

func TestSchemasAreValidAndFakeAnswersValidate(t *testing.T) {
	for name, s := range map[string]*jsonschema.Schema{"outline": OutlineSchema(2, 5), "metadata": MetadataSchema(), "review": ReviewSchema()} {
		// The schema the writer builds is one jsonschema.Parse accepts.
		text, err := s.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		sch, err := jsonschema.Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g := &fakegen.Generator{}
		for seed := uint64(0); seed < 50; seed++ {
			req := llm.Request{JSONSchema: s, MaxTokens: 4000}
			req.Sampling.Seed = seed
			res, err := g.Generate(context.Background(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate([]byte(res.Text)); err != nil {
				t.Fatalf("%s seed %d: %v\n%s", name, seed, err, res.Text)
			}
		}
	}
}
