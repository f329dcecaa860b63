package writer

import (
	"context"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/retrieve"
	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/writer/citation"
)

// StageCite is the citation check, between review and metadata.
const StageCite = "cite"

// Grounding limits, with their reasons.
const (
	// MaxSources caps --source inputs after directories are expanded: an
	// article cites a handful of sources; hundreds would only dilute
	// retrieval and swell the manifest.
	MaxSources = 50
	// MaxSourcesTextBytes caps the extracted text of all sources together:
	// the manifest keeps it twice (the sources, so that a replay needs no
	// network, and their passages) under its MaxManifestBytes cap, next
	// to the calls; and a model sees only a few passages per prompt anyway.
	MaxSourcesTextBytes = 2 << 20
	// PassagesPerPrompt is how many passages retrieval offers one prompt
	// before the context sizing (fit) drops the lowest ranked: enough for
	// a section to draw on two or three sources.
	PassagesPerPrompt = 6
	// SourceShareOfContext is the share of the context window passages may
	// take in one prompt, so that the outline, the summary and the answer
	// keep their room on small windows.
	SourceShareOfContext = 0.4
)

// Grounding is what the sources contributed to a run: passages, what each
// prompt was given, and every citation with its verdict.
type Grounding struct {
	Passages []PassageRecord `json:"passages"`
	// Outline lists the passages the outline prompt was given.
	Outline []int `json:"outline_passages"`
	// Given lists, per part, the passages its drafting prompt was given.
	Given [][]int `json:"given"`
	// Citations lists every citation checked, in order.
	Citations []CitationRecord `json:"citations"`
	// CheckedParts counts the parts whose citations are checked (the
	// unit a resumed run restarts from).
	CheckedParts int `json:"checked_parts"`
}

// PassageRecord is one passage of a source, as prompts quote it.
type PassageRecord struct {
	N       int    `json:"n"`
	Source  int    `json:"source"` // index in Options.Sources
	Heading string `json:"heading,omitempty"`
	Tokens  int    `json:"tokens"`
	Text    string `json:"text"`
}

// CitationRecord is one checked citation.
type CitationRecord struct {
	Part     int    `json:"part"`
	Sentence string `json:"sentence"`
	Passage  int    `json:"passage"`
	Source   int    `json:"source"`
	citation.Result
	// Rewritten is set when --strict-citations had the sentence rewritten.
	Rewritten bool `json:"rewritten,omitempty"`
}

// normalizeSources checks the loaded sources before anything is generated.
func (o *Options) normalizeSources() error {
	if len(o.Sources) > MaxSources {
		return fmt.Errorf("%w: %d sources, at most %d", ErrInput, len(o.Sources), MaxSources)
	}
	total := 0
	for i, s := range o.Sources {
		total += len(s.Text)
		if strings.TrimSpace(s.Text) == "" {
			return fmt.Errorf("%w: source %d (%s) has no text", ErrInput, i+1, s.Origin)
		}
	}
	if total > MaxSourcesTextBytes {
		return fmt.Errorf("%w: the sources hold %d bytes of text, at most %d", ErrInput, total, MaxSourcesTextBytes)
	}
	return nil
}

// grounded reports whether the run writes from sources.
func (r *run) grounded() bool { return len(r.st.Options.Sources) > 0 }

// ground splits the sources into passages (once per article).
func (r *run) ground() {
	if r.st.Grounding == nil && r.st.Brief == "" {
		r.st.Warnings = append(r.st.Warnings, r.st.Options.SourceWarnings...)
	}
	if !r.grounded() || r.st.Grounding != nil {
		return
	}
	docs := make([]retrieve.Doc, len(r.st.Options.Sources))
	for i, s := range r.st.Options.Sources {
		docs[i] = retrieve.Doc{Title: s.Name(), Text: s.Text}
	}
	g := &Grounding{}
	for _, p := range retrieve.Split(docs, retrieve.DefaultPassageTokens, r.countTokens) {
		g.Passages = append(g.Passages, PassageRecord{N: p.N, Source: p.Source, Heading: p.Heading, Tokens: p.Tokens, Text: p.Text})
	}
	r.st.Grounding = g
}

// countTokens counts with the model's tokenizer, estimating on error.
func (r *run) countTokens(s string) int {
	if n, err := r.p.Gen.CountTokens(s); err == nil {
		return n
	}
	return retrieve.EstimateTokens(s)
}

