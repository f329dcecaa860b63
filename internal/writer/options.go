package writer

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/writer/prompts"
)

// Limits and defaults of the user's inputs.
const (
	// MinWords and MaxWords bound --words: under 300 words there is no room
	// for an outline; over 4000 a single article outgrows the context and the
	// reader's patience.
	MinWords = 300
	MaxWords = 4000
	// DefaultWords is a typical blog post length.
	DefaultWords = 1000
	// MaxTopicChars caps the topic: a topic is a line, not a document (notes
	// go in --notes).
	MaxTopicChars = 300
	// MaxAudienceChars caps --audience, a short description.
	MaxAudienceChars = 200
	// MaxKeywords and MaxKeywordChars bound --keywords: more than eight
	// keywords in one article is keyword stuffing.
	MaxKeywords     = 8
	MaxKeywordChars = 60
	// MaxNotesBytes caps the notes file; notes are cut further to fit the
	// model's context (and the cut is reported).
	MaxNotesBytes = 64 << 10
	// DefaultTone and the default audience when none is given.
	DefaultTone = "conversational"
)

// Tones are the accepted --tone values.
var Tones = []string{"conversational", "expert", "neutral", "enthusiastic"}

// ErrInput marks an error in the user's inputs (a usage error).
var ErrInput = errors.New("invalid input")

// Options are the inputs of one article.
type Options struct {
	Topic       string        `json:"topic"`
	Lang        string        `json:"lang"`          // "en" or "fr"; "" = detect
	LangSource  string        `json:"lang_source"`   // "flag", "detected" or "default"
	Audience    string        `json:"audience"`      //
	Tone        string        `json:"tone"`          //
	Words       int           `json:"words"`         //
	Keywords    []string      `json:"keywords"`      //
	Notes       string        `json:"notes"`         // content of --notes
	OutlineOnly bool          `json:"outline_only"`  //
	Seed        uint64        `json:"seed"`          //
	Sampling    sample.Params `json:"sampling"`      // Seed inside is Seed (set by Normalize); per-call seeds derive from it
	Date        string        `json:"date"`          // RFC 3339, UTC; from the clock when empty
	MaxRevise   int           `json:"max_revisions"` // revise passes per section
	// Publishing choices (omitted from the JSON when left to their default,
	// so manifests of older runs keep their bytes).
	Author   string `json:"author,omitempty"`    // front matter and JSON-LD author ("" = none)
	Draft    *bool  `json:"draft,omitempty"`     // front matter draft; nil = true (see DefaultDraft)
	AINotice *bool  `json:"ai_notice,omitempty"` // visible AI-generated notice; nil = on (Normalize records it)
	// Slug replaces the slug made from the title when that one is taken: a
	// second article with the same title in one directory gets SLUG-2, and
	// its file name, front matter, canonical URL and JSON-LD url all say so.
	Slug string `json:"slug,omitempty"`
	// Watermark is the fingerprint of the watermark key ("" = none); the
	// key itself is given to the Pipeline, never stored.
	Watermark string `json:"watermark,omitempty"`
	// Sources are the loaded --source inputs (text included, so that a
	// replay needs no network); StrictCitations has unsupported cited
	// sentences rewritten; SourceWarnings lists sources skipped with
	// --skip-bad-sources.
	Sources         []sources.Source `json:"sources,omitempty"`
	StrictCitations bool             `json:"strict_citations,omitempty"`
	SourceWarnings  []string         `json:"source_warnings,omitempty"`
}

// DefaultDraft is the front matter's draft flag unless the user says
// otherwise: a generated article should be read by a person before a
// static site generator publishes it (Hugo and Jekyll skip drafts unless
// asked to build them).
const DefaultDraft = true

// MaxAuthorChars caps the author, a name shown in the front matter.
const MaxAuthorChars = 100

// IsDraft reports the front matter's draft flag.
func (o *Options) IsDraft() bool { return o.Draft == nil || *o.Draft }

// ShowsAINotice reports whether the article carries the visible notice.
func (o *Options) ShowsAINotice() bool { return o.AINotice == nil || *o.AINotice }

// DefaultAudience is the audience of each language when none is given.
func DefaultAudience(lang string) string {
	if lang == "fr" {
		return "un public curieux, non spécialiste"
	}
	return "curious general readers"
}

