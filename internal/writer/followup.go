package writer

import (
	"slices"
	"strings"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/prompts"
)

// A part's review and revisions form one conversation, so that each call
// extends the sequence of the one before it (prompt and answer) and an
// engine with a prompt cache evaluates only what is new (issue #19):
//
//	review:     [system, review of the quoted text]
//	revise:     … + [assistant: the review's answer, user: rewrite it]
//	re-review:  … + [assistant: the rewrite, user: the review's question about "your rewrite above"]
//
// and so on for a second pass. A turn that does not fit whole in the window
// (nothing cut, the full answer budget) is laid out on its own instead, the
// text quoted, as the first review is.

// answered is the conversation of the last call with its answer as the
// assistant's turn: what the engine holds after that call. The turn carries
// the ids the engine generated, so that it is read back as that sequence
// rather than re-tokenized (which can give other ids, and end the reuse of
// the cache inside the answer).
func (r *run) answered() []Message {
	c := r.st.Calls[len(r.st.Calls)-1]
	return append(slices.Clip(c.Messages), Message{Role: "assistant", Content: c.Output, Tokens: c.OutputTokens})
}

// followUp renders stage name's prompt as the next user turn after prior
// (which holds the system prompt) and reports whether the conversation fits
// the window with maxTokens to answer; nothing is cut from a follow-up.
func (r *run) followUp(prior []Message, name string, c cuttable, maxTokens int, tweak func(*promptData)) ([]Message, bool, error) {
	d := r.data(c)
	if tweak != nil {
		tweak(&d)
	}
	d.FollowUp = true
	user, err := prompts.Render(d.Lang, name, d)
	if err != nil {
		return nil, false, err
	}
	msgs := append(slices.Clip(prior), Message{Role: "user", Content: user})
	n, err := countMessages(r.p.Gen, msgs)
	if err != nil {
		return nil, false, err
	}
	return msgs, n+maxTokens <= contextLength(r.p.Gen), nil
}

// reviewPrompt is the prompt of part i's review: after conv, the
// conversation of the revision it reads, when that fits whole (with the
// default answer limits); otherwise on its own, the text quoted (sizedPrompt).
func (r *run) reviewPrompt(i int, conv []Message) ([]Message, int, *jsonschema.Schema, error) {
	part := &r.st.Parts[i]
	tweak := r.partData(i, part.Text)
	if conv != nil {
		b := DefaultBounds(r.st.Options.Words)
		n := r.fullAnswer(Bounds.Review)
		msgs, ok, err := r.followUp(conv, prompts.Review, cuttable{}, n, func(d *promptData) {
			tweak(d)
			d.Limits = b.limits()
		})
		if err != nil || ok {
			return msgs, n, b.Review(), err
		}
	}
	return r.sizedPrompt(sizedStep{stage: StageReview, prompt: prompts.Review,
		maxTokens: r.fullAnswer(Bounds.Review), minTokens: ReviewMinTokens, build: Bounds.Review, ladder: reviewLadder,
		tweak: tweak})
}

// rewriteTurn is the assistant turn of a revision whose answer raw became
// the part's text (cleaned, maybe cut back to its last sentence): the text,
// after the white space the answer began with when its first line was kept.
// The turn carries the answer's generated ids, which the engine reads back
// as far as they spell the turn; a model's answer often starts with a space
// or a newline that cleaning drops, and a turn without it would end the
// reuse of the cache at the answer's first token.
func rewriteTurn(raw, text string) string {
	rest := strings.TrimLeft(raw, " \t\r\n")
	if text == "" || rest == "" || rest[0] != text[0] {
		return text // the answer began with a line cleaning dropped (a heading)
	}
	return raw[:len(raw)-len(rest)] + text
}

// turnIDs is the answer's generated ids (res.TextTokens) up to the first
// whose streamed text reaches past its first n bytes: the engine reads back
// no more of them than spell a turn of n bytes cut from the answer, and
// countMessages counts such a turn by its ids.
func turnIDs(res llm.Result, n int) []int32 {
	at := 0
	for i := range res.TextTokens {
		if at >= n || i >= len(res.Tokens) {
			return res.TextTokens[:i:i]
		}
		at += len(res.Tokens[i].Text)
	}
	return res.TextTokens
}
