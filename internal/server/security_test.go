package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// post sends body to path with extra headers and returns the status, the
// headers and the decoded OpenAI error (if any).
func post(t *testing.T, url, path string, body []byte, hdr map[string]string) (int, http.Header, *Error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e struct{ Error *Error }
	_ = json.Unmarshal(data, &e)
	if e.Error == nil && resp.StatusCode >= 400 {
		t.Errorf("status %d without an OpenAI error body: %s", resp.StatusCode, data)
	}
	return resp.StatusCode, resp.Header, e.Error
}

const chatHi = `{"model":"stories260K.gguf","messages":[{"role":"user","content":"hi"}],"max_tokens":2}`

// TestSecurityLoopback covers the attacks on a loopback server without a
// key: DNS rebinding, foreign origins, oversized and nested bodies, huge
// conversations.
func TestSecurityLoopback(t *testing.T) {
	cfg := fixtureConfig(t, nil)
	cfg.CORS = []string{"https://blog.example"}
	ts := startServer(t, cfg, "", true)
	nested := []byte(`{"model":"x","messages":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`)
	var many bytes.Buffer
	many.WriteString(`{"model":"stories260K.gguf","max_tokens":1,"messages":[`)
	for i := range 10_000 {
		if i > 0 {
			many.WriteByte(',')
		}
		many.WriteString(`{"role":"user","content":"hello"}`)
	}
	many.WriteString(`]}`)
	tests := []struct {
		name   string
		body   []byte
		hdr    map[string]string
		status int
		in     string
	}{
		{"dns rebinding host", []byte(chatHi), map[string]string{"Host": "attacker.example:8080"}, http.StatusForbidden, "attacker.example"},
		{"dns rebinding host without port", []byte(chatHi), map[string]string{"Host": "rebind.attacker.example"}, http.StatusForbidden, "loopback"},
		{"localhost host", []byte(chatHi), map[string]string{"Host": "localhost:8080"}, http.StatusOK, ""},
		{"ipv6 loopback host", []byte(chatHi), map[string]string{"Host": "[::1]:8080"}, http.StatusOK, ""},
		{"foreign origin", []byte(chatHi), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden, "evil.example"},
		{"listed cors origin", []byte(chatHi), map[string]string{"Origin": "https://blog.example"}, http.StatusOK, ""},
		{"oversized body", append([]byte(`{"model":"`), bytes.Repeat([]byte("a"), MaxBodyBytes+1)...), nil, http.StatusRequestEntityTooLarge, "bytes"},
		{"deeply nested body", nested, nil, http.StatusBadRequest, "nests"},
		{"10000 messages", many.Bytes(), nil, http.StatusBadRequest, "10000 messages"},
		{"message too long", []byte(`{"messages":[{"role":"user","content":"` + strings.Repeat("a", MaxMessageBytes+1) + `"}]}`), nil, http.StatusBadRequest, "limit"},
		{"not json", []byte(`{"messages":`), nil, http.StatusBadRequest, "JSON"},
		{"unknown role", []byte(`{"messages":[{"role":"tool","content":"x"}]}`), nil, http.StatusBadRequest, "tool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, e := post(t, ts.URL, "/v1/chat/completions", tc.body, tc.hdr)
			if status != tc.status {
				t.Fatalf("status %d (%v), want %d", status, e, tc.status)
			}
			if e != nil && !strings.Contains(e.Message, tc.in) {
				t.Errorf("message %q does not say %q", e.Message, tc.in)
			}
			if o := h.Get("Access-Control-Allow-Origin"); o != "" && tc.hdr["Origin"] != "https://blog.example" {
				t.Errorf("CORS header %q sent to %v", o, tc.hdr)
			}
		})
	}
	t.Run("cors preflight", func(t *testing.T) {
		for origin, wantStatus := range map[string]int{"https://blog.example": http.StatusNoContent, "https://evil.example": http.StatusForbidden} {
			req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/v1/chat/completions", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			allow := resp.Header.Get("Access-Control-Allow-Origin")
			if resp.StatusCode != wantStatus || (wantStatus == http.StatusNoContent) != (allow == origin) {
				t.Errorf("%s: status %d, allow %q", origin, resp.StatusCode, allow)
			}
		}
	})
}

