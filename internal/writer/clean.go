package writer

import (
	"strings"

	"github.com/plumewriter/plume/internal/termsafe"
)

// cleanMetadata removes NUL and the C0 controls other than tab and newline
// from the model-written metadata before it goes into an article file
// (issue 13 item 5): a control character in a title would be written raw
// into the HTML and escaped into the YAML front matter. The fields are one
// line each, so tab and newline become spaces too (a tag of "\n" came back
// from the YAML front matter as "", FuzzFrontMatter).
func cleanMetadata(m Metadata) Metadata {
	m.Title = singleLine(m.Title)
	m.Description = singleLine(m.Description)
	m.Excerpt = singleLine(m.Excerpt)
	m.Slug = singleLine(m.Slug)
	if m.Tags != nil {
		tags := make([]string, len(m.Tags))
		for i, t := range m.Tags {
			tags[i] = singleLine(t)
		}
		m.Tags = tags
	}
	return m
}

// singleLine is termsafe.Article with tab and newline turned into spaces.
func singleLine(s string) string {
	s = termsafe.Article(s)
	if !strings.ContainsAny(s, "\t\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}
