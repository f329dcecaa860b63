package server

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/writer"
)

// confidenceBands are the shading classes of a sentence's mean token
// probability, best first: the legend shows the same thresholds.
var confidenceBands = []struct {
	Min   float64
	Class string
}{{0.8, "conf-high"}, {0.6, "conf-mid"}, {0.4, "conf-low"}, {0, "conf-vlow"}}

func confidenceClass(c float64) string {
	for _, b := range confidenceBands {
		if c >= b.Min {
			return b.Class
		}
	}
	return confidenceBands[len(confidenceBands)-1].Class
}

// sentenceView is one sentence of the finished article.
type sentenceView struct {
	Text       string
	Class      string  // confidence band
	Confidence float64 // mean token probability
	Rules      string  // ids of failing quality rules that point at it
}

// partView is one drafted part, with its sentences when confidences are
// known (else its plain text).
type partView struct {
	Level        int
	Heading      string
	HeadingRules string // failing rules that name this section
	Text         string
	Sentences    []sentenceView
}

// ruleView is one quality rule.
type ruleView struct {
	ID, Message string
	Pass        bool
	Where       []string
}

// articlePage is everything the article page shows.
type articlePage struct {
	library.Summary
	Running    bool
	State      writer.State
	Outline    *writer.Outline // editable when the run stopped after it
	Editable   bool
	Parts      []partView
	Rules      []ruleView
	Failed     int
	Manifest   *writer.Manifest
	Bands      []bandView
	ManifestJS string // pretty manifest for the provenance panel
}

type bandView struct {
	Min   float64
	Class string
}

// buildArticlePage assembles the article page from the stored article.
func buildArticlePage(a *library.Article, running bool) (*articlePage, error) {
	p := &articlePage{Summary: a.Summary, Running: running}
	if err := json.Unmarshal(a.State, &p.State); err != nil {
		return nil, fmt.Errorf("article %d: checkpoint: %w", a.ID, err)
	}
	for _, b := range confidenceBands {
		p.Bands = append(p.Bands, bandView{Min: b.Min, Class: b.Class})
	}
	p.Outline = p.State.Outline
	p.Editable = !running && p.Outline != nil && p.State.DraftedParts() == 0 && !library.Finished(a.Status)
	if rev, ok := a.Latest(); ok {
		m, err := writer.ParseManifest([]byte(rev.Manifest))
		if err != nil {
			return nil, fmt.Errorf("article %d: %w", a.ID, err)
		}
		p.Manifest = m
		pretty, _ := json.MarshalIndent(m, "", "  ")
		p.ManifestJS = string(pretty)
		for _, r := range m.Quality.Rules {
			p.Rules = append(p.Rules, ruleView{ID: r.ID, Message: r.Message, Pass: r.Pass, Where: r.Where})
			if !r.Pass {
				p.Failed++
			}
		}
	}
	p.Parts = partViews(p.State.Parts, p.Manifest, p.Rules)
	return p, nil
}

// partViews lays each drafted part's text out as sentences with their
// confidence and the failing rules whose excerpts fall in them. The text
// shown is always the part's final text: a recorded sentence is shaded
// where it is found in it, and text without a recorded confidence is shown
// unshaded.
func partViews(parts []writer.Part, m *writer.Manifest, rules []ruleView) []partView {
	out := make([]partView, 0, len(parts))
	for i, part := range parts {
		if !part.Drafted {
			continue
		}
		pv := partView{Level: part.Level, Heading: part.Heading, Text: part.Text}
		if part.Heading != "" {
			pv.HeadingRules = flaggedBy(part.Heading, rules)
		}
		if m != nil {
			pv.Sentences = shade(part.Text, i, m.Confidence, rules)
		}
		out = append(out, pv)
	}
	return out
}

// shade splits text into shaded sentences (those of confidences for part
// found in order) and unshaded stretches between them.
func shade(text string, part int, confidences []writer.SentenceConfidence, rules []ruleView) []sentenceView {
	var out []sentenceView
	rest := text
	for _, c := range confidences {
		sent := strings.TrimSpace(c.Sentence)
		if c.Part != part || sent == "" {
			continue
		}
		at := strings.Index(rest, sent)
		if at < 0 {
			continue
		}
		if gap := rest[:at]; strings.TrimSpace(gap) != "" {
			out = append(out, sentenceView{Text: gap, Rules: flaggedBy(gap, rules)})
		}
		out = append(out, sentenceView{Text: sent, Class: confidenceClass(c.Confidence), Confidence: c.Confidence,
			Rules: flaggedBy(sent, rules)})
		rest = rest[at+len(sent):]
	}
	if strings.TrimSpace(rest) != "" {
		out = append(out, sentenceView{Text: rest, Rules: flaggedBy(rest, rules)})
	}
	return out
}

// minFlagLen is the shortest text that a longer excerpt may flag by
// containing it (a heading inside "section "Worms" (12 words)"); shorter
// ones, like a lone quote mark, would match everywhere.
const minFlagLen = 4

// flaggedBy lists the failing rules with an excerpt inside text, or an
// excerpt that contains text (a section named in it), ignoring case. An excerpt that
// starts with a quoted phrase ("once upon a time" in sections 2, 3) is
// looked for by that phrase.
func flaggedBy(text string, rules []ruleView) string {
	var ids []string
	s := strings.ToLower(strings.TrimSpace(text)) // the n-gram rule reports lower-cased phrases
	if s == "" {
		return ""
	}
	for _, r := range rules {
		if r.Pass {
			continue
		}
		for _, w := range r.Where {
			w = strings.TrimSpace(strings.TrimSuffix(w, "…"))
			q, isQuoted := quoted(w)
			if isQuoted {
				w = q // only this phrase is the excerpt
			}
			w = strings.ToLower(w)
			if w != "" && (strings.Contains(s, w) || !isQuoted && len(s) >= minFlagLen && strings.Contains(w, s)) {
				ids = append(ids, r.ID)
				break
			}
		}
	}
	return strings.Join(ids, " ")
}

// quoted returns the phrase between a leading pair of double quotes.
func quoted(w string) (string, bool) {
	if !strings.HasPrefix(w, `"`) {
		return "", false
	}
	end := strings.Index(w[1:], `"`)
	if end <= 0 {
		return "", false
	}
	return w[1 : 1+end], true
}
