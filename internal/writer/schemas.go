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
// minSections and maxSections H2 sections.
func OutlineSchema(minSections, maxSections int) []byte {
	points := arr(str(3, MaxPointChars), 1, MaxPoints)
	sub := obj(map[string]*schema.Schema{"heading": str(2, MaxHeadingChars), "points": points}, "heading", "points")
	sec := obj(map[string]*schema.Schema{
		"heading": str(2, MaxHeadingChars), "points": points, "subsections": arr(sub, 0, MaxSubsections),
	}, "heading", "points")
	return mustJSON(obj(map[string]*schema.Schema{
		"title":    str(5, MaxTitleChars),
		"intro":    arr(str(3, MaxPointChars), 1, MaxIntroPoints),
		"sections": arr(sec, minSections, maxSections),
	}, "title", "intro", "sections"))
}

// MetadataSchema is the JSON Schema of the metadata step; the description
// length is the SEO rule's.
func MetadataSchema() []byte {
	return mustJSON(obj(map[string]*schema.Schema{
		"title":       str(MinMetaTitleChar, MaxTitleChars),
		"description": str(quality.MinMetaDescription, quality.MaxMetaDescription),
		"excerpt":     str(MinExcerptChars, MaxExcerptChars),
		"tags":        arr(str(2, MaxTagChars), MinTags, MaxTags),
	}, "title", "description", "excerpt", "tags"))
}

// ReviewSchema is the JSON Schema of a section review.
func ReviewSchema() []byte {
	return mustJSON(obj(map[string]*schema.Schema{
		"pass":     {Type: "boolean"},
		"problems": arr(str(3, MaxProblemChars), 0, MaxProblems),
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
