package retrieve

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
)

var (
	analyzerMu    sync.Mutex
	analyzerCache = map[string]analysis.Analyzer{}
)

// analyzer returns bleve's analyzer for lang, built once.
func analyzer(lang string) (analysis.Analyzer, error) {
	name, ok := analyzers[lang]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrLanguage, lang)
	}
	analyzerMu.Lock()
	defer analyzerMu.Unlock()
	if a, ok := analyzerCache[lang]; ok {
		return a, nil
	}
	a := bleve.NewIndexMapping().AnalyzerNamed(name)
	if a == nil {
		return nil, fmt.Errorf("%w %q: analyzer %q not registered", ErrLanguage, lang, name)
	}
	analyzerCache[lang] = a
	return a, nil
}

// Terms returns the distinct index terms of text (stop words dropped,
// words stemmed), in first-seen order.
func Terms(lang, text string) ([]string, error) {
	a, err := analyzer(lang)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, tok := range a.Analyze([]byte(text)) {
		t := string(tok.Term)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// Overlap is the share of the claim's terms (after stemming, stop words
// left out) that also occur in the passage: 1 when every content word of
// the claim is in the passage, 0 when none is or the claim has none.
func Overlap(lang, claim, passage string) (float64, error) {
	ct, err := Terms(lang, claim)
	if err != nil || len(ct) == 0 {
		return 0, err
	}
	pt, err := Terms(lang, passage)
	if err != nil {
		return 0, err
	}
	in := make(map[string]bool, len(pt))
	for _, t := range pt {
		in[t] = true
	}
	n := 0
	for _, t := range ct {
		if in[t] {
			n++
		}
	}
	return float64(n) / float64(len(ct)), nil
}
