package server

import (
	"context"

	"github.com/plumewriter/plume/internal/llm"
)

// promptScorer is a generator that rates the tokens of a request's prompt
// (the local engine's engine.Generator.ScorePrompt): each one's logprob
// given those before it, the first one's being null. /v1/completions needs
// it for echo with logprobs.
type promptScorer interface {
	ScorePrompt(ctx context.Context, req llm.Request, topK int) ([]llm.Token, error)
}

// generate runs j on gen: the prompt's scores first when echo asks for
// logprobs, then the completion unless max_tokens is 0 (promptOnly).
func (j job) generate(ctx context.Context, gen llm.Generator, onToken func(llm.Token) error) (llm.Result, error) {
	var res llm.Result
	if j.scoreInto != nil {
		sc, ok := gen.(promptScorer)
		if !ok {
			return res, badRequest("echo", "echo with logprobs needs a backend that scores prompt tokens (the local engine)")
		}
		toks, err := sc.ScorePrompt(ctx, j.req, j.req.TopLogprobs)
		if err != nil {
			return res, err
		}
		j.scoreInto.prompt = toks
		res.PromptTokens = len(toks)
	}
	if !j.promptOnly {
		return gen.Generate(ctx, j.req, onToken)
	}
	res.FinishReason = "length" // the budget of 0 tokens is used up
	if j.scoreInto == nil {
		n, err := gen.CountTokens(j.req.Prompt)
		if err != nil {
			return res, err
		}
		res.PromptTokens = n
	}
	return res, nil
}
