// Package retrieve splits sources into passages and finds, for each section
// of an article, the passages that speak to it.
//
// Passages follow the sources' own structure: a heading starts a new
// passage, paragraphs are gathered under it up to a token budget, and a
// paragraph longer than the budget is cut at sentence ends. Each passage has
// a stable number (its order over all sources, from 1), which is what the
// model cites as [n].
//
// Ranking is BM25 over an in-memory bleve index (github.com/blevesearch/
// bleve/v2, scorch kept in memory), with bleve's French analyzer (elision,
// stop words, light stemmer) or English analyzer (possessives, stop words,
// Porter stemmer) chosen by the article's language. Ties are broken by
// passage number, so a query always gives the same order. No BM25 is written
// here: bleve fits (an in-memory index with language analysis and a BM25
// scoring model).
package retrieve
