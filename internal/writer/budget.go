package writer

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/retrieve"
)

// Token budget constants.
const (
	// MessageOverheadTokens covers the chat template's role markers around
	// each message (ChatML uses 4–5 tokens, Llama 3 about 5; 8 is safe).
	MessageOverheadTokens = 8
	// TemplateOverheadTokens covers BOS and the generation prompt.
	TemplateOverheadTokens = 16
	// TokensPerWord converts target words into a generation budget: English
	// runs at about 1.3 tokens per word and French about 1.6 with common BPE
	// vocabularies; 2 leaves room for Markdown and small vocabularies.
	TokensPerWord = 2
	// PartTokenMargin is added to every drafting budget so that a part can
	// finish its last sentence.
	PartTokenMargin = 64
	// BriefMaxTokens: a 120-word brief. (The structured steps' answer
	// budgets are the worst cases of their schemas: Plan.)
	BriefMaxTokens = 300
	// OutlineMinTokens is the least the outline answer may be cut to (with a
	// warning) on a small context: a five-section outline in a compact
	// vocabulary.
	OutlineMinTokens = 600
	// MetadataMinTokens fits it with a typical vocabulary (~3 characters
	// per token).
	MetadataMinTokens = 300
	// ReviewMinTokens fits a verdict with two short problems.
	ReviewMinTokens = 150
	// MinGenTokens is the least a drafting call may be cut to before the
	// pipeline gives up: fewer would not hold a paragraph.
	MinGenTokens = 128
	// DefaultContextLength is assumed when a backend does not report its
	// context window.
	DefaultContextLength = 4096
	// MetadataExcerptChars is how much of the article the metadata prompt
	// sees.
	MetadataExcerptChars = 1500
)

// ErrContext marks a context window too small for the plan.
var ErrContext = errors.New("context window too small")

// countMessages estimates the prompt tokens of msgs with the generator's
// tokenizer plus the chat template's overhead. A turn read back as the ids
// the engine generated (Message.Tokens) can take more tokens than its text
// re-tokenized: it counts as many as it has ids, if more.
func countMessages(g llm.Generator, msgs []Message) (int, error) {
	n := TemplateOverheadTokens
	for _, m := range msgs {
		c, err := g.CountTokens(m.Content)
		if err != nil {
			return 0, fmt.Errorf("count tokens: %w", err)
		}
		n += max(c, len(m.Tokens)) + MessageOverheadTokens
	}
	return n, nil
}

// contextLength is the generator's window, or the default when unknown.
func contextLength(g llm.Generator) int {
	if n := g.Info().ContextLength; n > 0 {
		return n
	}
	return DefaultContextLength
}

// cuttable holds the prompt inputs that may be shortened to fit the context:
// the running summary loses its oldest lines first, then the notes lose a
// quarter of their length at a time.
type cuttable struct {
	Summary  string
	Notes    string
	Passages []retrieve.Passage // source passages, best first; the last goes first
}

// shrink shortens c one step and says what it cut, or returns false when
// nothing is left to cut.
func (c *cuttable) shrink() (string, bool) {
	if c.Summary != "" {
		lines := strings.Split(c.Summary, "\n")
		c.Summary = strings.Join(lines[1:], "\n")
		return "the oldest line of the running summary", true
	}
	if c.Notes != "" {
		n := utf8.RuneCountInString(c.Notes)
		keep := n * 3 / 4
		if keep < 40 {
			c.Notes = ""
			return "the notes", true
		}
		c.Notes = cutRunes(c.Notes, keep)
		return fmt.Sprintf("the notes to %d characters", keep), true
	}
	if n := len(c.Passages); n > 0 {
		c.Passages = c.Passages[:n-1]
		return "the lowest-ranked source passage", true
	}
	return "", false
}

// cutRunes keeps the first n runes of s, backing up to a word boundary.
func cutRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	cut := string(rs[:n])
	if i := strings.LastIndexAny(cut, " \n"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + " …"
}

// fit builds the prompt with build(c) and shrinks c until prompt + maxTokens
// fits the context. It returns the messages, the (possibly reduced) output
// budget and the cuts made. A prompt that cannot fit is an ErrContext.
func fit(g llm.Generator, c cuttable, maxTokens, minTokens int, quietOutput bool, build func(cuttable) ([]Message, error)) ([]Message, int, []string, error) {
	window := contextLength(g)
	var cuts []string
	for {
		msgs, err := build(c)
		if err != nil {
			return nil, 0, nil, err
		}
		n, err := countMessages(g, msgs)
		if err != nil {
			return nil, 0, nil, err
		}
		if n+maxTokens <= window {
			return msgs, maxTokens, cuts, nil
		}
		if what, ok := c.shrink(); ok {
			cuts = append(cuts, what)
			continue
		}
		if window-n >= minTokens {
			if !quietOutput {
				cuts = append(cuts, fmt.Sprintf("the output budget from %d to %d tokens", maxTokens, window-n))
			}
			return msgs, window - n, cuts, nil
		}
		return nil, 0, nil, fmt.Errorf("%w: the prompt takes %d tokens and at least %d must remain for the answer, but the window is %d",
			ErrContext, n, minTokens, window)
	}
}
