package sources

import (
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlExtract keeps the main content of an HTML page (readability drops
// navigation, asides, ads and comments) as text: headings become "#" lines,
// blocks become paragraphs, and active or embedded content is dropped.
func htmlExtract(s *Source, page string) error {
	var base *url.URL
	if s.URL != "" {
		base, _ = url.Parse(s.URL)
	}
	art, err := readability.FromReader(strings.NewReader(page), base)
	if err != nil {
		return fmt.Errorf("%w: html: %v", ErrNoText, err)
	}
	if art.Node == nil {
		return fmt.Errorf("%w: html: no main content", ErrNoText)
	}
	var w textWriter
	w.node(art.Node)
	s.Text = normalize(w.b.String())
	s.Title = strings.TrimSpace(art.Title())
	s.Author = strings.TrimSpace(art.Byline())
	return nil
}

// dropped are elements whose content is never text of the article.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Noscript: true, atom.Object: true,
	atom.Embed: true, atom.Svg: true, atom.Math: true, atom.Form: true, atom.Button: true,
	atom.Template: true, atom.Canvas: true, atom.Video: true, atom.Audio: true, atom.Select: true,
	atom.Textarea: true, atom.Nav: true, atom.Head: true,
}

// blocks are elements that end a paragraph.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Li: true,
	atom.Blockquote: true, atom.Pre: true, atom.Tr: true, atom.Dd: true, atom.Dt: true,
	atom.Figcaption: true, atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Main: true,
}

var headingLevel = map[atom.Atom]int{
	atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 5, atom.H6: 6,
}

// textWriter renders a node tree as plain text with Markdown headings.
type textWriter struct {
	b strings.Builder
}

func (w *textWriter) breakPara() {
	if w.b.Len() > 0 && !strings.HasSuffix(w.b.String(), "\n\n") {
		w.b.WriteString("\n\n")
	}
}

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if dropped[n.DataAtom] {
			return
		}
		if lvl, ok := headingLevel[n.DataAtom]; ok {
			w.breakPara()
			w.b.WriteString(strings.Repeat("#", lvl) + " " + collapse(innerText(n)))
			w.breakPara()
			return
		}
		if n.DataAtom == atom.Br {
			w.b.WriteByte('\n')
			return
		}
		if blocks[n.DataAtom] {
			w.breakPara()
			defer w.breakPara()
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

// text appends a text node with its white space collapsed.
func (w *textWriter) text(s string) {
	c := collapse(s)
	if c == "" {
		if s != "" && w.b.Len() > 0 && !strings.HasSuffix(w.b.String(), " ") && !strings.HasSuffix(w.b.String(), "\n") {
			w.b.WriteByte(' ')
		}
		return
	}
	cur := w.b.String()
	if startsSpace(s) && len(cur) > 0 && !strings.HasSuffix(cur, " ") && !strings.HasSuffix(cur, "\n") {
		w.b.WriteByte(' ')
	}
	w.b.WriteString(c)
	if endsSpace(s) {
		w.b.WriteByte(' ')
	}
}

func startsSpace(s string) bool { return s != "" && strings.TrimLeft(s[:1], " \t\n\r") == "" }
func endsSpace(s string) bool {
	return s != "" && strings.TrimLeft(s[len(s)-1:], " \t\n\r") == ""
}

// collapse joins the fields of s with single spaces.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// innerText is the text under n, dropped elements left out.
func innerText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && dropped[n.DataAtom] {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
