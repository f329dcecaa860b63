package writer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"path/filepath"
	"strings"
	"time"

	"github.com/yuin/goldmark"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/termsafe"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// AI-generated content marking (IPTC Digital Source Type vocabulary).
const (
	DigitalSourceType    = "trainedAlgorithmicMedia"
	DigitalSourceTypeURI = "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
)

// Article is a finished article.
type Article struct {
	State    *State
	Metadata Metadata
	Body     string // Markdown body, without front matter
	Markdown []byte // front matter + body
	Quality  quality.Report
	Manifest *Manifest
	// Watermark says whether Body carries a statistical watermark.
	Watermark *WatermarkRecord
	// Approval is the human sign-off, once given (Body is then the
	// approved text).
	Approval *Approval
	// References lists the cited sources (articles written from sources);
	// refsMD is their Markdown section at the end of Body.
	References []Reference
	refsMD     string
	// noticeMD is the AI notice at the very end of Body ("" = none).
	noticeMD string
}

// FrontMatter is the YAML front matter, in a field order Hugo and Jekyll
// both read (title, date, slug, description, tags, lang, draft).
type FrontMatter struct {
	Title             string    `yaml:"title" json:"title"`
	Date              time.Time `yaml:"date" json:"date"`
	Author            string    `yaml:"author,omitempty" json:"author,omitempty"`
	Slug              string    `yaml:"slug" json:"slug"`
	Description       string    `yaml:"description" json:"description"`
	Excerpt           string    `yaml:"excerpt,omitempty" json:"excerpt,omitempty"`
	Tags              []string  `yaml:"tags" json:"tags"`
	Keywords          []string  `yaml:"keywords,omitempty" json:"keywords,omitempty"`
	Lang              string    `yaml:"lang" json:"lang"`
	Draft             bool      `yaml:"draft" json:"draft"`
	ReadingTime       int       `yaml:"readingTime" json:"readingTime"`
	DigitalSourceType string    `yaml:"digitalSourceType" json:"digitalSourceType"`
	Generator         string    `yaml:"generator" json:"generator"`
	Watermark         string    `yaml:"watermark,omitempty" json:"watermark,omitempty"`
	Editor            string    `yaml:"editor,omitempty" json:"editor,omitempty"`
}

// Assemble renders a finished state: Markdown with front matter, the
// quality report and the manifest.
func Assemble(st *State, info llm.ModelInfo, version string) (*Article, error) {
	if st.Metadata == nil || st.Outline == nil {
		return nil, errors.New("writer: the article is not finished")
	}
	a := &Article{State: st, Metadata: cleanMetadata(*st.Metadata), Body: termsafe.Article(renderBody(st.Parts)),
		Watermark: watermarkRecord(st.Options.Watermark, info)}
	cites := citationReport(st, a.Body)
	if st.Grounding != nil {
		a.Body, a.References = citeBody(st, a.Body)
		a.refsMD = referencesMarkdown(st.Options.Lang, a.References)
		a.Body += a.refsMD
	}
	if n := AINotice(st.Options.Lang, info.Ref); n != "" && st.Options.ShowsAINotice() {
		a.noticeMD = "\n" + noticeMarkdown(n)
		a.Body += a.noticeMD
	}
	md, err := a.RenderMarkdown(version, info.Ref)
	if err != nil {
		return nil, err
	}
	a.Markdown = md
	a.Quality = quality.Analyze(qualityDoc(st))
	a.Quality.Citations = cites
	words := 0
	for _, w := range a.Quality.SectionWords {
		words += w
	}
	a.Manifest = buildManifest(st, info, version, a.Markdown, a.Quality, words)
	return a, nil
}

