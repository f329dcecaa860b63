package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/hub/hubtest"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// plentyMemory is a machine on which every test model fits.
var plentyMemory = Memory{Total: 64 << 30, Available: 32 << 30}

func editedPath(t *testing.T, s testmodel.Spec, e testmodel.Edit) string {
	t.Helper()
	w, err := testmodel.BuildEdited(s, e)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "edited.gguf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckAgreesWithLoad: "can the engine run this file" is answered by
// the code that loads it, so plume show never says yes to a file plume run
// rejects (#15 item 4): the same files and options pass or fail both, with
// the same error.
func TestCheckAgreesWithLoad(t *testing.T) {
	spec := testmodel.Tiny("llama", tensor.F32)
	good := synthPath(t, spec)
	vocabMismatch := editedPath(t, spec, testmodel.Edit{Dims: func(name string, dims []uint64) []uint64 {
		if name == "token_embd.weight" || name == "output.weight" {
			return []uint64{dims[0], dims[1] - 1}
		}
		return dims
	}})
	tiny := Memory{Total: 1 << 20, Available: 1 << 20}
	notGGUF := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notGGUF, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		path   string
		opts   Options
		wantOK bool
		is     error
	}{
		{"good", good, Options{Memory: plentyMemory}, true, nil},
		{"F16 KV", good, Options{KVType: tensor.F16, Memory: plentyMemory}, true, nil},
		{"tokenizer and embeddings disagree", vocabMismatch, Options{Memory: plentyMemory}, false, nil},
		{"not enough memory", good, Options{Memory: tiny}, false, ErrMemory},
		{"bad options", good, Options{KVType: tensor.Q8_0}, false, ErrOptions},
		{"not a GGUF file", notGGUF, Options{Memory: plentyMemory}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr := Check(tc.path, tc.opts)
			m, loadErr := Load(tc.path, tc.opts)
			if m != nil {
				m.Close()
			}
			if (checkErr == nil) != tc.wantOK || (loadErr == nil) != tc.wantOK {
				t.Fatalf("Check: %v, Load: %v; want ok = %v", checkErr, loadErr, tc.wantOK)
			}
			if !tc.wantOK && checkErr.Error() != loadErr.Error() {
				t.Errorf("Check says %q, Load %q", checkErr, loadErr)
			}
			if tc.is != nil && !errors.Is(checkErr, tc.is) {
				t.Errorf("Check: %v, want %v", checkErr, tc.is)
			}
		})
	}
}

// TestResolveAndOpen: a path and a hub reference open the same way, the
// provenance comes from the resolved model once, and the cache is closed.
func TestResolveAndOpen(t *testing.T) {
	spec := testmodel.Tiny("qwen2", tensor.F32)
	path := synthPath(t, spec)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := hubtest.New()
	defer h.Close()
	h.AddFile("acme/Tiny-GGUF", "tiny-F32.gguf", data)
	dir := t.TempDir()
	conf := config.Config{HubCache: filepath.Join(dir, "hub"), DataDir: filepath.Join(dir, "data"), Endpoint: h.URL}
	sum := hubtest.SHA256(data)

	for _, tc := range []struct {
		name, ref string
		pull      bool
		wantRef   string
		wantErr   error
	}{
		{"path", path, false, path, nil},
		{"hub reference not pulled", "acme/Tiny-GGUF/tiny-F32.gguf", false, "", hub.ErrNotPulled},
		{"hub reference pulled", "acme/Tiny-GGUF/tiny-F32.gguf", true, "acme/Tiny-GGUF/tiny-F32.gguf", nil},
		{"hub reference cached", "acme/Tiny-GGUF/tiny-F32.gguf", false, "acme/Tiny-GGUF/tiny-F32.gguf", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := OpenOptions{Options: Options{Threads: 1, Memory: plentyMemory}, Config: conf, Pull: tc.pull}
			m, err := Open(context.Background(), tc.ref, o)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open: %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			info := m.Info()
			if info.SHA256 != sum {
				t.Errorf("sha256 %q, want %q", info.SHA256, sum)
			}
			if tc.name == "path" && info.Ref != path {
				t.Errorf("ref %q, want the path", info.Ref)
			}
			if tc.name != "path" && (info.Commit != h.Commit("acme/Tiny-GGUF") || info.Ref == "" || info.Path == path) {
				t.Errorf("hub model info %+v", info)
			}
		})
	}
	// A file named like a hub reference but present on disk is the file.
	t.Chdir(filepath.Dir(path))
	loc, err := Resolve(context.Background(), filepath.Base(path), OpenOptions{Config: conf})
	if err != nil || loc.Path != path {
		t.Errorf("Resolve(relative file) = %+v, %v", loc, err)
	}
}

