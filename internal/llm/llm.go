package llm

import (
	"context"

	"github.com/plumewriter/plume/internal/sample"
)

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// Request asks for one completion. Either Messages (rendered with the model's
// chat template) or Prompt (raw text) is set.
type Request struct {
	Messages  []Message
	Prompt    string
	MaxTokens int
	Sampling  sample.Params
	// JSONSchema, when non-empty, constrains the output to JSON valid under
	// this schema (grammar-constrained decoding on the local engine,
	// response_format json_schema on remote backends).
	JSONSchema []byte
	Stop       []string
	// TopLogprobs asks for that many alternatives per generated token (0 = none).
	TopLogprobs int
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
}

// ModelInfo describes the model behind a Generator, for provenance.
type ModelInfo struct {
	Ref           string `json:"ref"`            // what the user asked for
	Path          string `json:"path,omitempty"` // local file, if any
	SHA256        string `json:"sha256,omitempty"`
	Commit        string `json:"commit,omitempty"` // Hugging Face repo commit, if known
	License       string `json:"license,omitempty"`
	Architecture  string `json:"architecture,omitempty"`
	ContextLength int    `json:"context_length"`
	Backend       string `json:"backend"` // "plume" or "openai:<base url>"
	EngineVersion string `json:"engine_version,omitempty"`
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
