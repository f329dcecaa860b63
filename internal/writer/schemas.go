package writer

import (
	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/writer/prompts"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// Bounds of the structured answers, enforced by the JSON schemas (and so by
// the local engine's grammar while decoding).
const (
	// MaxTitleChars: the outline may propose up to 90 characters, the
	// metadata step settles the final title within MaxMetaTitleChars.
	MaxTitleChars = 90
	// MaxMetaTitleChars: titles past ~70 characters are cut in search
	// results.
	MaxMetaTitleChars = 70
	MinTitleChars     = 5
	MinHeadingChars   = 2
	MinPointChars     = 3
	MinPoints         = 1
	MaxHeadingChars   = 80  // one line in a table of contents
	MaxPointChars     = 160 // "one short sentence"
	MaxPoints         = 4   // per section: more is a section of its own
	MaxSubsections    = 3   // per H2
	MaxSections       = 12  // H2 sections in the longest article
	MinSections       = 2   // below that there is no structure to speak of
	MaxIntroPoints    = 3
	MaxTags           = 6
	MinTags           = 2
	MaxTagChars       = 30
	MinExcerptChars   = 40
	MaxExcerptChars   = 300
	MaxProblems       = 4 // per review: the revise prompt stays focused
	MaxProblemChars   = 160
	MinMetaTitleChar  = 10
)

// The builders, short for the schemas below.
var (
	str = jsonschema.String
	arr = jsonschema.Array
	obj = jsonschema.Object
)

// OutlineSchema is the JSON Schema of the outline of an article with between
// minSections and maxSections H2 sections, with the default limits.
func OutlineSchema(minSections, maxSections int) *jsonschema.Schema {
	b := DefaultBounds(MinWords)
	b.MinSections, b.MaxSections = minSections, maxSections
	return b.Outline()
}

// MetadataSchema is the JSON Schema of the metadata step with the default
// limits; the description length is always the SEO rule's.
func MetadataSchema() *jsonschema.Schema { return DefaultBounds(MinWords).Metadata() }

// ReviewSchema is the JSON Schema of a section review with the default
// limits.
func ReviewSchema() *jsonschema.Schema { return DefaultBounds(MinWords).Review() }

// Outline builds the outline schema of b.
func (b Bounds) Outline() *jsonschema.Schema {
	points := arr(str(MinPointChars, b.PointChars), MinPoints, b.Points)
	sub := obj(map[string]*jsonschema.Schema{"heading": str(MinHeadingChars, b.HeadingChars), "points": points}, "heading", "points")
	props := map[string]*jsonschema.Schema{"heading": str(MinHeadingChars, b.HeadingChars), "points": points}
	if b.Subsections > 0 {
		props["subsections"] = arr(sub, 0, b.Subsections)
	}
	sec := obj(props, "heading", "points")
	return obj(map[string]*jsonschema.Schema{
		"title":    str(MinTitleChars, b.TitleChars),
		"intro":    arr(str(MinPointChars, b.PointChars), MinPoints, b.IntroPoints),
		"sections": arr(sec, b.MinSections, b.MaxSections),
	}, "title", "intro", "sections")
}

// Metadata builds the metadata schema of b.
func (b Bounds) Metadata() *jsonschema.Schema {
	return obj(map[string]*jsonschema.Schema{
		"title":       str(MinMetaTitleChar, b.MetaTitleChars),
		"description": str(quality.MinMetaDescription, quality.MaxMetaDescription),
		"excerpt":     str(MinExcerptChars, b.ExcerptChars),
		"tags":        arr(str(2, b.TagChars), MinTags, b.Tags),
	}, "title", "description", "excerpt", "tags")
}

// Review builds the review schema of b.
func (b Bounds) Review() *jsonschema.Schema {
	return obj(map[string]*jsonschema.Schema{
		"pass":     jsonschema.Boolean(),
		"problems": arr(str(3, b.ProblemChars), 0, b.Problems),
	}, "pass", "problems")
}

// limits are the numbers of b that the prompts state: the same as the
// schemas above.
func (b Bounds) limits() prompts.Limits {
	return prompts.Limits{
		TitleChars: b.TitleChars, HeadingChars: b.HeadingChars, PointChars: b.PointChars,
		MinPoints: MinPoints, Points: b.Points, IntroPoints: b.IntroPoints, Subsections: b.Subsections,
		MetaTitleChars: b.MetaTitleChars, MinExcerptChars: MinExcerptChars, ExcerptChars: b.ExcerptChars,
		MinTags: MinTags, Tags: b.Tags, TagChars: b.TagChars,
		Problems: b.Problems, ProblemChars: b.ProblemChars,
	}
}