// TestSecurityNonLoopback checks that a server on every interface needs a
// key, and that the key is enforced.
func TestSecurityNonLoopback(t *testing.T) {
	s, err := New(fixtureConfig(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if ln, err := s.Listen("0.0.0.0:0"); !errors.Is(err, ErrInsecure) {
		if ln != nil {
			ln.Close()
		}
		t.Fatalf("non-loopback bind without a key: %v, want ErrInsecure", err)
	}
	if ln, err := net.Listen("tcp", "0.0.0.0:0"); err == nil {
		err = s.Serve(context.Background(), ln) // a listener opened elsewhere is refused too
		if !errors.Is(err, ErrInsecure) {
			t.Fatalf("Serve on a non-loopback listener without a key: %v", err)
		}
	}
	cfg := fixtureConfig(t, nil)
	cfg.APIKey = "s3cret-key"
	ts := startServer(t, cfg, "0.0.0.0:0", true)
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"missing key", "", http.StatusUnauthorized},
		{"wrong key", "Bearer s3cret-kez", http.StatusUnauthorized},
		{"key prefix", "Bearer s3cret", http.StatusUnauthorized},
		{"not bearer", "Basic s3cret-key", http.StatusUnauthorized},
		{"right key", "Bearer s3cret-key", http.StatusOK},
		{"foreign host with the key", "Bearer s3cret-key", http.StatusOK}, // Host is not checked off loopback: the key is the protection
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			if strings.HasPrefix(tc.name, "foreign host") {
				hdr["Host"] = "plume.lan:8080"
			}
			status, _, e := post(t, ts.URL, "/v1/chat/completions", []byte(chatHi), hdr)
			if status != tc.status {
				t.Errorf("status %d (%v), want %d", status, e, tc.status)
			}
		})
	}
	t.Run("sdk with the key", func(t *testing.T) {
		if _, err := ts.client.Models.List(context.Background()); err != nil {
			t.Fatal(err)
		}
		bad := openai.NewClient(option.WithBaseURL(ts.URL+"/v1/"), option.WithAPIKey("nope"), option.WithMaxRetries(0))
		_, err := bad.Models.List(context.Background())
		if e := apiErr(t, err); e.StatusCode != http.StatusUnauthorized || e.Code != "invalid_api_key" {
			t.Errorf("wrong key: %d %q", e.StatusCode, e.Code)
		}
	})
	t.Run("health needs no key", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/health")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("health: %d", resp.StatusCode)
		}
	})
}

// TestHealthWhileLoading checks /health and the API before and after the
// model is loaded.
func TestHealthWhileLoading(t *testing.T) {
	m := loadFixture(t)
	release := make(chan struct{})
	ts := startServer(t, Config{Load: func(ctx context.Context) (Model, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return engineModel{m: m, id: "stories260K.gguf"}, nil
	}}, "", false)
	get := func(path string) (int, string) {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	if status, retry := get("/health"); status != http.StatusServiceUnavailable || retry != fmt.Sprint(RetryAfter) {
		t.Errorf("health while loading: %d, Retry-After %q", status, retry)
	}
	if status, h, e := post(t, ts.URL, "/v1/chat/completions", []byte(chatHi), nil); status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Errorf("chat while loading: %d %v", status, e)
	}
	close(release)
	<-ts.Loaded()
	if status, _ := get("/health"); status != http.StatusOK {
		t.Errorf("health once loaded: %d", status)
	}
	models, err := ts.client.Models.List(context.Background())
	if err != nil || len(models.Data) != 1 || models.Data[0].ID != "stories260K.gguf" {
		t.Fatalf("models: %+v, %v", models, err)
	}
	if _, err := ts.client.Models.Get(context.Background(), "stories260K.gguf"); err != nil {
		t.Errorf("get model: %v", err)
	}
	if _, err := ts.client.Models.Get(context.Background(), "other"); apiErr(t, err).StatusCode != http.StatusNotFound {
		t.Errorf("get unknown model: %v", err)
	}
}

// TestHealthLoadFailed checks that a failed load is reported, not hidden.
func TestHealthLoadFailed(t *testing.T) {
	ts := startServer(t, Config{Load: func(context.Context) (Model, error) { return nil, errors.New("no such file") }}, "", true)
	resp, err := http.Get(ts.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("health after a failed load: %d", resp.StatusCode)
	}
}

// TestMetrics checks that requests, tokens and slots show in /metrics.
func TestMetrics(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	for range 2 {
		post(t, ts.URL, "/v1/chat/completions", []byte(chatHi), nil)
	}
	post(t, ts.URL, "/v1/chat/completions", []byte(`{}`), nil)
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`plume_http_requests_total{code="200",route="POST /v1/chat/completions"} 2`,
		`plume_http_requests_total{code="400",route="POST /v1/chat/completions"} 1`,
		`plume_generated_tokens_total 4`,
		`plume_slots_busy 0`,
		`plume_queue_depth 0`,
		`plume_time_to_first_token_seconds_count 2`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestHeaderLimit checks that headers over MaxHeaderBytes are refused.
func TestHeaderLimit(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/health", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 2*MaxHeaderBytes))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized headers: %d", resp.StatusCode)
	}
}
