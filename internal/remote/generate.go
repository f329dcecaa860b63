package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"time"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
)

// maxTopLogprobs is the OpenAI API's limit on top_logprobs.
const maxTopLogprobs = 20

// errIdle is the cancellation cause when a stream goes silent.
var errIdle = errors.New("stream idle")

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type jsonSchemaFormat struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Strict bool            `json:"strict"`
}

type responseFormat struct {
	Type       string            `json:"type"`
	JSONSchema *jsonSchemaFormat `json:"json_schema,omitempty"`
}

// apiRequest is the body of /v1/chat/completions and /v1/completions.
// top_k, min_p, repeat_penalty and repeat_last_n are llama.cpp/Ollama
// extensions, sent only when they change the server's default behaviour.
type apiRequest struct {
	Model            string          `json:"model"`
	Messages         []llm.Message   `json:"messages,omitempty"`
	Prompt           *string         `json:"prompt,omitempty"`
	Stream           bool            `json:"stream"`
	StreamOptions    *streamOptions  `json:"stream_options,omitempty"`
	MaxTokens        int             `json:"max_tokens,omitempty"`
	Temperature      float32         `json:"temperature"`
	TopP             float32         `json:"top_p"`
	TopK             int             `json:"top_k,omitempty"`
	MinP             float32         `json:"min_p,omitempty"`
	RepeatPenalty    float32         `json:"repeat_penalty,omitempty"`
	RepeatLastN      int             `json:"repeat_last_n,omitempty"`
	PresencePenalty  float32         `json:"presence_penalty,omitempty"`
	FrequencyPenalty float32         `json:"frequency_penalty,omitempty"`
	Seed             uint32          `json:"seed"`
	Stop             []string        `json:"stop,omitempty"`
	Logprobs         any             `json:"logprobs,omitempty"` // bool (chat) or int (completions)
	TopLogprobs      int             `json:"top_logprobs,omitempty"`
	ResponseFormat   *responseFormat `json:"response_format,omitempty"`
	// JSONSchema is llama.cpp's native constraint field, also sent on
	// /v1/completions, where not every server reads response_format.
	JSONSchema json.RawMessage `json:"json_schema,omitempty"`
}

