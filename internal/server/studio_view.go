package server

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/store"
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
	store.Summary
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
func buildArticlePage(a *store.Article, running bool) (*articlePage, error) {
	p := &articlePage{Summary: a.Summary, Running: running}
	if err := json.Unmarshal(a.State, &p.State); err != nil {
		return nil, fmt.Errorf("article %d: checkpoint: %w", a.ID, err)
	}
	for _, b := range confidenceBands {
		p.Bands = append(p.Bands, bandView{Min: b.Min, Class: b.Class})
	}
	p.Outline = p.State.Outline
	p.Editable = !running && p.Outline != nil && p.State.DraftedParts() == 0 && a.Status != store.StatusDone
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

// partViews splits each part into its sentences with their confidence and
// the failing rules whose excerpts fall in them.
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
			for _, c := range m.Confidence {
				if c.Part != i {
					continue
				}
				pv.Sentences = append(pv.Sentences, sentenceView{Text: c.Sentence, Class: confidenceClass(c.Confidence),
					Confidence: c.Confidence, Rules: flaggedBy(c.Sentence, rules)})
			}
		}
		out = append(out, pv)
	}
	return out
}

// flaggedBy lists the failing rules with an excerpt inside sentence (or
// containing it).
func flaggedBy(sentence string, rules []ruleView) string {
	var ids []string
	s := strings.TrimSpace(sentence)
	for _, r := range rules {
		if r.Pass {
			continue
		}
		for _, w := range r.Where {
			w = strings.TrimSpace(strings.TrimSuffix(w, "…"))
			if w != "" && s != "" && (strings.Contains(s, w) || strings.Contains(w, s)) {
				ids = append(ids, r.ID)
				break
			}
		}
	}
	return strings.Join(ids, " ")
}