// passages returns the recorded passages, in number order.
func (r *run) passages() []retrieve.Passage {
	if r.st.Grounding == nil {
		return nil
	}
	out := make([]retrieve.Passage, len(r.st.Grounding.Passages))
	for i, p := range r.st.Grounding.Passages {
		out[i] = retrieve.Passage{N: p.N, Source: p.Source, Heading: p.Heading, Text: p.Text, Tokens: p.Tokens}
	}
	return out
}

// retrieveFor returns the top passages for a query within the prompt share
// of the context.
func (r *run) retrieveFor(query string) ([]retrieve.Passage, error) {
	if !r.grounded() {
		return nil, nil
	}
	ix, err := retrieve.NewIndex(r.passages(), r.st.Options.Lang)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	hits, err := ix.Search(query, PassagesPerPrompt)
	if err != nil {
		return nil, err
	}
	return retrieve.Within(hits, int(SourceShareOfContext*float64(contextLength(r.p.Gen)))), nil
}

// outlinePassages are the passages for the outline: the topic and brief.
func (r *run) outlinePassages() ([]retrieve.Passage, error) {
	return r.retrieveFor(r.st.Options.Topic + "\n" + r.st.Brief)
}

// partPassages are the passages for part i: its heading and key points.
func (r *run) partPassages(i int) ([]retrieve.Passage, error) {
	p := r.st.Parts[i]
	h := p.Heading
	if p.Level == 0 {
		h = r.st.Options.Topic
	}
	return r.retrieveFor(retrieve.SectionQuery(h, p.Points))
}

// outlineRoomForPassages lowers the outline's answer budget (not under
// OutlineMinTokens) by the passages' tokens: on a small window the sources
// should shape the outline rather than be cut for an answer budget sized
// for the longest outline.
func outlineRoomForPassages(maxOut int, ps []retrieve.Passage) int {
	n := 0
	for _, p := range ps {
		n += p.Tokens + passageLabelTokens
	}
	return max(min(maxOut, OutlineMinTokens), maxOut-n)
}

// passageLabelTokens covers the "[n] (source › heading)" label of a passage.
const passageLabelTokens = 16

// renderPassages is the prompt block: one "[n] (source › heading) text"
// paragraph per passage.
func (r *run) renderPassages(ps []retrieve.Passage) string {
	var b strings.Builder
	for _, p := range ps {
		where := r.st.Options.Sources[p.Source].Name()
		if p.Heading != "" && p.Heading != where {
			where += " › " + p.Heading
		}
		fmt.Fprintf(&b, "[%d] (%s) %s\n\n", p.N, where, strings.Join(strings.Fields(p.Text), " "))
	}
	return strings.TrimSpace(b.String())
}

// givenIn lists the passages whose block made it into msgs (fit may have
// dropped the lowest ranked).
func (r *run) givenIn(msgs []Message, offered []retrieve.Passage) []int {
	var out []int
	for _, p := range offered {
		line := r.renderPassages([]retrieve.Passage{p})
		for _, m := range msgs {
			if strings.Contains(m.Content, line) {
				out = append(out, p.N)
				break
			}
		}
	}
	return out
}

// givenPassages returns the passages part i's draft was given, best first.
func (r *run) givenPassages(i int) []retrieve.Passage {
	if r.st.Grounding == nil {
		return nil
	}
	all := r.passages()
	var out []retrieve.Passage
	for _, n := range r.givenTo(i) {
		if n >= 1 && n <= len(all) {
			out = append(out, all[n-1])
		}
	}
	return out
}

// recordGiven notes what part i (or the outline, i = -1) was given.
func (r *run) recordGiven(i int, msgs []Message, offered []retrieve.Passage) {
	g := r.st.Grounding
	if g == nil {
		return
	}
	given := r.givenIn(msgs, offered)
	if i < 0 {
		g.Outline = given
		return
	}
	for len(g.Given) <= i {
		g.Given = append(g.Given, nil)
	}
	g.Given[i] = given
}

// cite checks the citations of every part not yet checked.
func (r *run) cite(ctx context.Context) error {
	g := r.st.Grounding
	for i := g.CheckedParts; i < len(r.st.Parts); i++ {
		r.emit(Event{Type: EventStage, Stage: StageCite, Part: i + 1, Parts: len(r.st.Parts), Heading: r.st.Parts[i].Heading})
		bad, err := r.checkPart(ctx, i, 0, false)
		if err != nil {
			return err
		}
		if bad > 0 && r.st.Options.StrictCitations {
			if err := r.rewriteUnsupported(ctx, i); err != nil {
				return err
			}
		}
		g.CheckedParts = i + 1
		if err := r.checkpoint(ctx); err != nil {
			return err
		}
	}
	return nil
}

