package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
)

// chatRequest is the part of OpenAI's chat completion request that Plume
// understands. Unknown fields are ignored, as OpenAI's clients send many.
type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options"`
	Logprobs            bool            `json:"logprobs"`
	TopLogprobs         *int            `json:"top_logprobs"`
	ResponseFormat      *responseFormat `json:"response_format"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	samplingFields
}

// completionRequest is OpenAI's legacy completion request.
type completionRequest struct {
	Model         string          `json:"model"`
	Prompt        json.RawMessage `json:"prompt"` // a string or an array of one string
	Stream        bool            `json:"stream"`
	StreamOptions *streamOptions  `json:"stream_options"`
	Logprobs      *int            `json:"logprobs"` // alternatives per token, 0..5 in OpenAI's API
	Echo          bool            `json:"echo"`
	Suffix        *string         `json:"suffix"`
	samplingFields
}

// samplingFields are shared by both requests.
type samplingFields struct {
	Temperature      *float64        `json:"temperature"`
	TopP             *float64        `json:"top_p"`
	MaxTokens        *int            `json:"max_tokens"`
	Seed             *int64          `json:"seed"`
	Stop             json.RawMessage `json:"stop"` // a string or an array of strings
	N                *int            `json:"n"`
	PresencePenalty  *float64        `json:"presence_penalty"`
	FrequencyPenalty *float64        `json:"frequency_penalty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type responseFormat struct {
	Type       string `json:"type"` // text, json_object, json_schema
	JSONSchema *struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict *bool           `json:"strict"`
	} `json:"json_schema"`
}

// chatMessage is one message; content is a string or an array of text
// parts.
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// maxCompletionLogprobs is OpenAI's cap on /v1/completions logprobs.
const maxCompletionLogprobs = 5

// jsonObjectSchema is the grammar of response_format json_object: any JSON
// object (an object without properties compiles to free-form JSON, nested
// at most sample.MaxFreeDepth levels).
var jsonObjectSchema = jsonschema.MustParse(`{"type":"object"}`)

// sampling validates the shared fields and fills req's sampling settings,
// stop strings and token budget.
func (f *samplingFields) sampling(req *llm.Request, maxTokens *int) error {
	if f.N != nil && *f.N != 1 {
		return badRequest("n", "n must be 1 (one choice per request)")
	}
	p := sample.DefaultParams()
	if err := floatIn("temperature", f.Temperature, 0, 2, &p.Temperature); err != nil {
		return err
	}
	if err := floatIn("top_p", f.TopP, 0, 1, &p.TopP); err != nil {
		return err
	}
	if err := floatIn("presence_penalty", f.PresencePenalty, -2, 2, &p.PresencePenalty); err != nil {
		return err
	}
	if err := floatIn("frequency_penalty", f.FrequencyPenalty, -2, 2, &p.FrequencyPenalty); err != nil {
		return err
	}
	if f.Seed != nil {
		p.Seed = uint64(*f.Seed)
	} else {
		p.Seed = rand.Uint64() // no seed asked for: a fresh one, like OpenAI
	}
	req.Sampling = p
	if maxTokens == nil {
		maxTokens = f.MaxTokens
	}
	if maxTokens != nil {
		if *maxTokens < 1 || *maxTokens > MaxCompletionTokens {
			return badRequest("max_tokens", "max_tokens is %d, want 1..%d", *maxTokens, MaxCompletionTokens)
		}
		req.MaxTokens = *maxTokens
	}
	stops, err := stringOrList("stop", f.Stop, engine.MaxStopStrings)
	if err != nil {
		return err
	}
	for _, s := range stops {
		if s == "" || len(s) > engine.MaxStopLen {
			return badRequest("stop", "a stop string is %d bytes, want 1..%d", len(s), engine.MaxStopLen)
		}
	}
	req.Stop = stops
	return nil
}

// floatIn sets *dst from v when v is given and in [lo, hi].
func floatIn(name string, v *float64, lo, hi float64, dst *float32) error {
	if v == nil {
		return nil
	}
	if math.IsNaN(*v) || *v < lo || *v > hi {
		return badRequest(name, "%s is %v, want %v..%v", name, *v, lo, hi)
	}
	*dst = float32(*v)
	return nil
}

// stringOrList decodes a field that is a string or an array of at most max
// strings (null or absent: none).
func stringOrList(name string, raw json.RawMessage, max int) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badRequest(name, "%s must be a string or an array of strings", name)
	}
	if len(list) > max {
		return nil, badRequest(name, "%s has %d entries, limit %d", name, len(list), max)
	}
	return list, nil
}

