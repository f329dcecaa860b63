package writer

import "github.com/plumewriter/plume/internal/termsafe"

// cleanMetadata removes NUL and the C0 controls other than tab and newline
// from the model-written metadata before it goes into an article file
// (issue 13 item 5): a control character in a title would be written raw
// into the HTML and escaped into the YAML front matter.
func cleanMetadata(m Metadata) Metadata {
	m.Title = termsafe.Article(m.Title)
	m.Description = termsafe.Article(m.Description)
	m.Excerpt = termsafe.Article(m.Excerpt)
	m.Slug = termsafe.Article(m.Slug)
	if m.Tags != nil {
		tags := make([]string, len(m.Tags))
		for i, t := range m.Tags {
			tags[i] = termsafe.Article(t)
		}
		m.Tags = tags
	}
	return m
}
