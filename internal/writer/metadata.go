package writer

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/plumewriter/plume/internal/writer/prompts"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// Reading speeds for the reading time, in words per minute: Brysbaert's 2019
// meta-analysis of silent reading gives 238 for English non-fiction and 195
// for French.
const (
	WordsPerMinuteEN = 238
	WordsPerMinuteFR = 195
	// MaxSlugChars keeps slugs (and file names) short.
	MaxSlugChars = 80
)

func (r *run) metadata(ctx context.Context) error {
	body := cutRunes(r.bodyText(), MetadataExcerptChars)
	msgs, n, sch, err := r.sizedPrompt(sizedStep{stage: StageMetadata, prompt: prompts.Metadata,
		maxTokens: r.fullAnswer(Bounds.Metadata), minTokens: MetadataMinTokens, build: Bounds.Metadata, ladder: metadataLadder,
		tweak: func(d *promptData) {
			d.Text = body
			d.MinDescription, d.MaxDescription = quality.MinMetaDescription, quality.MaxMetaDescription
		}})
	if err != nil {
		return err
	}
	var m Metadata
	spec := callSpec{Stage: StageMetadata, Part: -1, Messages: msgs, Max: n, Schema: sch}
	check := func() error {
		if oneLine(m.Title) == "" {
			return fmt.Errorf("title: %w", errBlank)
		}
		if oneLine(m.Description) == "" {
			return fmt.Errorf("description: %w", errBlank)
		}
		return nil
	}
	if err := r.structured(ctx, spec, &m, check); err != nil {
		return err
	}
	m.Title, m.Description, m.Excerpt = oneLine(m.Title), oneLine(m.Description), oneLine(m.Excerpt)
	m.Tags = tidyTags(m.Tags)
	m.Slug = cmp.Or(r.st.Options.Slug, Slugify(m.Title))
	m.ReadingMinutes = readingMinutes(r.st.Options.Lang, len(quality.Words(body))+r.wordsAfter(body))
	r.st.Metadata = &m
	return r.checkpoint(ctx)
}

// wordsAfter is the word count of the body beyond the excerpt given.
func (r *run) wordsAfter(excerpt string) int {
	return len(quality.Words(r.bodyText())) - len(quality.Words(excerpt))
}

// bodyText is the article's text, parts joined, without headings.
func (r *run) bodyText() string {
	var texts []string
	for _, p := range r.st.Parts {
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n\n")
}

func readingMinutes(lang string, words int) int {
	wpm := WordsPerMinuteEN
	if lang == "fr" {
		wpm = WordsPerMinuteFR
	}
	return max(1, (words+wpm-1)/wpm)
}

// tidyTags lower-cases, trims and de-duplicates tags, keeping their order.
func tidyTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = strings.ToLower(oneLine(t))
		if t != "" && !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Slugify turns a title into a URL and file-name safe slug: accents removed
// (NFD, combining marks dropped), "œ"/"æ" spelled out, lower-case ASCII
// letters and digits, runs of anything else as one hyphen, at most
// MaxSlugChars. An empty result becomes "article".
func Slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		rep := ""
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // the accent of a decomposed letter
		case r == 'œ':
			rep = "oe"
		case r == 'æ':
			rep = "ae"
		case r == 'ß':
			rep = "ss"
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			rep = string(r)
		default:
			hyphen = true
			continue
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(rep)
		hyphen = false
	}
	s := b.String()
	if len(s) > MaxSlugChars {
		midWord := s[MaxSlugChars] != '-' && s[MaxSlugChars-1] != '-'
		s = strings.TrimRight(s[:MaxSlugChars], "-")
		if i := strings.LastIndexByte(s, '-'); midWord && i > MaxSlugChars/2 {
			s = s[:i]
		}
	}
	if s == "" {
		return "article"
	}
	return s
}
