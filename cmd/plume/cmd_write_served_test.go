package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/remote"
	"github.com/plumewriter/plume/internal/writer"
)

// llamaServerTemplate is the chat template the fake llama.cpp server says
// it renders prompts with.
const llamaServerTemplate = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"

// TestWriteNamesTheServedModel is #18 item 9: with --backend openai and no
// --model, the manifest and the front matter's generator name the model
// the server serves (its /v1/models id, and the model file and build
// /props gives), the manifest records the server's chat template and an
// unknown licence as "unknown", and an endpoint that answered 404
// (/tokenize here) is asked once in the whole run.
func TestWriteNamesTheServedModel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := testDeps(filepath.Join(dir, library.FileName))

	fake := &openAIFake{}
	chat := fake.handler(t)
	var mu sync.Mutex
	asked := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/props":
			fmt.Fprintf(w, `{"default_generation_settings":{"n_ctx":8192},"model_path":"/models/qwen2.5-1.5b-instruct-q4_k_m.gguf",`+
				`"build_info":"b4567-abcdef0","chat_template":%q}`, llamaServerTemplate)
		case "/v1/models":
			fmt.Fprint(w, `{"object":"list","data":[{"id":"qwen2.5-1.5b-instruct","object":"model","meta":{"n_ctx_train":32768}}]}`)
		default:
			chat.ServeHTTP(w, r) // /v1/chat/completions; anything else is a 404
		}
	}))
	defer srv.Close()
	out := filepath.Join(dir, "out")
	_, stderr, err := execute(t, newWriteCmd(d), "Remote compost", "--backend", "openai", "--base-url", srv.URL,
		"--seed", "5", "--words", "300", "--out", out)
	if err != nil {
		t.Fatalf("remote write: %v\n%s", err, stderr)
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
	sum := sha256.Sum256([]byte(llamaServerTemplate))
	want := writer.ModelRecord{Ref: "qwen2.5-1.5b-instruct", License: writer.LicenseUnknown, ContextLength: 8192, TrainedContextLength: 32768,
		Served:       "llama.cpp, build b4567-abcdef0, model file qwen2.5-1.5b-instruct-q4_k_m.gguf",
		ChatTemplate: writer.ChatTemplateRecord{SHA256: hex.EncodeToString(sum[:]), Source: remote.TemplateFromProps},
		Backend:      "openai:" + srv.URL + "/v1"}
	if m.Model != want {
		t.Errorf("manifest model:\n%+v\nwant\n%+v", m.Model, want)
	}
	if !strings.Contains(string(data), `"license": "unknown"`) {
		t.Error(`the manifest has no "license": "unknown" key`)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(mds) != 1 {
		t.Fatalf("articles: %v", mds)
	}
	md, _ := os.ReadFile(mds[0])
	front, _, _ := strings.Cut(strings.TrimPrefix(string(md), "---\n"), "\n---\n")
	var fm struct{ Generator string }
	if err := yaml.Unmarshal([]byte(front), &fm); err != nil {
		t.Fatal(err)
	}
	if wantGen := "Plume " + version + " with qwen2.5-1.5b-instruct (" + want.Served + ")"; fm.Generator != wantGen {
		t.Errorf("front matter generator %q, want %q", fm.Generator, wantGen)
	}
	mu.Lock()
	defer mu.Unlock()
	if asked["/tokenize"] != 1 {
		t.Errorf("/tokenize, which answers 404, was asked %d times; want once", asked["/tokenize"])
	}
	if asked["/v1/chat/completions"] < 5 {
		t.Errorf("only %d completions", asked["/v1/chat/completions"])
	}
}
