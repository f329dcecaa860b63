package citation

import (
	"context"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
)

// prompts are the verdict prompts per language: the system line and the
// request (passage, then sentence).
var prompts = map[string][2]string{
	"en": {
		"You check whether a sentence of an article is supported by the source passage it cites. Answer with JSON only.",
		"Source passage:\n<<<\n%s\n>>>\n\nSentence: %s\n\n" +
			`Answer "supported" if the passage states everything the sentence claims, "partly" if it states only some of it, ` +
			`"not supported" if it does not state it. In "span", copy the words of the passage that support the sentence (empty if none).`,
	},
	"fr": {
		"Tu vérifies si une phrase d'un article est étayée par le passage de la source qu'elle cite. Réponds uniquement en JSON.",
		"Passage de la source :\n<<<\n%s\n>>>\n\nPhrase : %s\n\n" +
			`Réponds « supported » si le passage affirme tout ce que dit la phrase, « partly » s'il n'en affirme qu'une partie, ` +
			`« not supported » s'il ne l'affirme pas. Dans « span », recopie les mots du passage qui étayent la phrase (vide s'il n'y en a pas).`,
	},
}

// Messages is the verdict request for one sentence and one passage.
func Messages(lang, sentence, passage string) ([]llm.Message, error) {
	p, ok := prompts[lang]
	if !ok {
		return nil, fmt.Errorf("citation: unsupported language %q", lang)
	}
	return []llm.Message{
		{Role: "system", Content: p[0]},
		{Role: "user", Content: fmt.Sprintf(p[1], strings.TrimSpace(passage), Strip(sentence))},
	}, nil
}

// Checker asks a Generator for verdicts directly (the writer goes through
// its own recorded calls instead).
type Checker struct {
	Gen  llm.Generator
	Lang string
	// Seed is the sampling seed; verdicts are greedy (temperature 0), so
	// it matters only to samplers that break ties at random.
	Seed uint64
}

// Check returns the combined verdict on sentence citing passage.
func (c *Checker) Check(ctx context.Context, sentence, passage string) (Result, error) {
	msgs, err := Messages(c.Lang, sentence, passage)
	if err != nil {
		return Result{}, err
	}
	params := sample.DefaultParams()
	params.Temperature, params.Seed = 0, c.Seed
	req := llm.Request{Messages: msgs, MaxTokens: MaxTokens, JSONSchema: Schema, Sampling: params}
	res, err := c.Gen.Generate(ctx, req, nil)
	if err != nil {
		return Result{}, fmt.Errorf("citation check: %w", err)
	}
	a, err := ParseAnswer(res.Text)
	if err != nil {
		return Result{}, err
	}
	return Decide(c.Lang, sentence, passage, a)
}
