package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// openAIFake is an in-process OpenAI-compatible server: /props reports the
// context, /v1/chat/completions streams answers from a synthetic generator
// (JSON from the response_format schema when one is given), with logprobs.
type openAIFake struct {
	mu          sync.Mutex
	schemas     int
	streams     int
	breakSchema int // the first n structured answers are invalid JSON
}

func (f *openAIFake) handler(t *testing.T) http.Handler {
	gen := &fakegen.Generator{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/props":
			fmt.Fprint(w, `{"default_generation_settings":{"n_ctx":8192}}`)
			return
		case "/v1/chat/completions":
		default:
			http.NotFound(w, r)
			return
		}
		var body struct {
			Messages       []llm.Message `json:"messages"`
			Stream         bool          `json:"stream"`
			MaxTokens      int           `json:"max_tokens"`
			Seed           uint64        `json:"seed"`
			ResponseFormat *struct {
				JSONSchema struct {
					Schema json.RawMessage `json:"schema"`
				} `json:"json_schema"`
			} `json:"response_format"`
		}
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := llm.Request{Messages: body.Messages, MaxTokens: body.MaxTokens}
		req.Sampling.Seed = body.Seed
		if body.ResponseFormat != nil {
			s, err := jsonschema.Parse(body.ResponseFormat.JSONSchema.Schema)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			req.JSONSchema = s
		}
		f.mu.Lock()
		broken := false
		if body.ResponseFormat != nil {
			f.schemas++
			broken = f.schemas <= f.breakSchema
		}
		if body.Stream {
			f.streams++
		}
		f.mu.Unlock()
		res, err := gen.Generate(r.Context(), req, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if broken {
			res.Tokens = []llm.Token{{Text: `{"title": "unfinished`}}
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, tok := range res.Tokens {
			chunk, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"index": 0,
				"delta":    map[string]any{"content": tok.Text},
				"logprobs": map[string]any{"content": []any{map[string]any{"token": tok.Text, "logprob": tok.Logprob, "top_logprobs": []any{}}}}}}})
			fmt.Fprintf(w, "data: %s\n\n", chunk)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n")
		fmt.Fprintf(w, `data: {"choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d}}`+"\n\n", res.PromptTokens, len(res.Tokens))
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
}

func TestWriteRemoteBackend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := testDeps(filepath.Join(dir, library.FileName))

	fake := &openAIFake{breakSchema: 1}
	srv := httptest.NewServer(fake.handler(t))
	defer srv.Close()
	out := filepath.Join(dir, "out")
	_, stderr, err := execute(t, newWriteCmd(d), "Remote compost", "--backend", "openai", "--base-url", srv.URL,
		"--model", "fake-model", "--seed", "5", "--words", "300", "--out", out)
	if err != nil {
		t.Fatalf("remote write: %v\n%s", err, stderr)
	}
	if fake.streams == 0 || fake.schemas < 3 {
		t.Errorf("streams = %d, structured requests = %d", fake.streams, fake.schemas)
	}
	mans, _ := filepath.Glob(filepath.Join(out, "*.plume.json"))
	if len(mans) != 1 {
		t.Fatalf("manifests: %v", mans)
	}
	data, _ := os.ReadFile(mans[0])
	m, err := writer.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Model.Backend, "openai:"+srv.URL) || m.Model.Ref != "fake-model" || m.Model.ContextLength != 8192 {
		t.Errorf("manifest model: %+v", m.Model)
	}
	// The broken first structured answer was repaired (by the writer's
	// repair loop, the one for every backend), and the article is complete.
	if len(m.Confidence) == 0 || m.Article.Words == 0 {
		t.Errorf("manifest: %d confidences, %d words", len(m.Confidence), m.Article.Words)
	}
}
