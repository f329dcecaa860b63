package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/plumewriter/plume/internal/chat"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
)

// Request limits, checked before any work.
const (
	// MaxStopStrings and MaxStopLen bound the stop-string scan per token.
	MaxStopStrings = 16
	MaxStopLen     = 256
)

// errStopped ends a generation from inside the token callback.
var errStopped = errors.New("stop string reached")

// Generator adapts a Model to llm.Generator. It keeps one session, so
// requests sharing a prompt prefix with one of the sequences in its prompt
// cache (same system prompt, brief and outline) reuse their K/V. Calls are
// serialized.
type Generator struct {
	m     *Model
	mu    sync.Mutex
	sess  *Session
	vocab *sample.Vocab // grammar trie, built on first JSON-schema request
	// ctxLen is the session's KV size set by SetContextLength (0: the
	// model's ContextLength).
	ctxLen atomic.Int64
}

var _ llm.Generator = (*Generator)(nil)

// Generator returns an llm.Generator over m.
func (m *Model) Generator() llm.Generator { return &Generator{m: m} }

// Model returns the model g runs, so that a server can open one generator
// (one session) per slot from the model a caller opened.
func (g *Generator) Model() *Model { return g.m }

// Info describes the model.
func (g *Generator) Info() llm.ModelInfo {
	info := g.m.Info()
	info.ContextLength = g.contextLength()
	return info
}

// Warnings returns the model's warnings (see Model.Warnings).
func (g *Generator) Warnings() []string { return g.m.Warnings() }

// CountTokens returns the number of tokens of text (special tokens parsed,
// no BOS).
func (g *Generator) CountTokens(text string) (int, error) {
	ids, err := g.m.tok.Encode(text, false, true)
	return len(ids), err
}

// Prompt renders and tokenizes a request's prompt: Messages through the
// model's chat template, or the raw Prompt.
func (m *Model) Prompt(req llm.Request) ([]int32, error) {
	tok := m.tok
	if len(req.Messages) == 0 {
		return tok.Encode(req.Prompt, tok.AddBOS(), false)
	}
	bos, eos := "", ""
	if tok.BOS() >= 0 {
		bos = tok.Piece(tok.BOS())
	}
	if tok.EOS() >= 0 {
		eos = tok.Piece(tok.EOS())
	}
	tmpl, opts := m.chatTemplate().Template, chat.Options{AddGenerationPrompt: true, BOS: bos, EOS: eos}
	text, err := tmpl.Render(req.Messages, opts)
	if err != nil {
		return nil, err // "chat template: …"
	}
	// Templates that write the BOS text themselves must not get a second one.
	addBOS := tok.AddBOS() && !(bos != "" && strings.HasPrefix(text, bos))
	ids, err := tok.Encode(text, addBOS, true)
	if err != nil {
		return nil, err
	}
	// Assistant turns with the ids the engine generated are read back as
	// those ids (splice.go).
	if spliced, ok := splice(tok, tmpl, req.Messages, opts, text, addBOS, ids); ok {
		return spliced, nil
	}
	return ids, nil
}

// Generate runs one request. Streamed token texts concatenate to
// Result.Text except for a tail held back at the end (the start of a stop
// string that never completed, or an incomplete UTF-8 sequence).
func (g *Generator) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var res llm.Result
	if len(req.Stop) > MaxStopStrings {
		return res, fmt.Errorf("generate: %d stop strings, max %d", len(req.Stop), MaxStopStrings)
	}
	for _, s := range req.Stop {
		if s == "" || len(s) > MaxStopLen {
			return res, fmt.Errorf("generate: stop string length %d, want 1..%d", len(s), MaxStopLen)
		}
	}
	prompt, err := g.m.Prompt(req)
	if err != nil {
		return res, fmt.Errorf("generate: %w", err)
	}
	opts, err := g.options(req)
	if err != nil {
		return res, err
	}
	if g.sess == nil {
		if g.sess, err = g.m.newSessionLen(g.contextLength()); err != nil {
			return res, err
		}
	}
	res.PromptTokens = len(prompt)
	var text strings.Builder
	dec := g.m.tok.NewStreamDecoder()
	stop := &stopper{stops: req.Stop}
	var ids []int32 // the generated ids of the text, for Result.TextTokens
	emit := func(t llm.Token) error {
		text.WriteString(t.Text)
		res.Tokens = append(res.Tokens, t)
		if onToken != nil {
			return onToken(t)
		}
		return nil
	}
	st, err := g.sess.Generate(ctx, prompt, opts, func(o TokenOut) error {
		t := llm.Token{ID: o.ID, Logprob: o.Logprob, Top: g.tops(o.Top)}
		if g.m.tok.IsEOG(o.ID) { // reported, not part of the text
			return emit(t)
		}
		ids = append(ids, o.ID)
		piece, stopped := stop.add(dec.Add(o.ID))
		t.Text = piece
		if err := emit(t); err != nil {
			return err
		}
		if stopped {
			return errStopped
		}
		return nil
	})
	res.FinishReason = st.FinishReason
	if errors.Is(err, errStopped) {
		err, res.FinishReason = nil, "stop"
	} else {
		// Text held back (a partial stop string or UTF-8 sequence) ends the
		// result; it was not streamed.
		tail, stopped := stop.add(dec.Flush())
		text.WriteString(tail)
		if stopped {
			res.FinishReason = "stop"
		} else {
			text.WriteString(stop.flush())
		}
	}
	res.Text = text.String()
	res.TextTokens = textTokens(g.m.tok, ids, res.Text)
	res.CompletionTokens = st.Generated
	res.PromptEvaluated = st.PromptTokens
	res.PromptMillis = float64(st.PromptDuration.Microseconds()) / 1e3
	res.GenMillis = float64(st.GenDuration.Microseconds()) / 1e3
	if err != nil && ctx.Err() != nil {
		res.FinishReason = "cancelled"
	}
	return res, err
}

// options builds the sampler and grammar of a request.
func (g *Generator) options(req llm.Request) (GenerateOptions, error) {
	o := GenerateOptions{MaxTokens: req.MaxTokens, TopLogprobs: req.TopLogprobs, Logprobs: req.Logprobs, StopAtEOG: true}
	s, err := sample.New(req.Sampling, g.m.model.Config.Vocab)
	if err != nil {
		return o, fmt.Errorf("generate: %w", err)
	}
	s.SetWatermark(req.Watermark)
	o.Sampler = s
	if req.JSONSchema != nil {
		if g.vocab == nil {
			tb := make([][]byte, g.m.tok.VocabSize())
			for i := range tb {
				tb[i] = g.m.tok.TokenBytes(int32(i))
			}
			if g.vocab, err = sample.NewVocab(tb, g.m.tok.EOGs()); err != nil {
				return o, fmt.Errorf("generate: grammar vocabulary: %w", err)
			}
		}
		if o.Grammar, err = sample.NewJSONSchemaVocab(req.JSONSchema, g.vocab); err != nil {
			return o, fmt.Errorf("generate: %w", err)
		}
	}
	return o, nil
}

// tops converts alternatives, with their text.
func (g *Generator) tops(in []sample.TokenLogprob) []llm.TopLogprob {
	if len(in) == 0 {
		return nil
	}
	out := make([]llm.TopLogprob, len(in))
	for i, t := range in {
		out[i] = llm.TopLogprob{ID: t.ID, Text: string(g.m.tok.TokenBytes(t.ID)), Logprob: t.Logprob}
	}
	return out
}
