package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
)

// want runs req on a fresh engine generator: what the server must answer.
func want(t *testing.T, req llm.Request) llm.Result {
	t.Helper()
	res, err := loadFixture(t).Generator().Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func greedy() sample.Params {
	p := sample.DefaultParams()
	p.Temperature = 0
	return p
}

const storyPrompt = "Once upon a time, there was a little girl"

func TestChatCompletionsSDK(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	msgs := []llm.Message{{Role: "system", Content: "You tell stories."}, {Role: "user", Content: storyPrompt}}
	exp := want(t, llm.Request{Messages: msgs, MaxTokens: 24, Sampling: greedy()})
	params := openai.ChatCompletionNewParams{
		Model:       "stories260K.gguf",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(msgs[0].Content), openai.UserMessage(msgs[1].Content)},
		MaxTokens:   openai.Int(24),
		Temperature: openai.Float(0),
	}
	t.Run("not streamed", func(t *testing.T) {
		c, err := ts.client.Chat.Completions.New(context.Background(), params)
		if err != nil {
			t.Fatal(err)
		}
		ch := c.Choices[0]
		if ch.Message.Content != exp.Text || ch.FinishReason != "length" || ch.Message.Role != "assistant" {
			t.Errorf("got %q (%s, %s), want the engine's %q (length)", ch.Message.Content, ch.FinishReason, ch.Message.Role, exp.Text)
		}
		if c.Usage.CompletionTokens != 24 || c.Usage.PromptTokens != int64(exp.PromptTokens) || c.Usage.TotalTokens != 24+int64(exp.PromptTokens) {
			t.Errorf("usage %+v, want 24 completion and %d prompt tokens", c.Usage, exp.PromptTokens)
		}
		if c.Object != "chat.completion" || !strings.HasPrefix(c.ID, "chatcmpl-") || c.Model != "stories260K.gguf" {
			t.Errorf("object %q id %q model %q", c.Object, c.ID, c.Model)
		}
	})
	t.Run("streamed", func(t *testing.T) {
		p := params
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		stream := ts.client.Chat.Completions.NewStreaming(context.Background(), p)
		var acc openai.ChatCompletionAccumulator
		chunks := 0
		for stream.Next() {
			acc.AddChunk(stream.Current())
			chunks++
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if got := acc.Choices[0].Message.Content; got != exp.Text {
			t.Errorf("streamed %q, want %q", got, exp.Text)
		}
		if acc.Choices[0].FinishReason != "length" || acc.Usage.CompletionTokens != 24 {
			t.Errorf("finish %q, usage %+v", acc.Choices[0].FinishReason, acc.Usage)
		}
		if chunks < 3 {
			t.Errorf("%d chunks: the text did not stream token by token", chunks)
		}
	})
	t.Run("stop string", func(t *testing.T) {
		words := strings.Fields(exp.Text)
		if len(words) < 3 {
			t.Skipf("reference completion %q is too short to cut", exp.Text)
		}
		p := params
		p.Stop = openai.ChatCompletionNewParamsStopUnion{OfString: openai.String(words[2])}
		c, err := ts.client.Chat.Completions.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		cut := exp.Text[:strings.Index(exp.Text, words[2])]
		if got := c.Choices[0].Message.Content; got != cut || c.Choices[0].FinishReason != "stop" {
			t.Errorf("with stop %q: %q (%s), want %q (stop)", words[2], got, c.Choices[0].FinishReason, cut)
		}
	})
}

func TestCompletionsSDK(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	exp := want(t, llm.Request{Prompt: storyPrompt, MaxTokens: 16, Sampling: greedy(), TopLogprobs: 2})
	params := openai.CompletionNewParams{
		Model:       "stories260K.gguf",
		Prompt:      openai.CompletionNewParamsPromptUnion{OfString: openai.String(storyPrompt)},
		MaxTokens:   openai.Int(16),
		Temperature: openai.Float(0),
	}
	t.Run("echo", func(t *testing.T) {
		p := params
		p.Echo = openai.Bool(true)
		c, err := ts.client.Completions.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Choices[0].Text; got != storyPrompt+exp.Text {
			t.Errorf("got %q, want prompt + %q", got, exp.Text)
		}
	})
	// logprobs 0 asks for the sampled tokens' log-probabilities without
	// alternatives: the engine computes them on request only.
	for _, n := range []int64{0, 2} {
		t.Run(fmt.Sprintf("logprobs %d", n), func(t *testing.T) {
			p := params
			p.Logprobs = openai.Int(n)
			c, err := ts.client.Completions.New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			lp := c.Choices[0].Logprobs
			if len(lp.TokenLogprobs) != len(exp.Tokens) || len(lp.TopLogprobs) != len(exp.Tokens) {
				t.Fatalf("%d logprobs, %d tops for %d tokens", len(lp.TokenLogprobs), len(lp.TopLogprobs), len(exp.Tokens))
			}
			for i, tok := range exp.Tokens {
				if float32(lp.TokenLogprobs[i]) != tok.Logprob || lp.Tokens[i] != tok.Text || tok.Logprob >= 0 {
					t.Errorf("token %d: %q %v, want %q %v", i, lp.Tokens[i], lp.TokenLogprobs[i], tok.Text, tok.Logprob)
				}
				if int64(len(lp.TopLogprobs[i])) != n {
					t.Errorf("token %d: %d alternatives, want %d", i, len(lp.TopLogprobs[i]), n)
				}
			}
		})
	}
	t.Run("streamed", func(t *testing.T) {
		stream := ts.client.Completions.NewStreaming(context.Background(), params)
		var text strings.Builder
		var reason string
		for stream.Next() {
			for _, ch := range stream.Current().Choices {
				text.WriteString(ch.Text)
				if ch.FinishReason != "" {
					reason = string(ch.FinishReason)
				}
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if text.String() != exp.Text || reason != "length" {
			t.Errorf("streamed %q (%s), want %q (length)", text.String(), reason, exp.Text)
		}
	})
}

// TestLogprobsSDK: logprobs gets each token's log-probability, with
// top_logprobs alternatives best first (the greedy pick the best), and
// without top_logprobs none (the engine computes the log-probability on
// request only, so it must come without them too).
func TestLogprobsSDK(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	for _, top := range []int{0, 3} {
		t.Run(fmt.Sprintf("top_logprobs %d", top), func(t *testing.T) {
			p := openai.ChatCompletionNewParams{
				Model:       "stories260K.gguf",
				Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage(storyPrompt)},
				MaxTokens:   openai.Int(12),
				Temperature: openai.Float(0),
				Logprobs:    openai.Bool(true),
			}
			if top > 0 {
				p.TopLogprobs = openai.Int(int64(top))
			}
			c, err := ts.client.Chat.Completions.New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			content := c.Choices[0].Logprobs.Content
			if int64(len(content)) != c.Usage.CompletionTokens || len(content) == 0 {
				t.Fatalf("%d logprob entries for %d tokens", len(content), c.Usage.CompletionTokens)
			}
			var text strings.Builder
			for i, lp := range content {
				text.WriteString(lp.Token)
				if len(lp.TopLogprobs) != top {
					t.Fatalf("token %d: %d alternatives, want %d", i, len(lp.TopLogprobs), top)
				}
				if lp.Logprob >= 0 {
					t.Errorf("token %d: logprob %v, want < 0", i, lp.Logprob)
				}
				if top == 0 {
					continue
				}
				if !slices.IsSortedFunc(lp.TopLogprobs, func(a, b openai.ChatCompletionTokenLogprobTopLogprob) int {
					return -cmpFloat(a.Logprob, b.Logprob)
				}) {
					t.Errorf("token %d: alternatives %+v not best first", i, lp.TopLogprobs)
				}
				if lp.Logprob != lp.TopLogprobs[0].Logprob { // greedy picks the best
					t.Errorf("token %d: greedy pick %v is not the best alternative %v", i, lp.Logprob, lp.TopLogprobs[0].Logprob)
				}
			}
			if text.String() != c.Choices[0].Message.Content {
				t.Errorf("logprob tokens spell %q, content is %q", text.String(), c.Choices[0].Message.Content)
			}
		})
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestSeedReproducibleSDK(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	run := func(seed int64) string {
		c, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model:       "stories260K.gguf",
			Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage(storyPrompt)},
			MaxTokens:   openai.Int(32),
			Temperature: openai.Float(1),
			Seed:        openai.Int(seed),
		})
		if err != nil {
			t.Fatal(err)
		}
		return c.Choices[0].Message.Content
	}
	texts := map[string]bool{}
	for _, seed := range []int64{1, 2, 3} {
		a, b := run(seed), run(seed)
		if a != b {
			t.Errorf("seed %d: %q then %q", seed, a, b)
		}
		texts[a] = true
	}
	if len(texts) < 2 {
		t.Errorf("three seeds at temperature 1 gave one text %v: the seed is not used", texts)
	}
}

func TestJSONSchemaSDK(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"name": map[string]any{"type": "string", "maxLength": 12},
			"age":  map[string]any{"type": "integer"},
			"kind": map[string]any{"enum": []string{"cat", "dog"}},
		},
		"required": []string{"name", "age", "kind"},
	}
	c, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:       "stories260K.gguf",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Describe a pet as JSON.")},
		MaxTokens:   openai.Int(128),
		Temperature: openai.Float(0.8),
		Seed:        openai.Int(7),
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "pet", Schema: schema, Strict: openai.Bool(true)},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var pet struct {
		Name *string
		Age  *int
		Kind *string
	}
	text := c.Choices[0].Message.Content
	t.Logf("constrained output: %s", text)
	if err := json.Unmarshal([]byte(text), &pet); err != nil {
		t.Fatalf("%q is not JSON: %v", text, err)
	}
	if pet.Name == nil || pet.Age == nil || pet.Kind == nil || len([]rune(*pet.Name)) > 12 || (*pet.Kind != "cat" && *pet.Kind != "dog") {
		t.Errorf("%q does not follow the schema", text)
	}
	if c.Choices[0].FinishReason != "stop" {
		t.Errorf("finish %q: the grammar should end the generation", c.Choices[0].FinishReason)
	}
}