// FrontMatter returns the article's front matter.
func (a *Article) FrontMatter(version, modelRef string) (FrontMatter, error) {
	date, err := time.Parse(time.RFC3339, a.State.Options.Date)
	if err != nil {
		return FrontMatter{}, fmt.Errorf("date: %w", err)
	}
	gen := "Plume " + version
	if modelRef != "" {
		gen += " with " + publicModelName(modelRef)
		if m := a.State.Model; m != nil && m.Served != "" {
			gen += " (" + m.Served + ")" // what the server says it runs
		}
	}
	dst, _ := a.digitalSourceType()
	return FrontMatter{
		Title: a.Metadata.Title, Date: date.UTC(), Slug: a.Metadata.Slug, Description: a.Metadata.Description,
		Author: a.State.Options.Author, Excerpt: a.Metadata.Excerpt, Tags: nonNil(a.Metadata.Tags), Keywords: a.State.Options.Keywords,
		Lang: a.State.Options.Lang, Draft: a.State.Options.IsDraft(), ReadingTime: a.Metadata.ReadingMinutes,
		DigitalSourceType: dst, Generator: gen, Watermark: a.watermarkLine(), Editor: a.editor(),
	}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// renderBody lays out the parts under their headings: the introduction, then
// "## H2" sections, with "### H3" subsections under their parent.
func renderBody(parts []Part) string {
	var b strings.Builder
	parent := ""
	for _, p := range parts {
		switch p.Level {
		case 2:
			b.WriteString("## " + p.Heading + "\n\n")
			parent = ""
		case 3:
			if p.Parent != parent {
				b.WriteString("## " + p.Parent + "\n\n")
				parent = p.Parent
			}
			b.WriteString("### " + p.Heading + "\n\n")
		}
		if t := strings.TrimSpace(p.Text); t != "" {
			b.WriteString(t + "\n\n")
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func qualityDoc(st *State) quality.Document {
	d := quality.Document{Lang: st.Options.Lang, Keywords: st.Options.Keywords}
	if st.Metadata != nil {
		d.Title, d.Description = st.Metadata.Title, st.Metadata.Description
	}
	for _, p := range st.Parts {
		h := p.Heading
		if p.Parent != "" {
			h = p.Parent + " › " + p.Heading
		}
		d.Sections = append(d.Sections, quality.Section{Heading: h, Level: p.Level, Text: p.Text})
		if p.Reviewed {
			d.Reviews = append(d.Reviews, partReview(len(d.Sections)-1, h, p))
		}
	}
	return d
}

// blogPosting is the schema.org JSON-LD of the HTML page; field order is
// fixed by the struct.
type blogPosting struct {
	Context           string   `json:"@context"`
	Type              string   `json:"@type"`
	URL               string   `json:"url"`
	Headline          string   `json:"headline"`
	Description       string   `json:"description"`
	DatePublished     string   `json:"datePublished"`
	InLanguage        string   `json:"inLanguage"`
	Keywords          string   `json:"keywords,omitempty"`
	WordCount         int      `json:"wordCount"`
	DigitalSourceType string   `json:"digitalSourceType"`
	Author            *person  `json:"author,omitempty"`
	Creator           software `json:"creator"`
	Editor            *person  `json:"editor,omitempty"`
}

type person struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

// PageURL is the article page's URL relative to its directory: the HTML
// file's name, which carries the slug (and its -2 suffix, when it has one).
func (a *Article) PageURL() string { return a.Metadata.Slug + ".html" }

type software struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

// HTML renders the article as a standalone HTML page with goldmark (raw
// HTML in the Markdown is not passed through) and a schema.org BlogPosting
// JSON-LD block carrying the AI-generated marking.
func (a *Article) HTML(version string) ([]byte, error) {
	var body bytes.Buffer
	text := strings.TrimSuffix(strings.TrimSuffix(a.Body, a.noticeMD), a.refsMD)
	if err := goldmark.New().Convert([]byte(text), &body); err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	body.WriteString(referencesHTML(a.State.Options.Lang, a.References))
	if err := goldmark.New().Convert([]byte(a.noticeMD), &body); err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	ld := blogPosting{
		Context: "https://schema.org", Type: "BlogPosting", URL: a.PageURL(), Headline: a.Metadata.Title,
		Description: a.Metadata.Description, DatePublished: a.State.Options.Date, InLanguage: a.State.Options.Lang,
		Keywords:  strings.Join(append(append([]string(nil), a.State.Options.Keywords...), a.Metadata.Tags...), ", "),
		WordCount: a.Manifest.Article.Words, DigitalSourceType: DigitalSourceTypeURI,
		Creator: software{Type: "SoftwareApplication", Name: "Plume " + version},
	}
	if au := a.State.Options.Author; au != "" {
		ld.Author = &person{Type: "Person", Name: au}
	}
	if a.Approval != nil {
		_, ld.DigitalSourceType = a.digitalSourceType()
		ld.Editor = &person{Type: "Person", Name: a.Approval.Editor}
	}
	js, err := json.MarshalIndent(ld, "", "  ") // escapes <, > and &: safe inside <script>
	if err != nil {
		return nil, fmt.Errorf("json-ld: %w", err)
	}
	esc := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", esc(a.State.Options.Lang))
	fmt.Fprintf(&b, "<title>%s</title>\n<meta name=\"description\" content=\"%s\">\n", esc(a.Metadata.Title), esc(a.Metadata.Description))
	fmt.Fprintf(&b, "<meta name=\"generator\" content=\"%s\">\n", esc("Plume "+version))
	fmt.Fprintf(&b, "<link rel=\"canonical\" href=\"%s\">\n", esc(a.PageURL()))
	if au := a.State.Options.Author; au != "" {
		fmt.Fprintf(&b, "<meta name=\"author\" content=\"%s\">\n", esc(au))
	}
	fmt.Fprintf(&b, "<script type=\"application/ld+json\">\n%s\n</script>\n</head>\n<body>\n<article>\n", js)
	fmt.Fprintf(&b, "<h1>%s</h1>\n%s</article>\n</body>\n</html>\n", esc(a.Metadata.Title), body.String())
	return []byte(b.String()), nil
}

// JSON renders the article as one JSON object: front matter, Markdown body
// and quality report.
func (a *Article) JSON(version, modelRef string) ([]byte, error) {
	fm, err := a.FrontMatter(version, modelRef)
	if err != nil {
		return nil, err
	}
	out := struct {
		FrontMatter FrontMatter    `json:"front_matter"`
		Markdown    string         `json:"markdown"`
		Quality     quality.Report `json:"quality"`
		References  []Reference    `json:"references,omitempty"`
	}{fm, a.Body, a.Quality, a.References}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	return append(b, '\n'), nil
}

// publicModelName is how a model is named in published front matter: a hub
// reference as is, a local file by its base name only, so that an article
// never reveals the author's directory layout.
func publicModelName(ref string) string {
	if filepath.IsAbs(ref) || strings.HasPrefix(ref, ".") {
		return filepath.Base(ref)
	}
	return ref
}