func finite(xs ...float32) bool {
	for _, x := range xs {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

func validateRequest(req llm.Request) error {
	switch {
	case len(req.Messages) == 0 && req.Prompt == "":
		return errors.New("request has neither messages nor a prompt")
	case len(req.Messages) > 0 && req.Prompt != "":
		return errors.New("request has both messages and a prompt")
	case req.MaxTokens < 0 || req.MaxTokens > MaxTokenLimit:
		return fmt.Errorf("max_tokens %d out of range 0..%d", req.MaxTokens, MaxTokenLimit)
	case req.TopLogprobs < 0 || req.TopLogprobs > maxTopLogprobs:
		return fmt.Errorf("top_logprobs %d out of range 0..%d", req.TopLogprobs, maxTopLogprobs)
	}
	p := req.Sampling
	if !finite(p.Temperature, p.TopP, p.MinP, p.RepeatPenalty, p.PresencePenalty, p.FrequencyPenalty) {
		return errors.New("sampling parameters must be finite numbers")
	}
	if p.Temperature < 0 || p.TopP < 0 || p.TopP > 1 || p.MinP < 0 || p.MinP > 1 || p.TopK < 0 || p.RepeatPenalty < 0 {
		return fmt.Errorf("sampling parameters out of range: %+v", p)
	}
	return nil
}

var schemaNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// schemaJSON encodes a schema for the request body.
func schemaJSON(s *jsonschema.Schema) json.RawMessage {
	b, err := s.MarshalJSON()
	if err != nil { // unreachable: a parsed or built schema holds plain values
		panic(fmt.Sprintf("remote: marshal schema: %v", err))
	}
	return b
}

// schemaName is the json_schema name: the schema's title when usable.
func schemaName(schema []byte) string {
	var s struct {
		Title string `json:"title"`
	}
	if json.Unmarshal(schema, &s) == nil && schemaNameRE.MatchString(s.Title) {
		return s.Title
	}
	return "plume_output"
}

func (c *Client) buildBody(req llm.Request) ([]byte, string) {
	p := req.Sampling
	body := apiRequest{
		Model:            c.cfg.Model,
		Stream:           true,
		StreamOptions:    &streamOptions{IncludeUsage: true},
		MaxTokens:        req.MaxTokens,
		Temperature:      p.Temperature,
		TopP:             p.TopP,
		TopK:             p.TopK,
		MinP:             p.MinP,
		PresencePenalty:  p.PresencePenalty,
		FrequencyPenalty: p.FrequencyPenalty,
		// llama.cpp seeds are 32-bit; the low bits of Plume's seed are used.
		Seed: uint32(p.Seed),
		Stop: req.Stop,
	}
	if p.RepeatPenalty != 1 && p.RepeatPenalty != 0 {
		body.RepeatPenalty, body.RepeatLastN = p.RepeatPenalty, p.RepeatLastN
	}
	var schema json.RawMessage
	if req.JSONSchema != nil {
		schema = schemaJSON(req.JSONSchema)
		body.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchemaFormat{
			Name: schemaName(schema), Schema: schema, Strict: true}}
	}
	url := c.apiBase + "/chat/completions"
	if req.Prompt != "" {
		url = c.apiBase + "/completions"
		prompt := req.Prompt
		body.Prompt = &prompt
		body.JSONSchema = schema
		if req.TopLogprobs > 0 {
			body.Logprobs = req.TopLogprobs
		}
	} else {
		body.Messages = req.Messages
		if req.TopLogprobs > 0 {
			body.Logprobs, body.TopLogprobs = true, req.TopLogprobs
		}
	}
	data, err := json.Marshal(body)
	if err != nil { // unreachable: every field is a plain, validated value
		panic(fmt.Sprintf("remote: marshal request: %v", err))
	}
	return data, url
}

// Generate streams one completion. With Request.JSONSchema the server is
// asked for json_schema output; the answer is not validated here (the
// caller validates, and repairs, once for every backend). Cancelling ctx
// returns the text so far with FinishReason "cancelled" and an error
// wrapping ctx.Err().
func (c *Client) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	if err := validateRequest(req); err != nil {
		return llm.Result{}, fmt.Errorf("remote: %w", requestError{err})
	}
	return c.stream(ctx, req, onToken)
}

// stream sends one request and reads its event stream.
func (c *Client) stream(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	body, url := c.buildBody(req)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	start := time.Now()
	resp, err := c.post(ctx, url, body, true)
	if err != nil {
		return llm.Result{}, err
	}
	defer resp.Body.Close()
	idle := time.AfterFunc(c.idle, func() { cancel(errIdle) })
	defer idle.Stop()
	acc := &accumulator{onToken: onToken}
	first := true
	err = readSSE(resp.Body, func() { idle.Reset(c.idle) }, func(data []byte) error {
		if first {
			acc.res.PromptMillis = float64(time.Since(start).Microseconds()) / 1000
			first = false
		}
		return acc.handle(data)
	})
	acc.res.Text = acc.text.String()
	acc.res.GenMillis = float64(time.Since(start).Microseconds())/1000 - acc.res.PromptMillis
	if !acc.usage {
		acc.res.CompletionTokens = len(acc.res.Tokens)
	}
	switch {
	case errors.Is(err, errStreamDone) || (errors.Is(err, io.ErrUnexpectedEOF) && acc.finished):
		if acc.res.FinishReason == "" {
			acc.res.FinishReason = "stop"
		}
		return acc.res, nil
	case acc.cbErr != nil:
		return acc.res, acc.cbErr // the caller's own error, as llm.Generator promises
	case errors.Is(context.Cause(ctx), errIdle):
		return acc.res, fmt.Errorf("remote: %w for %v", ErrIdle, c.idle)
	case ctx.Err() != nil:
		acc.res.FinishReason = "cancelled"
		return acc.res, fmt.Errorf("remote: generation stopped: %w", context.Cause(ctx))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return acc.res, fmt.Errorf("remote: stream ended before a finish_reason or [DONE]: %w", err)
	}
	return acc.res, fmt.Errorf("remote: reading stream: %w", err)
}