// apiErr returns err as the SDK's error, failing when it is not one.
func apiErr(t *testing.T, err error) *openai.Error {
	t.Helper()
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an API error", err)
	}
	return e
}

func TestErrorsSDK(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	base := openai.ChatCompletionNewParams{
		Model:     "stories260K.gguf",
		Messages:  []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		MaxTokens: openai.Int(4),
	}
	long := strings.Repeat("once upon a time ", testContext)
	tests := []struct {
		name   string
		edit   func(*openai.ChatCompletionNewParams)
		status int
		code   string
		in     string // in the message
	}{
		{"unknown model", func(p *openai.ChatCompletionNewParams) { p.Model = "gpt-9" }, http.StatusNotFound, "model_not_found", "gpt-9"},
		{"temperature", func(p *openai.ChatCompletionNewParams) { p.Temperature = openai.Float(3) }, http.StatusBadRequest, "", "temperature"},
		{"max_tokens", func(p *openai.ChatCompletionNewParams) { p.MaxTokens = openai.Int(MaxCompletionTokens + 1) }, http.StatusBadRequest, "", "max_tokens"},
		{"top_logprobs", func(p *openai.ChatCompletionNewParams) {
			p.Logprobs, p.TopLogprobs = openai.Bool(true), openai.Int(21)
		}, http.StatusBadRequest, "", "top_logprobs"},
		{"prompt longer than the context", func(p *openai.ChatCompletionNewParams) {
			p.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage(long)}
		}, http.StatusBadRequest, "context_length_exceeded", "context"},
		{"empty messages", func(p *openai.ChatCompletionNewParams) { p.Messages = nil }, http.StatusBadRequest, "", "messages"},
		{"unsupported schema keyword", func(p *openai.ChatCompletionNewParams) {
			p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "s", Schema: map[string]any{
					"type": "object", "properties": map[string]any{"zip": map[string]any{"type": "string", "pattern": "^[0-9]{5}$"}},
				}},
			}}
		}, http.StatusBadRequest, "", `"pattern"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			tc.edit(&p)
			_, err := ts.client.Chat.Completions.New(context.Background(), p)
			e := apiErr(t, err)
			if e.StatusCode != tc.status || (tc.code != "" && e.Code != tc.code) || !strings.Contains(e.Message, tc.in) {
				t.Errorf("got %d %q %q, want %d %q and a message naming %s", e.StatusCode, e.Code, e.Message, tc.status, tc.code, tc.in)
			}
		})
	}
}

// TestPromptTooLongNamesItsField: a prompt longer than the context is a 400
// context_length_exceeded whose param is the request's prompt field:
// "messages" on chat, "prompt" on /v1/completions.
func TestPromptTooLongNamesItsField(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	long := strings.Repeat("once upon a time ", testContext)
	_, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "stories260K.gguf",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(long)},
	})
	chatErr := apiErr(t, err)
	_, err = ts.client.Completions.New(context.Background(), openai.CompletionNewParams{
		Model:  "stories260K.gguf",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String(long)},
	})
	complErr := apiErr(t, err)
	for _, c := range []struct {
		e     *openai.Error
		param string
	}{{chatErr, "messages"}, {complErr, "prompt"}} {
		if c.e.StatusCode != http.StatusBadRequest || c.e.Code != "context_length_exceeded" || c.e.Param != c.param {
			t.Errorf("got %d %q param %q, want 400 context_length_exceeded param %q", c.e.StatusCode, c.e.Code, c.e.Param, c.param)
		}
	}
}
