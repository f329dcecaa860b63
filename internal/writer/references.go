package writer

import (
	"fmt"
	"html"
	"net/url"
	"strings"

	"github.com/plumewriter/plume/internal/writer/citation"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// Reference is one entry of the References section: a source the article
// cites, numbered by first citation.
type Reference struct {
	N         int    `json:"n"`
	Title     string `json:"title"`
	Author    string `json:"author,omitempty"`
	URL       string `json:"url,omitempty"`
	File      string `json:"file,omitempty"`
	Retrieved string `json:"retrieved"` // YYYY-MM-DD
	SHA256    string `json:"sha256"`
}

// referenceWords are the section heading and the retrieval wording.
var referenceWords = map[string][2]string{
	"en": {"References", "retrieved"},
	"fr": {"Références", "consulté le"},
}

func refWords(lang string) [2]string {
	if w, ok := referenceWords[lang]; ok {
		return w
	}
	return referenceWords["en"]
}

// citeBody turns the passage numbers cited in body into reference numbers
// (sources in order of first citation) and returns the references.
func citeBody(st *State, body string) (string, []Reference) {
	refOf := map[int]int{} // source index -> reference number
	var refs []Reference
	for _, n := range citation.Numbers(body) {
		src := sourceOf(st, n)
		if src == nil {
			continue
		}
		si := st.Grounding.Passages[n-1].Source
		if _, ok := refOf[si]; ok {
			continue
		}
		refOf[si] = len(refs) + 1
		refs = append(refs, Reference{N: len(refs) + 1, Title: src.Name(), Author: src.Author, URL: src.URL,
			File: src.File, Retrieved: src.Retrieved.UTC().Format("2006-01-02"), SHA256: src.SHA256})
	}
	body = citation.Renumber(body, func(n int) (int, bool) {
		if sourceOf(st, n) == nil {
			return 0, false
		}
		m, ok := refOf[st.Grounding.Passages[n-1].Source]
		return m, ok
	})
	return body, refs
}

// mdEscaper escapes the Markdown characters of a title taken from a source.
var mdEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `*`, `\*`, `_`, `\_`, "`", "\\`", `<`, `\<`, `>`, `\>`)

// referencesMarkdown is the References section in Markdown.
func referencesMarkdown(lang string, refs []Reference) string {
	if len(refs) == 0 {
		return ""
	}
	w := refWords(lang)
	var b strings.Builder
	b.WriteString("\n## " + w[0] + "\n\n")
	for _, r := range refs {
		title := mdEscaper.Replace(oneLine(r.Title))
		if u := safeURL(r.URL); u != "" {
			fmt.Fprintf(&b, "%d. [%s](<%s>)", r.N, title, strings.ReplaceAll(u, ">", "%3E"))
		} else {
			fmt.Fprintf(&b, "%d. %s", r.N, title)
			if r.File != "" && r.File != r.Title {
				fmt.Fprintf(&b, " (%s)", mdEscaper.Replace(r.File))
			}
		}
		if r.Author != "" {
			b.WriteString(", " + mdEscaper.Replace(oneLine(r.Author)))
		}
		fmt.Fprintf(&b, ", %s %s.\n", w[1], r.Retrieved)
	}
	return b.String()
}

// referencesHTML is the References section in HTML: every text escaped,
// links only to http(s) URLs and with rel="noopener".
func referencesHTML(lang string, refs []Reference) string {
	if len(refs) == 0 {
		return ""
	}
	esc := html.EscapeString
	w := refWords(lang)
	var b strings.Builder
	fmt.Fprintf(&b, "<section class=\"references\">\n<h2>%s</h2>\n<ol>\n", esc(w[0]))
	for _, r := range refs {
		b.WriteString("<li>")
		if u := safeURL(r.URL); u != "" {
			fmt.Fprintf(&b, `<a href="%s" rel="noopener">%s</a>`, esc(u), esc(r.Title))
		} else {
			b.WriteString(esc(r.Title))
			if r.File != "" && r.File != r.Title {
				fmt.Fprintf(&b, " (%s)", esc(r.File))
			}
		}
		if r.Author != "" {
			b.WriteString(", " + esc(r.Author))
		}
		fmt.Fprintf(&b, ", %s %s.</li>\n", esc(w[1]), esc(r.Retrieved))
	}
	b.WriteString("</ol>\n</section>\n")
	return b.String()
}

// safeURL returns u when it is an absolute http(s) URL, else "".
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// citationReport is the citation part of the quality report.
func citationReport(st *State, body string) *quality.Citations {
	g := st.Grounding
	if g == nil {
		return nil
	}
	c := &quality.Citations{SourcesGiven: len(st.Options.Sources), Unused: []string{}, Removed: []quality.RemovedCitation{}}
	for _, s := range citation.Sentences(body) {
		if strings.HasPrefix(s, "#") {
			continue
		}
		c.Sentences++
		if len(citation.Numbers(s)) > 0 {
			c.Cited++
		}
	}
	if c.Sentences > 0 {
		c.Share = float64(c.Cited) / float64(c.Sentences)
	}
	used := map[int]bool{}
	for _, rec := range g.Citations {
		c.Checked++
		switch rec.Verdict {
		case citation.Supported:
			c.Supported++
		case citation.Partly:
			c.Partly++
		default:
			c.Unsupported++
			reason := rec.Reason
			if reason == "" {
				reason = "the model judged it not supported"
			}
			c.Removed = append(c.Removed, quality.RemovedCitation{Sentence: rec.Sentence, Passage: rec.Passage, Reason: reason})
		}
		if rec.Rewritten {
			c.Rewritten++
		}
	}
	for _, n := range citation.Numbers(body) {
		if n >= 1 && n <= len(g.Passages) {
			used[g.Passages[n-1].Source] = true
		}
	}
	for i, s := range st.Options.Sources {
		if !used[i] {
			c.Unused = append(c.Unused, s.Name())
		}
	}
	return c
}
