package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/llm"
)

// format turns engine output into one endpoint's JSON: chat completions or
// legacy completions.
type format interface {
	// chunk is the stream chunk of one token (nil: nothing to send).
	chunk(t llm.Token) any
	// last is the stream chunk carrying the finish reason.
	last(res llm.Result) any
	// usage is the stream chunk with usage only (stream_options.include_usage).
	usage(res llm.Result) any
	// full is the non-streamed response.
	full(res llm.Result) any
}

// job is one validated generation request.
type job struct {
	req          llm.Request
	stream       bool
	includeUsage bool
	out          format
	// scoreInto, when set, gets the prompt's scored tokens before the
	// completion (echo with logprobs); promptOnly skips the completion.
	scoreInto  *completionFormat
	promptOnly bool
}

// promptError names the request's prompt field ("prompt" on
// /v1/completions, "messages" on chat) in a prompt-too-long error.
func (j *job) promptError(err error) error {
	if !errors.Is(err, engine.ErrContextLength) {
		return err
	}
	e := apiError(err) // a new *Error for this kind
	if len(j.req.Messages) == 0 {
		e.Param = "prompt"
	}
	return e
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	var c chatRequest
	j, m, ok := s.prepare(w, r, &c)
	if !ok {
		return
	}
	j.out = &chatFormat{meta: newMeta("chatcmpl-", m.ID()), logprobs: c.Logprobs}
	s.run(w, r, j)
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	var c completionRequest
	j, m, ok := s.prepare(w, r, &c)
	if !ok {
		return
	}
	out := &completionFormat{meta: newMeta("cmpl-", m.ID()), logprobs: c.Logprobs != nil}
	j.out, j.promptOnly = out, c.promptOnly()
	if c.Echo {
		out.echo = j.req.Prompt
		if out.logprobs {
			j.scoreInto = out
		}
	}
	s.run(w, r, j)
}

// openaiRequest is a chat or a legacy completion request.
type openaiRequest interface {
	toLLM() (llm.Request, error)
	// common returns the fields both requests have.
	common() (model string, stream bool, opts *streamOptions)
}

func (c *chatRequest) common() (string, bool, *streamOptions) {
	return c.Model, c.Stream, c.StreamOptions
}

func (c *completionRequest) common() (string, bool, *streamOptions) {
	return c.Model, c.Stream, c.StreamOptions
}

// prepare decodes the body into c, validates and translates it and
// resolves its model: the job (without its format) and the model, or false
// when it has answered with the error.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request, c openaiRequest) (job, Model, bool) {
	if err := decodeBody(w, r, c); err != nil {
		writeError(w, s.log, err)
		return job{}, nil, false
	}
	req, err := c.toLLM()
	model, stream, opts := c.common()
	if err == nil {
		err = streamOnly(stream, opts)
	}
	var m Model
	if err == nil {
		m, err = s.resolveModel(model)
	}
	if err != nil {
		writeError(w, s.log, err)
		return job{}, nil, false
	}
	return job{req: req, stream: stream, includeUsage: opts != nil && opts.IncludeUsage}, m, true
}

// streamOnly refuses stream_options without stream, as OpenAI does.
func streamOnly(stream bool, o *streamOptions) error {
	if o != nil && !stream {
		return badRequest("stream_options", "stream_options needs stream: true")
	}
	return nil
}

// run waits for a slot, generates, and writes the response or the stream.
// A client that leaves while queued frees its place at once; while
// generating, the engine sees the cancelled context (or the failed write)
// before its next decode step.
func (s *Server) run(w http.ResponseWriter, r *http.Request, j job) {
	ctx := r.Context()
	start := time.Now()
	slot, gen, err := s.slots.acquire(ctx)
	if err != nil {
		if ctx.Err() == nil { // nobody to answer when the client left
			writeError(w, s.log, err)
		}
		return
	}
	defer s.slots.release(slot)
	ev := &sse{w: w, ctx: r.Context()}
	defer ev.close()
	first := true
	onToken := func(t llm.Token) error {
		if first {
			first = false
			s.metrics.ttft.Observe(time.Since(start).Seconds())
		}
		if !j.stream {
			return nil
		}
		if c := j.out.chunk(t); c != nil {
			return ev.send(c)
		}
		return nil
	}
	res, err := j.generate(ctx, gen, onToken)
	s.metrics.generation(res.PromptTokens, res.CompletionTokens, time.Duration(res.GenMillis*float64(time.Millisecond)))
	err = j.promptError(err)
	switch {
	case ctx.Err() != nil || errors.Is(err, errClientGone):
		return // the client left; its generation stopped with it
	case err != nil && !ev.started:
		writeError(w, s.log, err)
	case err != nil:
		e := apiError(err)
		if e.Type == typeServer {
			s.log.Error("generation failed mid-stream", "err", err)
		}
		_ = ev.send(map[string]*Error{"error": e})
	case j.stream:
		s.finishStream(ev, j, res)
	default:
		writeJSON(w, http.StatusOK, j.out.full(res))
	}
}

// finishStream sends the last chunks and [DONE].
func (s *Server) finishStream(ev *sse, j job, res llm.Result) {
	if ev.send(j.out.last(res)) != nil {
		return
	}
	if j.includeUsage && ev.send(j.out.usage(res)) != nil {
		return
	}
	ev.done()
}

// errClientGone is returned by the token callback when the stream cannot be
// written (the client disconnected): generation stops at once.
var errClientGone = errors.New("client disconnected")

// meta is what every response object of one request shares.
type meta struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	// SystemFingerprint names the engine, as OpenAI's names its backend.
	SystemFingerprint string `json:"system_fingerprint"`
}

func newMeta(prefix, model string) meta {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return meta{ID: prefix + hex.EncodeToString(b), Created: now().Unix(), Model: model, SystemFingerprint: "plume"}
}

func (m meta) as(object string) meta {
	m.Object = object
	return m
}

// usage is OpenAI's token accounting.
type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func usageOf(res llm.Result) *usage {
	return &usage{PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens,
		TotalTokens: res.PromptTokens + res.CompletionTokens}
}

// finishReason maps the engine's reason to OpenAI's ("stop" or "length").
func finishReason(res llm.Result) string {
	if res.FinishReason == "length" {
		return "length"
	}
	return "stop"
}
