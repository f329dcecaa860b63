package writer

import (
	"encoding/json"
	"fmt"

	"github.com/plumewriter/plume/internal/writer/quality"
	"github.com/plumewriter/plume/internal/writer/schema"
)

// Bounds of the structured answers, enforced by the JSON schemas (and so by
// the local engine's grammar while decoding).
const (
	// MaxTitleChars: titles past ~70 characters are cut in search results;
	// the outline may propose up to 90, the metadata step settles the final.
	MaxTitleChars    = 90
	MaxHeadingChars  = 80  // one line in a table of contents
	MaxPointChars    = 160 // "one short sentence"
	MaxPoints        = 4   // per section: more is a section of its own
	MaxSubsections   = 3   // per H2
	MaxSections      = 12  // H2 sections in the longest article
	MinSections      = 2   // below that there is no structure to speak of
	MaxIntroPoints   = 3
	MaxTags          = 6
	MinTags          = 2
	MaxTagChars      = 30
	MinExcerptChars  = 40
	MaxExcerptChars  = 300
	MaxProblems      = 4 // per review: the revise prompt stays focused
	MaxProblemChars  = 160
	MinMetaTitleChar = 10
)

func intp(n int) *int { return &n }

func str(minLen, maxLen int) *schema.Schema {
	return &schema.Schema{Type: "string", MinLength: intp(minLen), MaxLength: intp(maxLen)}
}

func arr(items *schema.Schema, minItems, maxItems int) *schema.Schema {
	return &schema.Schema{Type: "array", Items: items, MinItems: intp(minItems), MaxItems: intp(maxItems)}
}

func obj(props map[string]*schema.Schema, required ...string) *schema.Schema {
	f := false
	return &schema.Schema{Type: "object", Properties: props, Required: required, AdditionalProperties: &f}
}

// OutlineSchema is the JSON Schema of the outline of an article with between
// minSections and maxSections H2 sections, with the default limits.
func OutlineSchema(minSections, maxSections int) []byte {
	b := DefaultBounds(MinWords)
	b.MinSections, b.MaxSections = minSections, maxSections
	return b.Outline()
}

// MetadataSchema is the JSON Schema of the metadata step with the default
// limits; the description length is always the SEO rule's.
func MetadataSchema() []byte { return DefaultBounds(MinWords).Metadata() }

// ReviewSchema is the JSON Schema of a section review with the default
// limits.
func ReviewSchema() []byte { return DefaultBounds(MinWords).Review() }

// Outline builds the outline schema of b.
func (b Bounds) Outline() []byte {
	points := arr(str(3, b.PointChars), 1, b.Points)
	sub := obj(map[string]*schema.Schema{"heading": str(2, b.HeadingChars), "points": points}, "heading", "points")
	props := map[string]*schema.Schema{"heading": str(2, b.HeadingChars), "points": points}
	if b.Subsections > 0 {
		props["subsections"] = arr(sub, 0, b.Subsections)
	}
	sec := obj(props, "heading", "points")
	return mustJSON(obj(map[string]*schema.Schema{
		"title":    str(5, b.TitleChars),
		"intro":    arr(str(3, b.PointChars), 1, b.IntroPoints),
		"sections": arr(sec, b.MinSections, b.MaxSections),
	}, "title", "intro", "sections"))
}

// Metadata builds the metadata schema of b.
func (b Bounds) Metadata() []byte {
	return mustJSON(obj(map[string]*schema.Schema{
		"title":       str(MinMetaTitleChar, b.MetaTitleChars),
		"description": str(quality.MinMetaDescription, quality.MaxMetaDescription),
		"excerpt":     str(MinExcerptChars, b.ExcerptChars),
		"tags":        arr(str(2, b.TagChars), MinTags, b.Tags),
	}, "title", "description", "excerpt", "tags"))
}

// Review builds the review schema of b.
func (b Bounds) Review() []byte {
	return mustJSON(obj(map[string]*schema.Schema{
		"pass":     {Type: "boolean"},
		"problems": arr(str(3, b.ProblemChars), 0, b.Problems),
	}, "pass", "problems"))
}

// mustJSON marshals a schema built in code; encoding/json sorts map keys, so
// the bytes (recorded in manifests) are stable.
func mustJSON(s *schema.Schema) []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("writer: schema does not marshal: %v", err)) // static data, a build defect
	}
	return b
}
