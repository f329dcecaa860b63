package prompts

// Limits are the answer limits a structured prompt states, the same numbers
// as the JSON schema the answer is constrained to: the writer fills them
// from the bounds that built that schema (writer.Bounds), never from
// numbers of its own.
type Limits struct {
	// outline
	TitleChars, HeadingChars, PointChars int
	MinPoints, Points                    int // key points per section
	IntroPoints, Subsections             int
	// metadata
	MetaTitleChars                int
	MinExcerptChars, ExcerptChars int
	MinTags, Tags, TagChars       int
	// review
	Problems, ProblemChars int
}
