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
	"gopkg.in/yaml.v3"

	"github.com/plumewriter/plume/internal/llm"
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
	// References lists the cited sources (articles written from sources);
	// refsMD is their Markdown section at the end of Body.
	References []Reference
	refsMD     string
}

// FrontMatter is the YAML front matter, in a field order Hugo and Jekyll
// both read (title, date, slug, description, tags, lang, draft).
type FrontMatter struct {
	Title             string    `yaml:"title" json:"title"`
	Date              time.Time `yaml:"date" json:"date"`
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
}

// Assemble renders a finished state: Markdown with front matter, the
// quality report and the manifest.
func Assemble(st *State, info llm.ModelInfo, version string) (*Article, error) {
	if st.Metadata == nil || st.Outline == nil {
		return nil, errors.New("writer: the article is not finished")
	}
	a := &Article{State: st, Metadata: *st.Metadata, Body: renderBody(st.Parts)}
	cites := citationReport(st, a.Body)
	if st.Grounding != nil {
		a.Body, a.References = citeBody(st, a.Body)
		a.refsMD = referencesMarkdown(st.Options.Lang, a.References)
		a.Body += a.refsMD
	}
	fm, err := a.FrontMatter(version, info.Ref)
	if err != nil {
		return nil, err
	}
	var y bytes.Buffer
	enc := yaml.NewEncoder(&y)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	a.Markdown = []byte("---\n" + y.String() + "---\n\n" + a.Body)
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
	}
	return FrontMatter{
		Title: a.Metadata.Title, Date: date.UTC(), Slug: a.Metadata.Slug, Description: a.Metadata.Description,
		Excerpt: a.Metadata.Excerpt, Tags: nonNil(a.Metadata.Tags), Keywords: a.State.Options.Keywords,
		Lang: a.State.Options.Lang, Draft: true, ReadingTime: a.Metadata.ReadingMinutes,
		DigitalSourceType: DigitalSourceType, Generator: gen,
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
	}
	return d
}

// blogPosting is the schema.org JSON-LD of the HTML page; field order is
// fixed by the struct.
type blogPosting struct {
	Context           string   `json:"@context"`
	Type              string   `json:"@type"`
	Headline          string   `json:"headline"`
	Description       string   `json:"description"`
	DatePublished     string   `json:"datePublished"`
	InLanguage        string   `json:"inLanguage"`
	Keywords          string   `json:"keywords,omitempty"`
	WordCount         int      `json:"wordCount"`
	DigitalSourceType string   `json:"digitalSourceType"`
	Creator           software `json:"creator"`
}

type software struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

// HTML renders the article as a standalone HTML page with goldmark (raw
// HTML in the Markdown is not passed through) and a schema.org BlogPosting
// JSON-LD block carrying the AI-generated marking.
func (a *Article) HTML(version string) ([]byte, error) {
	var body bytes.Buffer
	if err := goldmark.New().Convert([]byte(strings.TrimSuffix(a.Body, a.refsMD)), &body); err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	body.WriteString(referencesHTML(a.State.Options.Lang, a.References))
	ld := blogPosting{
		Context: "https://schema.org", Type: "BlogPosting", Headline: a.Metadata.Title,
		Description: a.Metadata.Description, DatePublished: a.State.Options.Date, InLanguage: a.State.Options.Lang,
		Keywords:  strings.Join(append(append([]string(nil), a.State.Options.Keywords...), a.Metadata.Tags...), ", "),
		WordCount: a.Manifest.Article.Words, DigitalSourceType: DigitalSourceTypeURI,
		Creator: software{Type: "SoftwareApplication", Name: "Plume " + version},
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
