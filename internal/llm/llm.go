package llm

import (
	"context"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/sample"
)

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
	// Tokens, on an assistant turn, are the token ids a local engine
	// generated for Content (Result.TextTokens of the call that wrote it):
	// a hint that lets the engine read the turn back as the sequence it
	// produced, so that its prompt cache matches through it, where the
	// text re-tokenized could give other ids. The engine uses the longest
	// run of leading ids that spells the start of Content (all of them
	// for an answer passed back as generated; fewer for one the caller
	// cut back) and tokenizes the rest; remote backends ignore them.
	// Never on the wire: an API client cannot send them.
	Tokens []int32 `json:"-"`
}

// Request asks for one completion. Either Messages (rendered with the model's
// chat template) or Prompt (raw text) is set.
type Request struct {
	Messages  []Message
	Prompt    string
	MaxTokens int
	Sampling  sample.Params
	// JSONSchema, when set, constrains the output to JSON valid under this
	// schema, parsed once by its maker (grammar-constrained decoding on the
	// local engine, response_format json_schema on remote backends). The
	// generators do not validate the answer: a remote server may ignore the
	// schema, and the caller (the writer) validates and repairs.
	JSONSchema *jsonschema.Schema
	Stop       []string
	// TopLogprobs asks for that many alternatives per generated token (0 = none).
	TopLogprobs int
	// Logprobs asks for each generated token's log-probability
	// (Token.Logprob; TopLogprobs > 0 implies it). Without it a local
	// engine may leave Logprob 0 and save a log-softmax over the
	// vocabulary per token.
	Logprobs bool
	// Watermark, when set, is the keyed bias the local engine's sampler
	// embeds in the output (internal/watermark); remote backends cannot
	// apply it and ignore it.
	Watermark sample.Watermark
}

// TopLogprob is one alternative token at a position.
type TopLogprob struct {
	ID      int32   `json:"id"`
	Text    string  `json:"text,omitempty"`
	Logprob float32 `json:"logprob"`
}

// Token is one generated token, reported as it is produced.
type Token struct {
	ID      int32        `json:"id"`
	Text    string       `json:"text"` // may be empty while a UTF-8 sequence is incomplete
	Logprob float32      `json:"logprob"`
	Top     []TopLogprob `json:"top_logprobs,omitempty"`
}

// Result is a finished completion.
type Result struct {
	Text         string  `json:"text"`
	Tokens       []Token `json:"tokens"`
	PromptTokens int     `json:"prompt_tokens"`
	// PromptEvaluated is how many of the prompt tokens were evaluated, the
	// others being reused from a prompt cache; 0 when the backend does not
	// say.
	PromptEvaluated  int     `json:"prompt_evaluated,omitempty"`
	CompletionTokens int     `json:"completion_tokens"`
	FinishReason     string  `json:"finish_reason"` // "stop", "length" or "cancelled"
	PromptMillis     float64 `json:"prompt_ms"`
	GenMillis        float64 `json:"gen_ms"`
	// TextTokens are the leading generated ids that spell the start of
	// Text exactly: all of them but the end-of-generation token, unless a
	// stop string cut the text or the model wrote bytes that are no
	// character (Text has U+FFFD there), where they stop. Set by the local
	// engine, nil from other backends. Passed back as Message.Tokens when
	// Text becomes an assistant turn.
	TextTokens []int32 `json:"-"`
}

// ModelInfo describes the model behind a Generator, for provenance.
type ModelInfo struct {
	Ref           string `json:"ref"`            // what the user asked for
	Path          string `json:"path,omitempty"` // local file, if any
	SHA256        string `json:"sha256,omitempty"`
	Commit        string `json:"commit,omitempty"` // Hugging Face repo commit, if known
	License       string `json:"license,omitempty"`
	Architecture  string `json:"architecture,omitempty"`
	ContextLength int    `json:"context_length"` // the window of this run's calls
	// TrainedContextLength is the model's own window (its GGUF
	// context_length), 0 when the backend does not say: a smaller
	// ContextLength was chosen (--ctx, memory), not the model's.
	TrainedContextLength int    `json:"trained_context_length,omitempty"`
	Backend              string `json:"backend"` // "plume" or "openai:<base url>"
	// Served describes a remote model as its server does (llama.cpp: build
	// and model file; Ollama: digest); "" for the local engine.
	Served string `json:"served,omitempty"`
	// ChatTemplateSHA256 is the sha256 of the chat template the prompts are
	// rendered with, "" when the backend does not tell it;
	// ChatTemplateSource says where it comes from ("gguf", "builtin:FAMILY",
	// a server endpoint, or "unknown").
	ChatTemplateSHA256 string `json:"chat_template_sha256,omitempty"`
	ChatTemplateSource string `json:"chat_template_source,omitempty"`
	EngineVersion      string `json:"engine_version,omitempty"`
}

// Generator produces text. Implementations must be safe for one caller at a
// time; onToken may be nil. A non-nil error from onToken stops generation and
// is returned. Cancelling ctx stops generation within one decode step.
type Generator interface {
	Generate(ctx context.Context, req Request, onToken func(Token) error) (Result, error)
	// CountTokens returns how many tokens the text takes, for context budgeting.
	CountTokens(text string) (int, error)
	Info() ModelInfo
}
