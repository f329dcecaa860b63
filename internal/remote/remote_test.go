package remote

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
)

func chatReq(text string) llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: "user", Content: text}}, MaxTokens: 32, Sampling: sample.DefaultParams()}
}

func TestStreamingChat(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		startSSE(w)
		sse(w, ": keep-alive comment\n\n")
		sse(w, "event: message\nid: 1\n")
		sse(w, chatChunk("Bon"))
		// "jour é" with the two bytes of é split across two writes
		raw := chatChunk("jour é")
		cut := strings.Index(raw, "é") + 1
		sse(w, raw[:cut])
		time.Sleep(20 * time.Millisecond)
		sse(w, raw[cut:])
		sse(w, "\n")                                                                            // keep-alive blank line
		sse(w, "data: {\"choices\":[{\"index\":0,\"delta\":\ndata: {\"content\":\"!\"}}]}\n\n") // multi-line data
		sse(w, finishChunk("length"))
		sse(w, `data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":4}}`+"\n\n")
		sse(w, "data: [DONE]\n\n")
	})
	t.Setenv("PLUME_TEST_KEY", "sk-secret-123")
	c := newClient(t, f.URL+"/v1/", func(c *Config) { c.APIKeyEnv = "PLUME_TEST_KEY" })
	req := chatReq("Salut")
	req.Stop = []string{"\n\n"}
	req.Sampling.Seed = 42
	req.Sampling.RepeatPenalty = 1.1
	var got []string
	res, err := c.Generate(context.Background(), req, func(tk llm.Token) error { got = append(got, tk.Text); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "Bonjour é!" || strings.Join(got, "|") != "Bon|jour é|!" {
		t.Fatalf("text %q tokens %q", res.Text, got)
	}
	if res.FinishReason != "length" || res.PromptTokens != 11 || res.CompletionTokens != 4 {
		t.Fatalf("result %+v", res)
	}
	if f.paths[0] != "POST /v1/chat/completions" || f.auth[0] != "Bearer sk-secret-123" {
		t.Fatalf("path %q auth %q", f.paths[0], f.auth[0])
	}
	b := f.body(0)
	want := map[string]any{"model": "test-model", "stream": true, "max_tokens": 32.0, "top_k": 40.0, "seed": 42.0,
		"repeat_penalty": 1.1, "repeat_last_n": 64.0, "min_p": 0.05, "temperature": 0.8, "top_p": 0.95}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("body[%s] = %v, want %v", k, b[k], v)
		}
	}
	if _, ok := b["response_format"]; ok {
		t.Error("response_format sent without a schema")
	}
	if stop, _ := b["stop"].([]any); len(stop) != 1 || stop[0] != "\n\n" {
		t.Errorf("stop = %v", b["stop"])
	}
}

func TestLogprobsChunks(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		startSSE(w)
		sse(w, `data: {"choices":[{"delta":{"content":"Hi there"},"logprobs":{"content":[`+
			`{"id":5,"token":"Hi","logprob":-0.1,"top_logprobs":[{"id":5,"token":"Hi","logprob":-0.1},{"id":9,"token":"Yo","logprob":-2.5}]},`+
			`{"id":6,"token":" there","logprob":-0.3,"top_logprobs":[]}]}}]}`+"\n\n")
		sse(w, finishChunk("stop"))
		sse(w, "data: [DONE]\n\n")
	})
	c := newClient(t, f.URL, nil)
	req := chatReq("x")
	req.TopLogprobs = 2
	res, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tokens) != 2 || res.Tokens[0].ID != 5 || res.Tokens[1].Text != " there" || res.Tokens[0].Top[1].Text != "Yo" {
		t.Fatalf("tokens %+v", res.Tokens)
	}
	if res.CompletionTokens != 2 {
		t.Errorf("completion tokens %d without usage, want 2", res.CompletionTokens)
	}
	if b := f.body(0); b["logprobs"] != true || b["top_logprobs"] != 2.0 {
		t.Errorf("logprobs fields: %v %v", b["logprobs"], b["top_logprobs"])
	}
}

