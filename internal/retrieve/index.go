package retrieve

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// ErrLanguage is returned for a language without an analyzer.
var ErrLanguage = errors.New("retrieve: no analyzer for language")

// analyzers maps article languages to bleve analyzers.
var analyzers = map[string]string{"fr": fr.AnalyzerName, "en": en.AnalyzerName}

// idWidth zero-pads document ids so that sorting ids as strings sorts
// passage numbers (a million passages is far past any source set).
const idWidth = 7

// Index ranks passages with BM25.
type Index struct {
	idx bleve.Index
	byN map[int]Passage
}

// doc is what bleve indexes for one passage: the heading counts as text.
type doc struct {
	Text string `json:"text"`
}

// NewIndex indexes passages for a language ("fr" or "en").
func NewIndex(passages []Passage, lang string) (*Index, error) {
	an, ok := analyzers[lang]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrLanguage, lang)
	}
	field := bleve.NewTextFieldMapping()
	field.Analyzer = an
	field.Store = false
	field.IncludeTermVectors = false
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("text", field)
	m := bleve.NewIndexMapping()
	m.DefaultMapping = dm
	m.DefaultAnalyzer = an
	m.ScoringModel = index.BM25Scoring
	m.StoreDynamic = false
	m.IndexDynamic = false
	// An empty path keeps scorch in memory.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("retrieve: new index: %w", err)
	}
	b := idx.NewBatch()
	for _, p := range passages {
		text := p.Text
		if p.Heading != "" {
			text = p.Heading + "\n\n" + text
		}
		if err := b.Index(docID(p.N), doc{Text: text}); err != nil {
			idx.Close()
			return nil, fmt.Errorf("retrieve: index passage %d: %w", p.N, err)
		}
	}
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, fmt.Errorf("retrieve: index: %w", err)
	}
	ix := &Index{idx: idx, byN: make(map[int]Passage, len(passages))}
	for _, p := range passages {
		ix.byN[p.N] = p
	}
	return ix, nil
}

func docID(n int) string { return fmt.Sprintf("%0*d", idWidth, n) }

// Close frees the index.
func (ix *Index) Close() error { return ix.idx.Close() }

// Hit is one ranked passage.
type Hit struct {
	Passage Passage
	Score   float64
}

// Search returns up to k passages for the query, best first; equal scores
// keep passage order.
func (ix *Index) Search(query string, k int) ([]Hit, error) {
	if strings.TrimSpace(query) == "" || k <= 0 || len(ix.byN) == 0 {
		return nil, nil
	}
	q := bleve.NewMatchQuery(query)
	q.SetField("text")
	req := bleve.NewSearchRequestOptions(q, k, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := ix.idx.Search(req)
	if err != nil {
		return nil, fmt.Errorf("retrieve: search: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		n, err := strconv.Atoi(h.ID)
		p, ok := ix.byN[n]
		if err != nil || !ok {
			return nil, fmt.Errorf("retrieve: bad hit id %q", h.ID)
		}
		hits = append(hits, Hit{Passage: p, Score: h.Score})
	}
	return hits, nil
}

// SectionQuery is the query of one section: its heading and key points.
func SectionQuery(heading string, points []string) string {
	return strings.TrimSpace(heading + "\n" + strings.Join(points, "\n"))
}

// Within keeps hits, best first, while their tokens fit budget (a hit that
// does not fit is skipped, a smaller one after it may still fit).
func Within(hits []Hit, budget int) []Passage {
	var out []Passage
	used := 0
	for _, h := range hits {
		if used+h.Passage.Tokens > budget {
			continue
		}
		used += h.Passage.Tokens
		out = append(out, h.Passage)
	}
	return out
}