// TestContextLimit: the largest context is the trained window, or what
// the machine's memory holds with the model's KV type, or the caller's
// fixed length; SetContextLength stays within it and Info reports it.
func TestContextLimit(t *testing.T) {
	spec := testmodel.Tiny("llama", tensor.F32)
	spec.Context = 32768
	path := synthPath(t, spec)
	m := loadModel(t, path, Options{Memory: plentyMemory})
	if n, why := m.ContextLimit(); n != 32768 || why != LimitTrained {
		t.Errorf("ContextLimit = %d (%s), want the trained 32768", n, why)
	}
	fi, _ := os.Stat(path)
	c := m.Config()
	// Memory for the weights, a session's fixed buffers and 5000 F32
	// positions; with an F16 cache twice as many positions fit.
	perPos := StateBytes(c, 1, tensor.F32) - StateBytes(c, 0, tensor.F32)
	avail := StateBytes(c, 0, tensor.F32) + 5000*perPos
	small := Memory{Total: uint64(fi.Size()) + avail, Available: avail}
	for _, tc := range []struct {
		kv   tensor.Type
		want int
	}{{tensor.F32, 5000}, {tensor.F16, 10000}} {
		mm := loadModel(t, path, Options{Memory: small, KVType: tc.kv})
		n, why := mm.ContextLimit()
		if why != LimitMemory || n < tc.want-2 || n > tc.want+2 {
			t.Errorf("%s KV on a small machine: ContextLimit = %d (%s), want about %d (memory)", tc.kv, n, why, tc.want)
		}
		if err := Check(path, Options{Memory: small, KVType: tc.kv, ContextLength: n}); err != nil {
			t.Errorf("%s KV: the limit %d does not pass the load check: %v", tc.kv, n, err)
		}
		if err := Check(path, Options{Memory: small, KVType: tc.kv, ContextLength: n + 10}); !errors.Is(err, ErrMemory) {
			t.Errorf("%s KV: %d positions past the limit pass the load check: %v", tc.kv, n+10, err)
		}
	}
	fixed := loadModel(t, path, Options{Memory: plentyMemory, ContextLength: 100})
	if n, why := fixed.ContextLimit(); n != 100 || why != LimitCaller {
		t.Errorf("fixed context: ContextLimit = %d (%s)", n, why)
	}
	if info := fixed.Info(); info.ContextLength != 100 || info.TrainedContextLength != 32768 {
		t.Errorf("--ctx 100 info: context %d, trained %d; want 100 and the model's 32768", info.ContextLength, info.TrainedContextLength)
	}

	g := m.Generator().(*Generator)
	if err := g.SetContextLength(40000); !errors.Is(err, ErrOptions) {
		t.Errorf("SetContextLength past the trained window: %v", err)
	}
	if err := g.SetContextLength(9000); err != nil {
		t.Fatal(err)
	}
	if got := g.Info().ContextLength; got != 9000 {
		t.Errorf("Info().ContextLength = %d after SetContextLength(9000)", got)
	}
	if _, err := g.Generate(context.Background(), llm.Request{Prompt: "hello", MaxTokens: 2, Sampling: greedyParams()}, nil); err != nil {
		t.Fatal(err)
	}
	if got := g.sess.st.Cap(); got != 9000 {
		t.Errorf("the session has %d positions, want the 9000 asked for", got)
	}
}

// TestInfoRecordsChatTemplate: the manifest's chat template (sha256 and
// whether it is the GGUF's or a builtin fallback) comes from the template
// Prompt renders with.
func TestInfoRecordsChatTemplate(t *testing.T) {
	spec := testmodel.Tiny("qwen2", tensor.F32)
	for _, tc := range []struct {
		name, template, source string
	}{
		{"none in the file", "", TemplateBuiltin + "chatml"},
		{"the file's own", "{% for m in messages %}{{ m.content }}{% endfor %}", TemplateFromGGUF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := synthPath(t, spec)
			if tc.template != "" {
				path = editedPath(t, spec, testmodel.Edit{Extra: map[string]any{"tokenizer.chat_template": tc.template}})
			}
			m := loadModel(t, path, Options{Memory: plentyMemory})
			info := m.Info()
			want := sha256.Sum256([]byte(m.chatTemplate().Source))
			if info.ChatTemplateSource != tc.source || info.ChatTemplateSHA256 != hex.EncodeToString(want[:]) {
				t.Errorf("template %q %s, want %q", info.ChatTemplateSource, info.ChatTemplateSHA256, tc.source)
			}
			if tc.template != "" && m.chatTemplate().Source != tc.template {
				t.Errorf("the GGUF's template was not the one used")
			}
		})
	}
}