func TestPromptUsesCompletions(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		startSSE(w)
		sse(w, `data: {"choices":[{"text":" upon","logprobs":{"tokens":[" upon"],"token_logprobs":[-0.5],"top_logprobs":[{" upon":-0.5," a":-1.5}]}}]}`+"\n\n")
		sse(w, `data: {"choices":[{"text":" a time","finish_reason":"stop"}]}`+"\n\n")
		// no [DONE]: the stream simply ends after a finish_reason
	})
	c := newClient(t, f.URL, nil)
	req := llm.Request{Prompt: "Once", MaxTokens: 8, Sampling: sample.DefaultParams(), TopLogprobs: 2}
	res, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != " upon a time" || res.FinishReason != "stop" || res.Tokens[0].Logprob != -0.5 || res.Tokens[0].Top[1].Text != " a" {
		t.Fatalf("result %+v", res)
	}
	if f.paths[0] != "POST /v1/completions" || f.body(0)["prompt"] != "Once" || f.body(0)["logprobs"] != 2.0 {
		t.Fatalf("request %s %v", f.paths[0], f.body(0))
	}
}

const titleSchema = `{"title":"article_meta","type":"object","properties":{"title":{"type":"string","minLength":3},"tags":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["title","tags"],"additionalProperties":false}`

// A schema goes to the server as response_format json_schema, as given
// (annotations kept), and the answer comes back as the server sent it, even
// when it does not validate: validation and repair are the caller's, once
// for every backend (one request, tokens streamed).
func TestJSONSchemaSentNotValidated(t *testing.T) {
	answer := `{"title": "Crêpes"}` // no "tags": invalid under titleSchema
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		streamAnswer(w, answer)
	})
	c := newClient(t, f.URL, nil)
	req := chatReq("Give metadata")
	req.JSONSchema = jsonschema.MustParse(titleSchema)
	var seen strings.Builder
	res, err := c.Generate(context.Background(), req, func(tk llm.Token) error { seen.WriteString(tk.Text); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != answer || seen.String() != answer || f.requests() != 1 {
		t.Fatalf("text %q, streamed %q, %d requests", res.Text, seen.String(), f.requests())
	}
	rf := f.body(0)["response_format"].(map[string]any)
	js := rf["json_schema"].(map[string]any)
	if rf["type"] != "json_schema" || js["name"] != "article_meta" || js["strict"] != true {
		t.Fatalf("response_format %v", rf)
	}
	sent, err := json.Marshal(js["schema"])
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal([]byte(titleSchema), &want); err != nil {
		t.Fatal(err)
	}
	if wantJSON, _ := json.Marshal(want); string(sent) != string(wantJSON) {
		t.Errorf("schema sent %s, want %s", sent, wantJSON)
	}
}

func TestHTTPErrors(t *testing.T) {
	cases := []struct {
		status   int
		env      string
		wantMsg  string
		requests int
	}{
		{http.StatusUnauthorized, "PLUME_TEST_KEY", "$PLUME_TEST_KEY was rejected", 1},
		{http.StatusForbidden, "", "--api-key-env", 1},
		{http.StatusNotFound, "", `model "test-model" or endpoint not found`, 1},
		{http.StatusBadRequest, "", "400 Bad Request: bad things", 1},
		{http.StatusInternalServerError, "", "gave up after 3 retries", MaxRetries + 1},
		{http.StatusServiceUnavailable, "", "503", MaxRetries + 1},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
				http.Error(w, "bad things", tc.status)
			})
			if tc.env != "" {
				t.Setenv(tc.env, "sk-secret-xyz")
			}
			c := newClient(t, f.URL, func(c *Config) { c.APIKeyEnv = tc.env })
			_, err := c.Generate(context.Background(), chatReq("x"), nil)
			// The kind is matched below; the message is what the user
			// reads: it names the key's variable, never the key.
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || strings.Contains(err.Error(), "sk-secret") {
				t.Errorf("%d: err %v, want %q", tc.status, err, tc.wantMsg)
			}
			var herr *HTTPError
			if !errors.As(err, &herr) || herr.Status != tc.status {
				t.Errorf("%d: not an *HTTPError: %v", tc.status, err)
			}
			if f.requests() != tc.requests {
				t.Errorf("%d: %d requests, want %d", tc.status, f.requests(), tc.requests)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		streamAnswer(w, "done")
	})
	c := newClient(t, f.URL, nil)
	start := time.Now()
	res, err := c.Generate(context.Background(), chatReq("x"), nil)
	if err != nil || res.Text != "done" {
		t.Fatalf("%q, %v", res.Text, err)
	}
	if el := time.Since(start); el < 900*time.Millisecond || el > 5*time.Second {
		t.Fatalf("retry after %v, want about 1s (Retry-After)", el)
	}
	if f.requests() != 2 {
		t.Fatalf("%d requests", f.requests())
	}
}