// toLLM validates a chat request and translates it.
func (c *chatRequest) toLLM() (llm.Request, error) {
	var req llm.Request
	if len(c.Messages) == 0 {
		return req, badRequest("messages", "messages is empty")
	}
	if len(c.Messages) > MaxMessages {
		return req, badRequest("messages", "%d messages, limit %d", len(c.Messages), MaxMessages)
	}
	req.Messages = make([]llm.Message, len(c.Messages))
	for i, m := range c.Messages {
		text, err := messageText(m.Content)
		if err != nil {
			return req, badRequest(fmt.Sprintf("messages[%d].content", i), "%v", err)
		}
		if len(text) > MaxMessageBytes {
			return req, badRequest(fmt.Sprintf("messages[%d].content", i), "message is %d bytes, limit %d", len(text), MaxMessageBytes)
		}
		switch m.Role {
		case "system", "user", "assistant":
		case "developer": // OpenAI's newer name for system
			m.Role = "system"
		default:
			return req, badRequest(fmt.Sprintf("messages[%d].role", i), "role %q is not supported (system, developer, user, assistant)", m.Role)
		}
		req.Messages[i] = llm.Message{Role: m.Role, Content: text}
	}
	if err := c.sampling(&req, c.MaxCompletionTokens); err != nil {
		return req, err
	}
	req.Logprobs = c.Logprobs
	if c.TopLogprobs != nil {
		if !c.Logprobs {
			return req, badRequest("top_logprobs", "top_logprobs needs logprobs: true")
		}
		if *c.TopLogprobs < 0 || *c.TopLogprobs > engine.MaxTopLogprobs {
			return req, badRequest("top_logprobs", "top_logprobs is %d, want 0..%d", *c.TopLogprobs, engine.MaxTopLogprobs)
		}
		req.TopLogprobs = *c.TopLogprobs
	}
	schema, err := c.ResponseFormat.schema()
	if err != nil {
		return req, err
	}
	req.JSONSchema = schema
	return req, nil
}

// messageText returns a message's content: a string, or the text of an
// array of {"type":"text","text":…} parts.
func messageText(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("content must be a string or an array of text parts")
	}
	var b bytes.Buffer
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("content part of type %q is not supported (text only)", p.Type)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// schema returns the JSON schema a response format asks for (nil for text)
// after checking that the grammar can enforce it.
func (f *responseFormat) schema() (*jsonschema.Schema, error) {
	if f == nil {
		return nil, nil
	}
	switch f.Type {
	case "", "text":
		return nil, nil
	case "json_object":
		return jsonObjectSchema, nil
	case "json_schema":
		if f.JSONSchema == nil || len(f.JSONSchema.Schema) == 0 {
			return nil, badRequest("response_format.json_schema.schema", "json_schema needs a schema")
		}
		return checkSchema(f.JSONSchema.Schema)
	}
	return nil, badRequest("response_format.type", "response_format type %q is not supported (text, json_object, json_schema)", f.Type)
}

// checkSchema parses a request's schema with the one JSON Schema package
// and compiles it as the engine will, failing with a 400 that names the
// keyword the grammar cannot enforce (jsonschema.UnsupportedError), so that
// a request never gets an unconstrained answer to a constrained question.
// The compile runs against a one-token vocabulary: the compiler, not the
// vocabulary, decides what is supported.
func checkSchema(doc []byte) (*jsonschema.Schema, error) {
	const field = "response_format.json_schema.schema"
	sch, err := jsonschema.Parse(doc)
	var unsupported *jsonschema.UnsupportedError
	switch {
	case errors.As(err, &unsupported):
		return nil, badRequest(field, "keyword %q at %s is not supported by the grammar", unsupported.Keyword, unsupported.Path)
	case err != nil:
		return nil, badRequest(field, "%v", err)
	}
	if _, err := sample.NewJSONSchema(sch, [][]byte{[]byte("{")}, nil); err != nil {
		return nil, badRequest(field, "%v", err)
	}
	return sch, nil
}

// toLLM validates a completion request and translates it.
func (c *completionRequest) toLLM() (llm.Request, error) {
	var req llm.Request
	prompts, err := stringOrList("prompt", c.Prompt, MaxPromptStrings)
	if err != nil {
		return req, err
	}
	if len(prompts) != 1 || prompts[0] == "" {
		return req, badRequest("prompt", "prompt must be one non-empty string")
	}
	if len(prompts[0]) > MaxMessageBytes {
		return req, badRequest("prompt", "prompt is %d bytes, limit %d", len(prompts[0]), MaxMessageBytes)
	}
	req.Prompt = prompts[0]
	if c.Suffix != nil && *c.Suffix != "" {
		return req, badRequest("suffix", "suffix (fill-in-the-middle) is not supported")
	}
	var maxTokens *int
	if c.promptOnly() {
		one := 1 // passes the check; nothing is generated
		maxTokens = &one
	}
	if err := c.sampling(&req, maxTokens); err != nil {
		return req, err
	}
	if c.Logprobs != nil {
		if *c.Logprobs < 0 || *c.Logprobs > maxCompletionLogprobs {
			return req, badRequest("logprobs", "logprobs is %d, want 0..%d", *c.Logprobs, maxCompletionLogprobs)
		}
		req.TopLogprobs, req.Logprobs = *c.Logprobs, true
	}
	return req, nil
}

// promptOnly reports echo with max_tokens 0: the prompt is echoed (and
// scored, with logprobs) and nothing is generated, as OpenAI's API did for
// scoring a text.
func (c *completionRequest) promptOnly() bool {
	return c.Echo && c.MaxTokens != nil && *c.MaxTokens == 0
}
