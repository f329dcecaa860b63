package writer

import (
	"fmt"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// WhitespaceTokensPerValue is the whitespace allowance per JSON value in
// the worst-case size of a structured answer: a well-behaved model writes at
// most a newline and an indent between values.
const WhitespaceTokensPerValue = 2

// Bounds are the size limits of the structured answers. Grammar-constrained
// decoding guarantees valid JSON only if the answer can close within its
// token budget, so the limits are shrunk, step by step, until the schema's
// worst case (WorstTokens) fits the budget.
type Bounds struct {
	MinSections, MaxSections int
	Points, Subsections      int
	IntroPoints              int
	TitleChars, HeadingChars int
	PointChars               int
	MetaTitleChars           int
	ExcerptChars, Tags       int
	TagChars                 int
	Problems, ProblemChars   int
}

// DefaultBounds are the limits for an article of the given length.
func DefaultBounds(words int) Bounds {
	lo, hi := sectionRange(words)
	return Bounds{
		MinSections: lo, MaxSections: hi, Points: MaxPoints, Subsections: MaxSubsections,
		IntroPoints: MaxIntroPoints, TitleChars: MaxTitleChars, HeadingChars: MaxHeadingChars,
		PointChars: MaxPointChars, MetaTitleChars: MaxMetaTitleChars, ExcerptChars: MaxExcerptChars,
		Tags: MaxTags, TagChars: MaxTagChars, Problems: MaxProblems, ProblemChars: MaxProblemChars,
	}
}

// step lowers *v by one notch (to the next value of notches below it);
// false when it is already at the last.
func step(v *int, notches ...int) bool {
	for _, n := range notches {
		if n < *v {
			*v = n
			return true
		}
	}
	return false
}

// Shrink ladders, in order of preference: what a short answer loses first.
var (
	outlineLadder = []func(*Bounds) bool{
		func(b *Bounds) bool { return step(&b.Subsections, 2, 1, 0) },
		func(b *Bounds) bool { return step(&b.Points, 3, 2) },
		func(b *Bounds) bool { return step(&b.PointChars, 120, 90, 60) },
		func(b *Bounds) bool { return step(&b.IntroPoints, 2, 1) },
		func(b *Bounds) bool { return step(&b.HeadingChars, 60, 40) },
		func(b *Bounds) bool { return step(&b.TitleChars, 70, 60) },
		func(b *Bounds) bool {
			if b.MaxSections > b.MinSections {
				b.MaxSections--
				return true
			}
			return false
		},
		func(b *Bounds) bool { return step(&b.Points, 1) },
		func(b *Bounds) bool {
			if b.MinSections > MinSections {
				b.MinSections--
				b.MaxSections = b.MinSections
				return true
			}
			return false
		},
	}
	metadataLadder = []func(*Bounds) bool{
		func(b *Bounds) bool { return step(&b.ExcerptChars, 200, 150, 100, MinExcerptChars+20) },
		func(b *Bounds) bool { return step(&b.Tags, 4, 3, MinTags) },
		func(b *Bounds) bool { return step(&b.TagChars, 20, 12) },
		func(b *Bounds) bool { return step(&b.MetaTitleChars, 50, 30) },
	}
	reviewLadder = []func(*Bounds) bool{
		func(b *Bounds) bool { return step(&b.Problems, 3, 2) },
		func(b *Bounds) bool { return step(&b.ProblemChars, 100, 60) },
		func(b *Bounds) bool { return step(&b.Problems, 1) },
	}
)

// fitBounds shrinks b along ladder until build(b)'s worst case fits budget
// tokens. It returns the bounds, the schema, and whether it fits.
func fitBounds(b Bounds, build func(Bounds) *jsonschema.Schema, ladder []func(*Bounds) bool, budget int) (Bounds, *jsonschema.Schema, bool) {
	for {
		sch := build(b)
		worst, err := WorstTokens(sch)
		if err == nil && worst <= budget {
			return b, sch, true
		}
		shrunk := false
		for _, s := range ladder {
			if s(&b) {
				shrunk = true
				break
			}
		}
		if !shrunk {
			return b, sch, false
		}
	}
}

// WorstTokens bounds the tokens of the longest JSON document valid under a
// schema, counting one token per character (every token holds at least one),
// the structural characters, and WhitespaceTokensPerValue per value. Strings
// count their maxLength plus quotes; unbounded strings or arrays are an
// error, since nothing would then bound the answer.
func WorstTokens(s *jsonschema.Schema) (int, error) {
	return worst(s, 0)
}

func worst(s *jsonschema.Schema, depth int) (int, error) {
	if depth > jsonschema.MaxDepth {
		return 0, fmt.Errorf("worst case: schema nested too deeply")
	}
	if len(s.Types) != 1 {
		return 0, fmt.Errorf("worst case: unsupported schema with types %v", s.Types)
	}
	n := WhitespaceTokensPerValue
	switch s.Types[0] {
	case "string":
		if s.MaxLength == nil {
			return 0, fmt.Errorf("worst case: unbounded string")
		}
		return n + *s.MaxLength + 2, nil
	case "boolean", "null":
		return n + 5, nil
	case "integer", "number":
		return n + 24, nil
	case "array":
		if s.MaxItems == nil || s.Items == nil {
			return 0, fmt.Errorf("worst case: unbounded array")
		}
		item, err := worst(s.Items, depth+1)
		if err != nil {
			return 0, err
		}
		return n + 2 + *s.MaxItems*(item+1), nil
	case "object":
		n += 2
		for _, p := range s.Properties {
			v, err := worst(p.Schema, depth+1)
			if err != nil {
				return 0, err
			}
			n += len(p.Name) + 4 + v // "key": value,
		}
		return n, nil
	}
	return 0, fmt.Errorf("worst case: unsupported type %q", s.Types[0])
}