func TestCancelMidStream(t *testing.T) {
	disconnected := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		startSSE(w)
		sse(w, chatChunk("first"))
		for i := 0; ; i++ { // keep streaming until the client goes away
			select {
			case <-r.Context().Done():
				close(disconnected)
				return
			case <-time.After(10 * time.Millisecond):
				sse(w, ": tick\n\n")
			}
		}
	})
	c := newClient(t, f.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := c.Generate(ctx, chatReq("x"), func(tk llm.Token) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) || res.FinishReason != "cancelled" || res.Text != "first" {
		t.Fatalf("res %+v err %v", res, err)
	}
	select {
	case <-disconnected:
	case <-time.After(5 * time.Second):
		t.Fatal("server never saw the disconnect")
	}
}

func TestIdleTimeout(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		startSSE(w)
		sse(w, chatChunk("partial"))
		<-r.Context().Done() // then silence
	})
	c := newClient(t, f.URL, func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
	start := time.Now()
	res, err := c.Generate(context.Background(), chatReq("x"), nil)
	if !errors.Is(err, ErrIdle) || res.Text != "partial" {
		t.Fatalf("res %+v err %v", res, err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("idle timeout took %v", el)
	}
}

func TestStreamFailures(t *testing.T) {
	cases := []struct {
		name, raw, want string
	}{
		{"oversized line", "data: " + strings.Repeat("x", MaxSSELineBytes+10) + "\n\n", "over 1048576 bytes"},
		{"ends early", chatChunk("half"), "ended before a finish_reason"},
		{"bad json", "data: {nope\n\n", "bad stream chunk"},
		{"server error event", `data: {"error":{"message":"model crashed"}}` + "\n\n", "model crashed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
				startSSE(w)
				sse(w, tc.raw)
			})
			c := newClient(t, f.URL, nil)
			_, err := c.Generate(context.Background(), chatReq("x"), nil)
			// Each failure has its own message, naming what the server
			// did wrong: that message is what the user reads.
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
			}
		})
	}
}

func TestOnTokenErrorReturned(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) { streamAnswer(w, "x") })
	c := newClient(t, f.URL, nil)
	stop := errors.New("enough")
	if _, err := c.Generate(context.Background(), chatReq("x"), func(llm.Token) error { return stop }); err != stop {
		t.Fatalf("err %v, want the callback's error", err)
	}
}

func TestValidateRequest(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", nil)
	nan := chatReq("x")
	nan.Sampling.Temperature = float32(nanF())
	bad := []llm.Request{
		{}, {Prompt: "a", Messages: []llm.Message{{Role: "user"}}}, nan,
		func() llm.Request { r := chatReq("x"); r.MaxTokens = -1; return r }(),
		func() llm.Request { r := chatReq("x"); r.TopLogprobs = 99; return r }(),
		func() llm.Request { r := chatReq("x"); r.Sampling.TopP = 2; return r }(),
	}
	for i, r := range bad {
		if _, err := c.Generate(context.Background(), r, nil); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("case %d: err %v, want a validation error before any request", i, err)
		}
	}
}

func nanF() float64 { z := 0.0; return z / z }

// A prompt-only request carries the schema in llama.cpp's native
// json_schema field.
func TestPromptJSONSchema(t *testing.T) {
	answer := `{"title": "abc", "tags": []}`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		startSSE(w)
		sse(w, `data: {"choices":[{"text":`+strconv.Quote(answer)+`,"finish_reason":"stop"}]}`+"\n\n")
		sse(w, "data: [DONE]\n\n")
	})
	c := newClient(t, f.URL, nil)
	req := llm.Request{Prompt: "JSON: ", MaxTokens: 64, Sampling: sample.DefaultParams(), JSONSchema: jsonschema.MustParse(titleSchema)}
	res, err := c.Generate(context.Background(), req, nil)
	if err != nil || res.Text != answer || f.requests() != 1 {
		t.Fatalf("%q, %v, %d requests", res.Text, err, f.requests())
	}
	if js, ok := f.body(0)["json_schema"].(map[string]any); !ok || js["type"] != "object" {
		t.Errorf("native json_schema field missing: %v", f.body(0))
	}
}

func TestEndlessStreamCapped(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		startSSE(w)
		chunk := chatChunk(strings.Repeat("x", 64<<10))
		for i := 0; i < MaxResultBytes/(64<<10)+2; i++ {
			if r.Context().Err() != nil {
				return
			}
			sse(w, chunk)
		}
	})
	c := newClient(t, f.URL, nil)
	res, err := c.Generate(context.Background(), chatReq("x"), nil)
	if !errors.Is(err, ErrResultLimit) || len(res.Text) > MaxResultBytes {
		t.Fatalf("err %v, %d bytes", err, len(res.Text))
	}
}
