package writer

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/writer/citation"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

var retrieved = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func testSources() []sources.Source {
	return []sources.Source{
		{Origin: "notes/compost.md", File: "compost.md", Kind: sources.KindMarkdown, Title: "Compost notes",
			Retrieved: retrieved, SHA256: strings.Repeat("a", 64),
			Text: "# Compost notes\n\n## Green and brown\n\nMix green waste such as peelings with brown waste such as dry leaves, one part green to two parts brown.\n\n## Turning\n\nTurning the compost heap every three weeks brings air to the bacteria and speeds up decomposition."},
		{Origin: "https://example.org/worms", URL: "https://example.org/worms?ref=1", Kind: sources.KindHTML,
			Title: "Worms at work", Author: "Jane Gardener", Retrieved: retrieved, SHA256: strings.Repeat("b", 64),
			Text: "# Worms at work\n\nEarthworms and woodlice break kitchen waste into small pieces. In a worm bin, compost worms turn peelings into worm compost within two months."},
		{Origin: "notes/taxes.txt", File: "taxes.txt", Kind: sources.KindText,
			Retrieved: retrieved, SHA256: strings.Repeat("c", 64),
			Text: "Quarterly tax returns are due at the end of the month following the quarter."},
	}
}

var passageLine = regexp.MustCompile(`(?m)^\[(\d+)\] \([^)]*\) (.*)$`)

// groundedScript drafts from the passages it is given: a sentence copied from
// the first passage with its citation, an invented sentence citing the same
// passage, a citation of a passage it was not given, and a plain sentence.
// As checker it is credulous: every citation is "supported".
func groundedScript(n int, req llm.Request) (string, bool) {
	user := req.Messages[len(req.Messages)-1].Content
	switch {
	case strings.Contains(user, "Create the outline"):
		return groundedOutline, true
	case req.JSONSchema == citation.Schema:
		_, after, _ := strings.Cut(user, "<<<\n")
		passage, _, _ := strings.Cut(after, "\n>>>")
		first := strings.SplitAfter(passage, ".")[0]
		return `{"verdict":"supported","span":` + strconv.Quote(strings.TrimSpace(first)) + `}`, true
	case req.JSONSchema == nil && strings.Contains(user, "Source passages:"):
		m := passageLine.FindStringSubmatch(user)
		if m == nil {
			return "", false
		}
		first := strings.TrimSuffix(strings.SplitAfter(m[2], ".")[0], ".")
		return first + " [" + m[1] + "]. Bees dance on tomato leaves under the full moon [" + m[1] + "]. " +
			"This claim cites nothing given [99]. Compost is a simple habit for a small garden.", true
	}
	return "", false
}

// groundedOutline is an outline whose sections the sources cover.
const groundedOutline = `{"title":"Compost in a small garden","intro":["Why a small garden needs compost","What this article covers"],` +
	`"sections":[{"heading":"Green and brown waste","points":["Mix peelings with dry leaves","Keep the ratio of green to brown"]},` +
	`{"heading":"Turning the heap","points":["Air helps the bacteria","Turning speeds up decomposition"]},` +
	`{"heading":"Worms at work","points":["Worms break kitchen waste","A worm bin makes compost"]}]}`

func groundedOptions() Options {
	o := testOptions("Compost in a small garden")
	o.Lang = "en"
	o.Sources = testSources()
	return o
}

var refMarker = regexp.MustCompile(`\[(\d+)\]`)

func TestGroundedArticle(t *testing.T) {
	gen := &fakegen.Generator{Script: groundedScript}
	art, _ := runArticle(t, gen, groundedOptions())
	checkGroundedReferences(t, art)
	checkGroundingRecord(t, art)
	checkCiteCalls(t, art, gen)
	checkGroundedFormats(t, art)

	// Replay from the manifest alone (the sources' text is in its inputs).
	again, _ := runArticle(t, &fakegen.Generator{Script: groundedScript}, art.Manifest.ReplayOptions())
	same, diffs, err := art.Manifest.Compare(again.Manifest)
	if err != nil || !same || !bytes.Equal(art.Markdown, again.Markdown) {
		t.Errorf("replay differs: %v %v", diffs, err)
	}
}

