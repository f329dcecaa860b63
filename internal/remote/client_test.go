package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestNewValidation(t *testing.T) {
	bad := []Config{
		{BaseURL: "ftp://x", Model: "m"},
		{BaseURL: "http://", Model: "m"},
		{BaseURL: "http://user:pw@host", Model: "m"},
		{BaseURL: "http://host", Model: ""},
		{BaseURL: "::bad", Model: "m"},
		{BaseURL: "http://host", Model: "m", APIKeyEnv: "PLUME_TEST_UNSET_VAR"},
	}
	for _, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%v) accepted", cfg)
		}
	}
	bases := []struct{ in, api, root string }{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"},
		{"http://localhost:11434/v1", "http://localhost:11434/v1", "http://localhost:11434"},
		{"https://host/proxy/v1/", "https://host/proxy/v1", "https://host/proxy"},
	}
	for _, b := range bases {
		c, err := New(Config{BaseURL: b.in, Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if c.apiBase != b.api || c.root != b.root {
			t.Errorf("%s: api %s root %s", b.in, c.apiBase, c.root)
		}
	}
}

func TestConfigHidesKey(t *testing.T) {
	cfg := Config{BaseURL: "http://h", Model: "m", APIKey: "sk-very-secret"}
	for _, s := range []string{cfg.String(), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, "sk-very-secret") || !strings.Contains(s, "APIKey: set") {
			t.Errorf("config printed as %q", s)
		}
	}
}

func TestInfoAndProbe(t *testing.T) {
	cases := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		want    int
	}{
		{"llama.cpp props", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/props" {
				fmt.Fprint(w, `{"default_generation_settings":{"n_ctx":8192}}`)
				return
			}
			http.NotFound(w, r)
		}, 8192},
		{"models metadata", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/models" {
				fmt.Fprint(w, `{"data":[{"id":"other","max_model_len":1},{"id":"test-model","max_model_len":32768}]}`)
				return
			}
			http.NotFound(w, r)
		}, 32768},
		{"nothing: config", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, 4096},
		{"oversized props", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/props" {
				fmt.Fprint(w, `{"n_ctx":1,"pad":"`+strings.Repeat("x", MaxResponseBytes)+`"}`)
				return
			}
			http.NotFound(w, r)
		}, 4096},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) { tc.handler(w, r) })
			c := newClient(t, f.URL, nil)
			info := c.Info()
			if info.ContextLength != tc.want || info.Backend != "openai:"+f.URL+"/v1" || info.Ref != "test-model" {
				t.Errorf("%s: info %+v, want context %d", tc.name, info, tc.want)
			}
		})
	}
}

func TestCountTokens(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		if r.URL.Path != "/tokenize" {
			http.NotFound(w, r)
			return
		}
		words := strings.Fields(body["content"].(string))
		toks := make([]int, len(words))
		_ = json.NewEncoder(w).Encode(map[string]any{"tokens": toks})
	})
	c := newClient(t, f.URL, nil)
	if n, err := c.CountTokens("one two three"); err != nil || n != 3 {
		t.Fatalf("CountTokens via /tokenize = %d, %v", n, err)
	}
	g := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) { http.NotFound(w, r) })
	c2 := newClient(t, g.URL, nil)
	if n, err := c2.CountTokens("abcdefghi"); err != nil || n != 3 {
		t.Fatalf("estimate = %d, %v; want ceil(9/4) = 3", n, err)
	}
	if EstimateTokens("") != 0 || EstimateTokens("abcd") != 1 {
		t.Fatal("EstimateTokens")
	}
}

func TestProbeUnauthorized(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		http.Error(w, "no", http.StatusUnauthorized)
	})
	c := newClient(t, f.URL, nil)
	_, err := c.Probe(context.Background())
	var herr *HTTPError
	if !errors.As(err, &herr) || herr.Status != http.StatusUnauthorized {
		t.Fatalf("probe err %v, want an *HTTPError 401", err)
	}
	if !strings.Contains(err.Error(), "--api-key-env") { // the hint the user reads
		t.Errorf("probe err %v does not say how to give the key", err)
	}
}

// TestProbeServerDown: a --base-url where nothing listens used to pass the
// probe (its error was ignored like a missing /v1/models), so plume write
// created an article and only then failed. The probe now reports it.
func TestProbeServerDown(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {})
	base := f.URL
	f.Close() // nothing listens there any more
	c := newClient(t, base, nil)
	var uerr *url.Error // the client's own error for a connection refused
	if _, err := c.Probe(context.Background()); !errors.As(err, &uerr) {
		t.Fatalf("probe err %v, want the connection's *url.Error", err)
	}
}
