package server

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// closeBias is a sampler bias (through the watermark hook) that raises the
// closing brace after a token holding a quote. The fixture model never saw
// '}' (its byte token is untrained, some 30 nats below the others), so
// without it the model writes member after member until max_tokens; with
// it, objects close after one or more members (and strings may hold a '}').
// The grammar still decides what is allowed: the bias only moves the
// model's choice among the allowed tokens.
type closeBias struct {
	tok   *tokenizer.Tokenizer
	brace int32
}

func (c closeBias) Green(prev, tok int32) bool {
	return tok == c.brace && bytes.ContainsRune(c.tok.TokenBytes(prev), '"')
}

func (c closeBias) Delta() float32 { return 40 }

// biased wraps a generator so that its requests carry closeBias.
type biased struct {
	llm.Generator
	bias closeBias
}

func (b biased) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	req.Watermark = b.bias
	return b.Generator.Generate(ctx, req, onToken)
}

// TestJSONObjectSDK: response_format json_object, over a real socket with
// the openai SDK, gives a JSON object whose keys the model chose, for
// several seeds, and the grammar ends the generation.
func TestJSONObjectSDK(t *testing.T) {
	tok := loadFixture(t).Tokenizer()
	bias := closeBias{tok: tok, brace: -1}
	for id := range int32(tok.VocabSize()) {
		if string(tok.TokenBytes(id)) == "}" {
			bias.brace = id
		}
	}
	if bias.brace < 0 {
		t.Fatal("the fixture has no '}' token")
	}
	ts := startServer(t, fixtureConfig(t, func(g llm.Generator) llm.Generator { return biased{g, bias} }), "", true)
	for _, seed := range []int64{1, 2, 3, 4, 5} {
		c, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model:          "stories260K.gguf",
			Messages:       []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Describe a pet as JSON.")},
			MaxTokens:      openai.Int(160),
			Temperature:    openai.Float(0.8),
			Seed:           openai.Int(seed),
			ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}},
		})
		if err != nil {
			t.Fatal(err)
		}
		text := c.Choices[0].Message.Content
		t.Logf("seed %d: %s", seed, text)
		var obj map[string]any
		if err := json.Unmarshal([]byte(text), &obj); err != nil {
			t.Fatalf("seed %d: %q is not a JSON object: %v", seed, text, err)
		}
		if len(obj) == 0 {
			t.Errorf("seed %d: %q has no key", seed, text)
		}
		if c.Choices[0].FinishReason != "stop" {
			t.Errorf("seed %d: finish %q: the grammar should end the generation", seed, c.Choices[0].FinishReason)
		}
	}
}