// checkGroundedReferences: the References list matches the citations and
// unsupported citations are gone from the text.
func checkGroundedReferences(t *testing.T, art *Article) {
	t.Helper()
	body := art.Body
	// The References list matches the citations: every cited number has an
	// entry, every entry is cited, and only cited sources are listed.
	main, refs, ok := strings.Cut(body, "\n## References\n")
	if !ok {
		t.Fatalf("no References section:\n%s", body)
	}
	cited := map[int]bool{}
	for _, m := range refMarker.FindAllStringSubmatch(main, -1) {
		k, _ := strconv.Atoi(m[1])
		cited[k] = true
	}
	if len(cited) == 0 || len(art.References) != len(cited) {
		t.Fatalf("cited %v, references %+v", cited, art.References)
	}
	for _, r := range art.References {
		if !cited[r.N] {
			t.Errorf("reference %d is not cited", r.N)
		}
		if r.Title == "Quarterly" || strings.Contains(r.Title, "tax") {
			t.Errorf("unused source listed: %+v", r)
		}
	}
	if !strings.Contains(refs, "[Worms at work](<https://example.org/worms?ref=1>), Jane Gardener, retrieved 2026-12-01.") ||
		!strings.Contains(refs, "Compost notes (compost.md), retrieved 2026-12-01.") {
		t.Errorf("references:\n%s", refs)
	}
	// Unsupported citations are gone from the text, the sentences stay.
	if strings.Contains(main, "[99]") || strings.Contains(main, "full moon [") || !strings.Contains(main, "under the full moon.") {
		t.Errorf("unsupported citations kept:\n%s", main)
	}
}

// checkGroundingRecord: the manifest's grounding record and the quality
// report's citation counts.
func checkGroundingRecord(t *testing.T, art *Article) {
	t.Helper()
	g := art.Manifest.Grounding
	if g == nil || len(g.Given) != len(art.State.Parts) || len(g.Outline) == 0 {
		t.Fatalf("grounding record: %+v", g)
	}
	if g.Passages[0].Text == "" || g.Passages[0].Source != 0 || g.Passages[0].Heading == "" {
		t.Errorf("passage record %+v", g.Passages[0])
	}
	for i, given := range g.Given {
		if len(given) == 0 {
			t.Errorf("part %d was given no passage", i)
		}
	}
	var floor, notGiven, supported int
	for _, c := range g.Citations {
		switch {
		case c.Verdict == citation.Supported:
			supported++
		case c.Model == citation.Supported && c.Verdict == citation.NotSupported:
			floor++
		case c.Passage == 99 && c.Verdict == citation.NotSupported:
			notGiven++
		}
	}
	parts := len(art.State.Parts)
	if supported != parts || floor != parts || notGiven != parts {
		t.Errorf("supported %d, overruled by the floor %d, not given %d; want %d each", supported, floor, notGiven, parts)
	}
	q := art.Quality.Citations
	if q == nil || q.Unsupported != 2*parts || q.Supported != parts || q.Cited != parts ||
		len(q.Unused) != 1 || q.Unused[0] != "taxes.txt" || q.Share <= 0 || q.Share >= 1 {
		t.Errorf("citation report %+v", q)
	}
	if q != nil && (len(q.Removed) != q.Unsupported || !strings.Contains(q.Removed[0].Reason, "floor") && !strings.Contains(q.Removed[0].Reason, "not given")) {
		t.Errorf("removed citations listed: %+v", q.Removed)
	}
}

