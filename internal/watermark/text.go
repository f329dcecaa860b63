package watermark

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// MaxTextBytes caps the text plume verify reads: a 4,000-word article is
// about 30 KB; 8 MiB leaves room for any page while bounding the work.
const MaxTextBytes = 8 << 20

// ErrText is wrapped by errors about the text to check.
var ErrText = errors.New("watermark: text")

// Format of a text to check.
const (
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
	FormatText     = "text"
)

// SniffFormat guesses a document's format from its start: HTML when it
// begins with a tag, Markdown when it has front matter or headings, else
// plain text (which is split into paragraphs the same way).
func SniffFormat(b []byte) string {
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	switch {
	case len(t) > 0 && t[0] == '<':
		return FormatHTML
	case bytes.HasPrefix(t, []byte("---\n")) || bytes.HasPrefix(t, []byte("# ")) || bytes.Contains(t, []byte("\n## ")):
		return FormatMarkdown
	}
	return FormatText
}

// Paragraphs extracts the prose of a document as paragraphs: for Markdown
// without its front matter, code blocks and heading marks; for HTML the text
// of the block elements inside <article> (else <body>), without scripts and
// styles.
func Paragraphs(b []byte, format string) ([]string, error) {
	if len(b) > MaxTextBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrText, len(b), MaxTextBytes)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrText)
	}
	switch format {
	case FormatHTML:
		return htmlParagraphs(b)
	case FormatMarkdown:
		return markdownParagraphs(string(b)), nil
	case FormatText:
		return splitBlank(string(b)), nil
	}
	return nil, fmt.Errorf("%w: unknown format %q (markdown, html or text)", ErrText, format)
}

// splitBlank splits on blank lines, trimming each paragraph.
func splitBlank(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func markdownParagraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if strings.HasPrefix(s, "---\n") {
		if end := strings.Index(s[4:], "\n---\n"); end >= 0 {
			s = s[4+end+5:]
		}
	}
	var b strings.Builder
	fence := false
	for line := range strings.Lines(s) {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
			b.WriteString("\n")
			continue
		}
		if fence {
			continue
		}
		if h := strings.TrimLeft(t, "#"); h != t && (h == "" || h[0] == ' ') {
			// A heading is its own paragraph, without its marks (Plume
			// writes them; the model wrote only the heading text).
			b.WriteString("\n" + strings.TrimSpace(h) + "\n\n")
			continue
		}
		b.WriteString(line)
	}
	return splitBlank(b.String())
}

// blockTags end a paragraph in HTML.
var blockTags = map[string]bool{"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "blockquote": true, "div": true, "section": true, "article": true, "br": true, "pre": true,
	"td": true, "th": true, "tr": true, "ul": true, "ol": true, "header": true, "footer": true}

func htmlParagraphs(b []byte) ([]string, error) {
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: html: %w", ErrText, err)
	}
	root := find(doc, "article")
	if root == nil {
		root = find(doc, "body")
	}
	if root == nil {
		root = doc
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := strings.Join(strings.Fields(cur.String()), " "); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "head"):
			return
		case n.Type == html.TextNode:
			cur.WriteString(n.Data)
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(root)
	flush()
	return out, nil
}

func find(n *html.Node, tag string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, tag); f != nil {
			return f
		}
	}
	return nil
}

// Encoder tokenizes text as the model that wrote it did (no BOS).
type Encoder interface {
	Encode(text string, addSpecial, parseSpecial bool) ([]int32, error)
}

// Report is the test of a document: the whole and each paragraph.
type Report struct {
	Scheme            string      `json:"scheme"`
	KeyFingerprint    string      `json:"key_fingerprint"`
	Threshold         float64     `json:"z_threshold"`
	FalsePositiveRate float64     `json:"false_positive_rate"`
	Whole             Score       `json:"whole"`
	Paragraphs        []Paragraph `json:"paragraphs"`
}

// Paragraph is one paragraph's test.
type Paragraph struct {
	Index int    `json:"index"`
	Start string `json:"start"` // its first words, to find it
	Score
}

// maxStartRunes is how much of a paragraph a report quotes.
const maxStartRunes = 48

// Detect tokenizes each paragraph with enc and tests them, alone and pooled
// (a pair repeated across paragraphs counts once in the whole).
func Detect(key *Key, enc Encoder, paragraphs []string) (*Report, error) {
	r := &Report{Scheme: Scheme, KeyFingerprint: key.Fingerprint(), Threshold: ZThreshold,
		FalsePositiveRate: FalsePositiveRate, Paragraphs: []Paragraph{}}
	whole := NewCounter(key)
	for i, p := range paragraphs {
		ids, err := enc.Encode(p, false, false)
		if err != nil {
			return nil, fmt.Errorf("watermark: paragraph %d: tokenize: %w", i+1, err)
		}
		whole.Add(ids)
		start := strings.Map(printable, p) // quoted on a terminal: no escape sequences
		if utf8.RuneCountInString(start) > maxStartRunes {
			start = string([]rune(start)[:maxStartRunes]) + "…"
		}
		r.Paragraphs = append(r.Paragraphs, Paragraph{Index: i + 1, Start: start, Score: ScoreIDs(key, ids)})
	}
	r.Whole = whole.Score()
	return r, nil
}

// printable maps control and format characters to a space.
func printable(r rune) rune {
	if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
		return ' '
	}
	return r
}
