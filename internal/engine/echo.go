package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/llm"
)

// ScorePrompt rates the tokens of req's prompt (built as Generate builds
// it: the chat template, or the raw Prompt with its BOS) teacher-forced:
// one batched forward pass per scoreChunk positions keeps every position's
// logits (Session.Score), and each token gets its log-probability given the
// tokens before it, with topK alternatives. It returns one Token per prompt
// token, whose texts concatenate to the decoded prompt (Tokenizer.Decode:
// without SentencePiece's leading space); the first token has
// no context, so its Logprob is 0 and its Top empty (OpenAI reports null).
// This is what /v1/completions needs for echo with logprobs. The session's
// cache then holds the prompt, so a Generate of the same request that
// follows evaluates only its last token again.
func (g *Generator) ScorePrompt(ctx context.Context, req llm.Request, topK int) ([]llm.Token, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	prompt, err := g.m.Prompt(req)
	if err != nil {
		return nil, fmt.Errorf("score prompt: %w", err)
	}
	if len(prompt) == 0 {
		return nil, fmt.Errorf("score prompt: empty prompt")
	}
	if g.sess == nil {
		if g.sess, err = g.m.newSessionLen(g.contextLength()); err != nil {
			return nil, err
		}
	}
	scored, err := g.sess.Score(ctx, prompt, topK)
	if err != nil {
		return nil, err
	}
	dec := g.m.tok.NewStreamDecoder()
	out := make([]llm.Token, len(prompt))
	for i, id := range prompt {
		out[i] = llm.Token{ID: id, Text: dec.Add(id)}
		if i > 0 {
			out[i].Logprob, out[i].Top = scored[i-1].Logprob, g.tops(scored[i-1].Top)
		}
	}
	out[len(out)-1].Text += dec.Flush() // an incomplete UTF-8 sequence at the end
	trimSpacePrefix(out, g.m.tok.Decode(prompt))
	return out, nil
}

// trimSpacePrefix makes the texts of toks spell text when they spell it
// after a prefix: the space SentencePiece tokenizers put before the first
// word, which Decode removes and a prompt's echo does not have.
func trimSpacePrefix(toks []llm.Token, text string) {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.Text)
	}
	extra := b.Len() - len(text)
	if extra <= 0 || b.String()[extra:] != text {
		return
	}
	for i := range toks {
		n := min(extra, len(toks[i].Text))
		toks[i].Text, extra = toks[i].Text[n:], extra-n
		if extra == 0 {
			return
		}
	}
}