// checkCiteCalls: the verdict calls and the passages the prompts saw.
func checkCiteCalls(t *testing.T, art *Article, gen *fakegen.Generator) {
	t.Helper()
	parts := len(art.State.Parts)
	// The verdict calls are in the manifest, under the verdict schema.
	cites := 0
	for _, c := range art.Manifest.Calls {
		if c.Stage == StageCite {
			cites++
			if c.JSONSchema != schemaText(citation.Schema) {
				t.Errorf("cite call schema %q", c.JSONSchema)
			}
		}
	}
	if cites != 2*parts {
		t.Errorf("%d cite calls, want %d", cites, 2*parts)
	}
	// Outline and sections saw the passages.
	reqs := gen.Requests()
	if !strings.Contains(reqs[1].Messages[1].Content, "Source passages (take the sections") {
		t.Errorf("outline prompt:\n%s", reqs[1].Messages[1].Content)
	}
}

// checkGroundedFormats: the references in the HTML and JSON outputs.
func checkGroundedFormats(t *testing.T, art *Article) {
	t.Helper()
	// Output formats.
	page, err := art.HTML("test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `<a href="https://example.org/worms?ref=1" rel="noopener">Worms at work</a>`) ||
		strings.Contains(string(page), "## References") {
		t.Errorf("html references:\n%s", page)
	}
	js, err := art.JSON("test", "m")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(`"references": [`)) || !bytes.Contains(js, []byte(`"sources_never_used"`)) {
		t.Errorf("json:\n%s", js)
	}
}

func TestStrictCitationsRewrite(t *testing.T) {
	gen := &fakegen.Generator{Script: groundedScript}
	o := groundedOptions()
	o.StrictCitations = true
	art, _ := runArticle(t, gen, o)
	rewrites := 0
	for _, c := range art.Manifest.Calls {
		if c.Stage == StageRevise && strings.Contains(c.Messages[1].Content, "is not supported by passage [") {
			rewrites++
		}
	}
	if rewrites != len(art.State.Parts) {
		t.Errorf("%d strict rewrites, want %d", rewrites, len(art.State.Parts))
	}
	re := 0
	for _, c := range art.Manifest.Grounding.Citations {
		if c.Rewritten {
			re++
		}
	}
	if re == 0 || art.Quality.Citations.Rewritten != re {
		t.Errorf("rewritten citations %d, report %+v", re, art.Quality.Citations)
	}
}

// TestGroundedResume: a run interrupted in the cite stage resumes to the
// same article.
func TestGroundedResume(t *testing.T) {
	full, _ := runArticle(t, &fakegen.Generator{Script: groundedScript}, groundedOptions())
	crashAt := 0
	for i, c := range full.Manifest.Calls {
		if c.Stage == StageCite {
			crashAt = i + 3
			break
		}
	}
	p := newPipeline(&fakegen.Generator{Script: groundedScript, FailAfter: crashAt})
	sv := &saver{}
	p.Checkpoint = sv.checkpoint
	st, err := p.NewState(groundedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(context.Background(), st); err == nil {
		t.Fatal("expected the simulated crash")
	}
	resumed := sv.load(t)
	if resumed.NextStage() != StageCite {
		t.Fatalf("resumed at %q", resumed.NextStage())
	}
	p2 := newPipeline(&fakegen.Generator{Script: groundedScript})
	art, err := p2.Run(context.Background(), resumed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(art.Markdown, full.Markdown) {
		t.Errorf("resumed article differs:\n%s\n---\n%s", art.Markdown, full.Markdown)
	}
}

func TestSourceLimits(t *testing.T) {
	o := groundedOptions()
	o.Sources[1].Text = "  "
	if err := o.Normalize(); err == nil {
		t.Error("a source without text passed")
	}
	o = groundedOptions()
	for len(o.Sources) <= MaxSources {
		o.Sources = append(o.Sources, o.Sources[0])
	}
	if err := o.Normalize(); err == nil {
		t.Error("too many sources passed")
	}
}
