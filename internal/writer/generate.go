package writer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/prompts"
)

// MaxRepairs bounds the repair retries of a structured step whose answer
// does not validate (remote servers that ignore json_schema, or an answer
// cut by the token limit). This is Plume's one repair loop: the generators
// (engine, remote) never validate or retry. Two retries fix nearly all such answers; more
// would loop on a model that cannot follow the schema.
const MaxRepairs = 2

// stageIndex gives each stage a fixed place in the seed derivation.
var stageIndex = map[string]uint64{
	StageBrief: 1, StageOutline: 2, StageDraft: 3, StageReview: 4, StageRevise: 5, StageMetadata: 6, StageCite: 7,
}

// callSeed derives the seed of one call from the user's seed and the call's
// fixed position (stage, part, attempt) with SplitMix64, so that a resumed
// run samples exactly like an uninterrupted one.
func callSeed(seed uint64, stage string, part, attempt int) uint64 {
	x := seed ^ stageIndex[stage]<<56 ^ uint64(part+1)<<24 ^ uint64(attempt)
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// callSpec describes one generation.
type callSpec struct {
	Stage    string
	Part     int
	Attempt  int
	Messages []Message
	Schema   *jsonschema.Schema
	Max      int
	Stream   bool // drafting: stream tokens to the terminal
	Logprobs bool // drafting: keep per-sentence confidence
}

// call runs one generation, records it in the state and returns its result.
func (r *run) call(ctx context.Context, spec callSpec) (llm.Result, error) {
	msgs := make([]llm.Message, len(spec.Messages))
	for i, m := range spec.Messages {
		msgs[i] = llm.Message{Role: m.Role, Content: m.Content, Tokens: m.Tokens}
	}
	params := r.st.Options.Sampling
	params.Seed = callSeed(r.st.Options.Seed, spec.Stage, spec.Part, spec.Attempt)
	req := llm.Request{Messages: msgs, MaxTokens: spec.Max, Sampling: params, JSONSchema: spec.Schema}
	if r.p.Watermark != nil {
		req.Watermark = r.p.Watermark
	}
	if spec.Logprobs {
		req.TopLogprobs = 1
	}
	start := time.Now()
	prog := r.newTokenProgress(spec)
	res, err := r.p.Gen.Generate(ctx, req, func(t llm.Token) error {
		if spec.Stream && r.p.Stream != nil && t.Text != "" {
			if _, err := r.p.Stream.Write([]byte(t.Text)); err != nil {
				return fmt.Errorf("stream: %w", err)
			}
		}
		prog.token(t)
		return nil
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		// No "generate:" here: the generators name their own failure
		// (the engine says "generate: …", the remote client "remote: …").
		return res, fmt.Errorf("%s: %w", spec.Stage, err)
	}
	c := Call{
		Stage: spec.Stage, Part: spec.Part, Attempt: spec.Attempt, Seed: params.Seed,
		Messages: spec.Messages, JSONSchema: schemaText(spec.Schema), MaxTokens: spec.Max, Sampling: params,
		PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens,
		FinishReason: res.FinishReason, Output: res.Text, OutputTokens: res.TextTokens,
	}
	if spec.Logprobs {
		c.Sentences = sentenceConfidence(spec.Part, res.Tokens)
	}
	r.st.Calls = append(r.st.Calls, c)
	r.st.Timings = append(r.st.Timings, Timing{
		Stage: spec.Stage, Part: spec.Part, Attempt: spec.Attempt,
		PromptMS: res.PromptMillis, GenMS: res.GenMillis, WallMS: float64(time.Since(start).Microseconds()) / 1000,
		PromptTokens: res.PromptTokens, PromptEvaluated: res.PromptEvaluated,
	})
	e := Event{Type: EventCall, Stage: spec.Stage, Tokens: res.CompletionTokens,
		PromptTokens: res.PromptTokens, PromptEvaluated: res.PromptEvaluated}
	if spec.Part >= 0 {
		e.Part, e.Parts = spec.Part+1, len(r.st.Parts)
	}
	r.emit(e)
	return res, nil
}

// structured runs a JSON step: generation under the schema, validation, a
// decode into out and check(out); a failure is answered with a repair prompt
// (the bad answer and the error), at most MaxRepairs times. Attempts are
// numbered from spec.Attempt, so that each review pass has its own seeds.
func (r *run) structured(ctx context.Context, spec callSpec, out any, check func() error) error {
	base, first := spec.Messages, spec.Attempt
	var lastErr error
	for attempt := 0; attempt <= MaxRepairs; attempt++ {
		spec.Attempt = first + attempt
		res, err := r.call(ctx, spec)
		if err != nil {
			return err
		}
		lastErr = decodeValid(spec.Schema, res.Text, out, check)
		if lastErr == nil {
			return nil
		}
		r.warn(fmt.Sprintf("%s: answer %d is not valid (%v); asking for a repair", spec.Stage, attempt+1, lastErr))
		spec.Messages, err = r.repairMessages(base, res.Text, lastErr, spec.Max)
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: %w after %d repairs: %w", spec.Stage, ErrNoValidJSON, MaxRepairs, lastErr)
}

// ErrNoValidJSON: a structured answer was still invalid after MaxRepairs
// repairs.
var ErrNoValidJSON = errors.New("no valid JSON")

// schemaText is a schema as the manifest records it ("" for none).
func schemaText(s *jsonschema.Schema) string {
	if s == nil {
		return ""
	}
	b, err := s.MarshalJSON()
	if err != nil { // unreachable: the writer's schemas are built from plain values
		panic(fmt.Sprintf("writer: schema does not marshal: %v", err))
	}
	return string(b)
}

// decodeValid validates text against sch, trims the strings closed at their
// length limit back to whole words (trimCutWords; a string then under its
// minimum fails, so that the repair loop asks again), decodes it into out and
// runs check.
func decodeValid(sch *jsonschema.Schema, text string, out any, check func() error) error {
	if err := sch.Validate([]byte(text)); err != nil {
		return err
	}
	text, cut, err := trimCutWords(sch, text)
	if err != nil {
		return err
	}
	if len(cut) > 0 {
		if err := sch.Validate([]byte(text)); err != nil {
			return &cutWordsError{err: err, cut: cut}
		}
	}
	if err := json.Unmarshal([]byte(text), out); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if check != nil {
		return check()
	}
	return nil
}

// errBlank is returned by checks for strings that are only white space.
var errBlank = errors.New("blank text where content is required")

// repairQuoteChars are the lengths the bad answer is quoted at in a repair
// prompt, longest first, until the prompt fits the context.
var repairQuoteChars = []int{2000, 800, 300, 100}

// repairMessages builds the repair request: the original prompt, the bad
// answer (cut to fit) and the error. If no quote fits, the original prompt
// is sent again (with the next attempt's seed).
func (r *run) repairMessages(base []Message, bad string, bErr error, maxTokens int) ([]Message, error) {
	window := contextLength(r.p.Gen)
	for _, n := range repairQuoteChars {
		quote := cutRunes(bad, n)
		repair, err := prompts.Render(r.st.Options.Lang, prompts.Repair, map[string]any{"Error": cutRunes(repairProblem(r.st.Options.Lang, bErr), 300), "Text": quote})
		if err != nil {
			return nil, err
		}
		msgs := append(append(append([]Message(nil), base...),
			Message{Role: "assistant", Content: quote}), Message{Role: "user", Content: repair})
		tokens, err := countMessages(r.p.Gen, msgs)
		if err != nil {
			return nil, err
		}
		if tokens+maxTokens <= window {
			return msgs, nil
		}
	}
	return base, nil
}