// citeAttemptStride spaces the attempts (and so the seeds) of the citation
// checks of one part, like the review passes: each check starts at a
// multiple of 10 and its repairs follow it (MaxRepairs < 10).
const citeAttemptStride = reviewAttemptStride

// citeRecheckOffset numbers the checks of a part re-checked after a strict
// rewrite past those of the first check (a part holds far fewer than 10000
// citations).
const citeRecheckOffset = 10000

// checkPart checks the citations of part i, removes the unsupported ones
// from its text and returns how many it removed. round separates the seeds
// of a re-check after a strict rewrite.
func (r *run) checkPart(ctx context.Context, i, round int, rewritten bool) (int, error) {
	part := &r.st.Parts[i]
	all := r.passages()
	removed, k := 0, round*citeRecheckOffset
	for _, sent := range citation.Sentences(part.Text) {
		cur := sent
		for _, n := range citation.Numbers(sent) {
			rec := CitationRecord{Part: i, Sentence: citation.Strip(sent), Passage: n, Source: -1, Rewritten: rewritten}
			var err error
			if n < 1 || n > len(all) || !containsInt(r.givenTo(i), n) {
				rec.Result = citation.Result{Verdict: citation.NotSupported, Model: "", Reason: "cites a passage the section was not given"}
			} else {
				rec.Source = all[n-1].Source
				rec.Result, err = r.verdict(ctx, i, k, sent, all[n-1].Text)
				k++
				if err != nil {
					return 0, err
				}
			}
			r.st.Grounding.Citations = append(r.st.Grounding.Citations, rec)
			if !rec.Kept() {
				cur = citation.Remove(cur, n)
				removed++
			}
		}
		if cur != sent {
			part.Text = strings.Replace(part.Text, sent, cur, 1)
		}
	}
	return removed, nil
}

func (r *run) givenTo(i int) []int {
	if g := r.st.Grounding; i < len(g.Given) {
		return g.Given[i]
	}
	return nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// verdict asks the model (under citation.Schema) and applies the floor.
func (r *run) verdict(ctx context.Context, part, k int, sentence, passage string) (citation.Result, error) {
	msgs, err := citation.Messages(r.st.Options.Lang, sentence, passage)
	if err != nil {
		return citation.Result{}, err
	}
	wm := make([]Message, len(msgs))
	for j, m := range msgs {
		wm[j] = Message{Role: m.Role, Content: m.Content}
	}
	var a citation.Answer
	spec := callSpec{Stage: StageCite, Part: part, Attempt: k * citeAttemptStride, Messages: wm, Max: citation.MaxTokens, Schema: citation.Schema}
	if err := r.structured(ctx, spec, &a, nil); err != nil {
		return citation.Result{}, err
	}
	return citation.Decide(r.st.Options.Lang, sentence, passage, a)
}

// rewriteUnsupported (--strict-citations) has the revise pass rewrite the
// sentences whose citations were removed, then checks the part again.
func (r *run) rewriteUnsupported(ctx context.Context, i int) error {
	part := &r.st.Parts[i]
	var probs []string
	for _, c := range r.st.Grounding.Citations {
		if c.Part == i && !c.Kept() {
			probs = append(probs, fmt.Sprintf(strictProblem[r.st.Options.Lang], c.Sentence, c.Passage))
		}
	}
	saved := part.Problems
	part.Problems = probs
	err := r.revise(ctx, i, MaxRevisePasses+1) // its own attempt number: distinct seeds from review passes
	part.Problems = saved
	if err != nil {
		return err
	}
	_, err = r.checkPart(ctx, i, 1, true)
	return err
}

// strictProblem is the problem given to the revise pass per unsupported
// citation.
var strictProblem = map[string]string{
	"en": "the sentence %q is not supported by passage [%d]: rewrite it to say only what the passages say, with its citation, or drop the claim",
	"fr": "la phrase %q n'est pas étayée par le passage [%d] : réécris-la pour ne dire que ce que disent les passages, avec sa citation, ou retire l'affirmation",
}

// sourceOf returns the source of a passage number (nil when unknown).
func sourceOf(st *State, n int) *sources.Source {
	g := st.Grounding
	if g == nil || n < 1 || n > len(g.Passages) {
		return nil
	}
	return &st.Options.Sources[g.Passages[n-1].Source]
}
