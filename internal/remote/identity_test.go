package remote

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// TestServedIdentity: what llama.cpp and Ollama say about the model they
// serve reaches ModelInfo, and an endpoint that answered 404 is not asked
// again by later probes or token counts.
func TestServedIdentity(t *testing.T) {
	for _, tc := range []struct {
		name    string
		model   string
		handler func(w http.ResponseWriter, r *http.Request)
		ref     string
		served  string
		source  string
		license string
	}{
		{"llama.cpp", DefaultModelName, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/props":
				fmt.Fprint(w, `{"n_ctx":4096,"model_path":"C:\\models\\tiny.gguf","build_info":"b1-x","chat_template":"T"}`)
			case "/v1/models":
				fmt.Fprint(w, `{"data":[{"id":"tiny"}]}`)
			default:
				http.NotFound(w, r)
			}
		}, "tiny", "llama.cpp, build b1-x, model file tiny.gguf", TemplateFromProps, ""},
		{"ollama", "llama3.2:1b", func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/v1/models":
				fmt.Fprint(w, `{"data":[{"id":"llama3.2:1b"},{"id":"qwen2.5:0.5b"}]}`)
			case "/api/show":
				fmt.Fprint(w, `{"template":"{{ .Prompt }}","license":"\nLLAMA 3.2 COMMUNITY LICENSE AGREEMENT\nmore text"}`)
			case "/api/tags":
				fmt.Fprint(w, `{"models":[{"name":"llama3.2:1b","model":"llama3.2:1b","digest":"a80c4f17acd5"}]}`)
			default:
				http.NotFound(w, r)
			}
		}, "llama3.2:1b", "ollama, digest a80c4f17acd5", TemplateFromOllama, "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT"},
		{"plain OpenAI server", "gpt-x", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/models" {
				fmt.Fprint(w, `{"data":[{"id":"gpt-x"}]}`)
				return
			}
			http.NotFound(w, r)
		}, "gpt-x", "", TemplateUnknown, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) { tc.handler(w, r) })
			c := newClient(t, f.URL, func(cfg *Config) { cfg.Model = tc.model })
			info := c.Info()
			if info.Ref != tc.ref || info.Served != tc.served || info.ChatTemplateSource != tc.source || info.License != tc.license {
				t.Errorf("info %+v", info)
			}
			if (info.ChatTemplateSHA256 == "") != (tc.source == TemplateUnknown) {
				t.Errorf("template sha256 %q with source %q", info.ChatTemplateSHA256, info.ChatTemplateSource)
			}
			if _, err := c.Probe(context.Background()); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if _, err := c.CountTokens("one two"); err != nil {
					t.Fatal(err)
				}
			}
			seen := map[string]int{}
			f.mu.Lock()
			for _, p := range f.paths {
				seen[p]++
			}
			f.mu.Unlock()
			for p, n := range seen {
				if n > 1 && p != "GET /v1/models" && p != "GET /props" && p != "POST /api/show" && p != "GET /api/tags" {
					t.Errorf("%s asked %d times", p, n)
				}
			}
			if seen["POST /tokenize"] != 1 {
				t.Errorf("/tokenize asked %d times, want once (it answers 404)", seen["POST /tokenize"])
			}
			if tc.name != "llama.cpp" && seen["GET /props"] != 1 {
				t.Errorf("/props (404) asked %d times over two probes, want once", seen["GET /props"])
			}
		})
	}
}
