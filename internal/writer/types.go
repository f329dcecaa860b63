package writer

import (
	"github.com/plumewriter/plume/internal/sample"
)

// Pipeline stages, in order. They name progress events and manifest records.
const (
	StageBrief    = "brief"
	StageOutline  = "outline"
	StageDraft    = "draft"
	StageReview   = "review"
	StageRevise   = "revise"
	StageMetadata = "metadata"
)

// Outline is the article plan, produced as JSON under OutlineSchema.
type Outline struct {
	Title    string           `json:"title"`
	Intro    []string         `json:"intro"`
	Sections []OutlineSection `json:"sections"`
}

// OutlineSection is one H2 section, with optional H3 subsections.
type OutlineSection struct {
	Heading     string              `json:"heading"`
	Points      []string            `json:"points"`
	Subsections []OutlineSubsection `json:"subsections,omitempty"`
}

// OutlineSubsection is one H3 subsection.
type OutlineSubsection struct {
	Heading string   `json:"heading"`
	Points  []string `json:"points"`
}

// Metadata is the article's SEO metadata, produced as JSON under
// MetadataSchema (Slug and ReadingMinutes are computed, not generated).
type Metadata struct {
	Title          string   `json:"title"`
	Description    string   `json:"description"`
	Excerpt        string   `json:"excerpt"`
	Tags           []string `json:"tags"`
	Slug           string   `json:"slug"`
	ReadingMinutes int      `json:"reading_minutes"`
}

// Verdict is the review of one section, produced as JSON under ReviewSchema.
type Verdict struct {
	Pass     bool     `json:"pass"`
	Problems []string `json:"problems"`
}

// Part is one unit of drafting: the introduction (Level 0), an H2 section
// without subsections, or an H3 subsection (Level 3, Parent = its H2). An H2
// with subsections is rendered as a bare heading before its first part.
type Part struct {
	Level   int      `json:"level"`
	Heading string   `json:"heading,omitempty"`
	Parent  string   `json:"parent,omitempty"`
	Points  []string `json:"points"`
	Words   int      `json:"words"` // target
	Text    string   `json:"text"`  // drafted (then revised) text
	Drafted bool     `json:"drafted"`
	// Reviewed is set once the review (and the revise passes it asked for)
	// are finished; Revisions counts the revise passes applied.
	Reviewed  bool     `json:"reviewed"`
	Revisions int      `json:"revisions"`
	Problems  []string `json:"problems,omitempty"` // from the last review
	// Verdict is the reviewer's answer in the last review (the one after
	// the last revision): reported in the quality report, never dropped.
	Verdict *Verdict `json:"verdict,omitempty"`
}

// Call records one generation for the provenance manifest: the exact
// request, its seed, and what came back.
type Call struct {
	Stage            string        `json:"stage"`
	Part             int           `json:"part"`    // -1 when not about one part
	Attempt          int           `json:"attempt"` // 0, then repair/revise attempts
	Seed             uint64        `json:"seed"`
	Messages         []Message     `json:"messages"`
	JSONSchema       string        `json:"json_schema,omitempty"`
	MaxTokens        int           `json:"max_tokens"`
	Sampling         sample.Params `json:"sampling"`
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	FinishReason     string        `json:"finish_reason"`
	Output           string        `json:"output"`
	// OutputTokens are the ids the local engine generated for Output
	// (llm.Result.TextTokens; nil from other backends), which the next
	// turn of a review conversation reads back as Output (answered). Not
	// recorded: a conversation lives within one part's review, which a
	// resumed run starts again from its first call, so the ids are always
	// those of a call of the same run; a replay generates them again.
	OutputTokens []int32 `json:"-"`
	// Sentences is the per-sentence mean token probability of drafting
	// calls (from the tokens' logprobs).
	Sentences []SentenceConfidence `json:"sentence_confidence,omitempty"`
}

// Message is one prompt message (a copy of llm.Message, so that the manifest
// format is owned here).
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// Tokens are llm.Message.Tokens: on an assistant turn the engine
	// wrote, the ids it generated (see Call.OutputTokens).
	Tokens []int32 `json:"-"`
}

// Timing is the wall-clock cost of one call; timings live in the manifest's
// run section, which replay comparison excludes.
type Timing struct {
	Stage    string  `json:"stage"`
	Part     int     `json:"part"`
	Attempt  int     `json:"attempt"`
	PromptMS float64 `json:"prompt_ms"`
	GenMS    float64 `json:"gen_ms"`
	WallMS   float64 `json:"wall_ms"`
	// PromptTokens is the prompt's length as sent, PromptEvaluated how
	// many of those tokens the model evaluated (the others came from its
	// prompt cache; 0 when the backend does not say). They depend on the
	// cache, not on the article, so they live here rather than in Call.
	PromptTokens    int `json:"prompt_tokens,omitempty"`
	PromptEvaluated int `json:"prompt_evaluated,omitempty"`
}

// State is everything a run has produced so far. It is checkpointed after
// every finished step; a resumed run starts from it.
type State struct {
	Options Options `json:"options"`
	// Settings are where the run writes and with which generator; a resumed
	// run takes them from here (nil in checkpoints of older versions).
	Settings *RunSettings `json:"settings,omitempty"`
	// Model is the model the run started with; a resumed run must use the
	// same file (checked by SHA-256 when both sides know it).
	Model    *ModelRecord `json:"model,omitempty"`
	Brief    string       `json:"brief"`
	Outline  *Outline     `json:"outline,omitempty"`
	Parts    []Part       `json:"parts,omitempty"`
	Metadata *Metadata    `json:"metadata,omitempty"`
	Calls    []Call       `json:"calls"`
	Timings  []Timing     `json:"timings"`
	Warnings []string     `json:"warnings,omitempty"`
	Done     bool         `json:"done"`
	// Resumes counts the runs that continued this state after an
	// interruption (recorded in the manifest's run section only).
	Resumes int `json:"resumes,omitempty"`
	// BiasCards link the bias cards of the model found when the article was
	// saved (RunOptions.BiasCards); the manifest carries them.
	BiasCards []BiasCardLink `json:"bias_cards,omitempty"`

	// Grounding is set for articles written from sources (--source).
	Grounding *Grounding `json:"grounding,omitempty"`
}

// NextStage names the first unfinished stage of s ("" when done).
func (s *State) NextStage() string {
	switch {
	case s.Brief == "":
		return StageBrief
	case s.Outline == nil:
		return StageOutline
	case s.Options.OutlineOnly:
		return ""
	}
	for _, p := range s.Parts {
		if !p.Drafted {
			return StageDraft
		}
	}
	for _, p := range s.Parts {
		if !p.Reviewed {
			return StageReview
		}
	}
	if s.Grounding != nil && s.Grounding.CheckedParts < len(s.Parts) {
		return StageCite
	}
	if s.Metadata == nil {
		return StageMetadata
	}
	return ""
}

// DraftedParts counts the parts already drafted.
func (s *State) DraftedParts() int {
	n := 0
	for _, p := range s.Parts {
		if p.Drafted {
			n++
		}
	}
	return n
}