// Normalize fills defaults (language detection, tone, audience, words) and
// validates everything, returning an error wrapping ErrInput for bad input.
// It runs before any generation.
func (o *Options) Normalize() error {
	o.Topic = strings.TrimSpace(o.Topic)
	switch n := utf8.RuneCountInString(o.Topic); {
	case n == 0:
		return fmt.Errorf("%w: the topic is empty", ErrInput)
	case n > MaxTopicChars:
		return fmt.Errorf("%w: the topic is %d characters, at most %d (put longer material in --notes)", ErrInput, n, MaxTopicChars)
	}
	if !utf8.ValidString(o.Topic) {
		return fmt.Errorf("%w: the topic is not valid UTF-8", ErrInput)
	}
	o.Lang = strings.ToLower(strings.TrimSpace(o.Lang))
	switch {
	case o.Lang == "":
		o.Lang, o.LangSource = DetectLanguage(o.Topic + "\n" + o.Notes)
	case !prompts.Supported(o.Lang):
		return fmt.Errorf("%w: unknown language %q (supported: %s)", ErrInput, o.Lang, strings.Join(prompts.Languages, ", "))
	case o.LangSource == "": // a replay keeps its recorded source
		o.LangSource = "flag"
	}
	if o.Words == 0 {
		o.Words = DefaultWords
	}
	if o.Words < MinWords || o.Words > MaxWords {
		return fmt.Errorf("%w: --words %d is out of range (%d–%d)", ErrInput, o.Words, MinWords, MaxWords)
	}
	if o.Tone == "" {
		o.Tone = DefaultTone
	}
	if !contains(Tones, o.Tone) {
		return fmt.Errorf("%w: unknown tone %q (one of %s)", ErrInput, o.Tone, strings.Join(Tones, ", "))
	}
	o.Audience = strings.TrimSpace(o.Audience)
	if o.Audience == "" {
		o.Audience = DefaultAudience(o.Lang)
	}
	if utf8.RuneCountInString(o.Audience) > MaxAudienceChars {
		return fmt.Errorf("%w: the audience is over %d characters", ErrInput, MaxAudienceChars)
	}
	if err := o.normalizeKeywords(); err != nil {
		return err
	}
	if len(o.Notes) > MaxNotesBytes {
		return fmt.Errorf("%w: the notes are %d bytes, at most %d", ErrInput, len(o.Notes), MaxNotesBytes)
	}
	if !utf8.ValidString(o.Notes) {
		return fmt.Errorf("%w: the notes are not valid UTF-8 text", ErrInput)
	}
	if err := o.normalizePublishing(); err != nil {
		return err
	}
	if err := o.normalizeSources(); err != nil {
		return err
	}
	if o.MaxRevise < 0 || o.MaxRevise > MaxRevisePasses {
		return fmt.Errorf("%w: revise passes %d out of range (0–%d)", ErrInput, o.MaxRevise, MaxRevisePasses)
	}
	return o.normalizeSampling()
}

// normalizeSampling fills the default sampling parameters when none are set
// and validates them before anything is generated or saved: a NaN or
// out-of-range temperature must be a usage error, not a failed article in
// the library (or a checkpoint that cannot be encoded as JSON).
func (o *Options) normalizeSampling() error {
	if o.Sampling == (sample.Params{}) {
		o.Sampling = sample.DefaultParams()
	}
	// The run has one seed: the sampling block records it too, rather than
	// a 0 that reads as the seed used.
	o.Sampling.Seed = o.Seed
	if _, err := sample.New(o.Sampling, 1); err != nil {
		return fmt.Errorf("%w: sampling: %v", ErrInput, err)
	}
	return nil
}

func (o *Options) normalizeKeywords() error {
	var kws []string
	for _, k := range o.Keywords {
		k = strings.TrimSpace(k)
		if k == "" || contains(kws, k) {
			continue
		}
		if utf8.RuneCountInString(k) > MaxKeywordChars {
			return fmt.Errorf("%w: keyword %.20q… is over %d characters", ErrInput, k, MaxKeywordChars)
		}
		kws = append(kws, k)
	}
	if len(kws) > MaxKeywords {
		return fmt.Errorf("%w: %d keywords, at most %d", ErrInput, len(kws), MaxKeywords)
	}
	o.Keywords = kws
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// normalizePublishing validates the author (one line of text) and a slug
// given in the options (the form Slugify makes).
func (o *Options) normalizePublishing() error {
	if o.AINotice == nil { // recorded, so that a replay can tell a run before the notice existed
		on := true
		o.AINotice = &on
	}
	o.Author = strings.TrimSpace(o.Author)
	switch {
	case utf8.RuneCountInString(o.Author) > MaxAuthorChars:
		return fmt.Errorf("%w: the author is over %d characters", ErrInput, MaxAuthorChars)
	case strings.ContainsFunc(o.Author, unicode.IsControl):
		return fmt.Errorf("%w: the author contains control characters", ErrInput)
	case !utf8.ValidString(o.Author):
		return fmt.Errorf("%w: the author is not valid UTF-8", ErrInput)
	case o.Slug != "" && Slugify(o.Slug) != o.Slug:
		return fmt.Errorf("%w: slug %q: want lowercase letters, digits and single hyphens", ErrInput, o.Slug)
	}
	return nil
}
