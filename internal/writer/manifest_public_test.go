package writer

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// TestManifestDoesNotLeakLocalPaths is the regression test for model.ref
// (and run.model_path) recording the author's absolute paths in the
// published manifest: a local file is named by its base name and
// identified by its sha256; the library's state keeps the path the run was
// given, for --resume.
func TestManifestDoesNotLeakLocalPaths(t *testing.T) {
	const cache = "/home/alice/.cache/huggingface/hub/models--Qwen--Qwen2.5-GGUF/snapshots/abc/qwen2.5-q4_k_m.gguf"
	tests := []struct {
		name         string
		ref, path    string
		wantRef      string
		wantRunModel string
	}{
		{"absolute path", "/home/alice/models/secret-project/qwen.gguf", "/home/alice/models/secret-project/qwen.gguf", "qwen.gguf", "qwen.gguf"},
		{"dot path", "../secret-project/qwen.gguf", "../secret-project/qwen.gguf", "qwen.gguf", "qwen.gguf"},
		{"relative path loaded by the engine", "secret-project/qwen.gguf", "secret-project/qwen.gguf", "qwen.gguf", "qwen.gguf"},
		{"hub reference", "hf.co/Qwen/Qwen2.5-GGUF:Q4_K_M", cache, "hf.co/Qwen/Qwen2.5-GGUF:Q4_K_M", "qwen2.5-q4_k_m.gguf"},
		{"remote model name", "llama3.2", "", "llama3.2", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &fakegen.Generator{Model: llm.ModelInfo{Ref: tc.ref, Path: tc.path, SHA256: strings.Repeat("cd", 32), Backend: "plume"}}
			art, _ := runArticle(t, g, testOptions("Compost basics"))
			m := art.Manifest
			if m.Model.Ref != tc.wantRef || m.Model.SHA256 != strings.Repeat("cd", 32) || m.Run.ModelPath != tc.wantRunModel {
				t.Errorf("%s: model.ref %q, run.model_path %q, want %q, %q", tc.name, m.Model.Ref, m.Run.ModelPath, tc.wantRef, tc.wantRunModel)
			}
			b, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"alice", "secret-project"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("%s: the manifest leaks %q", tc.name, secret)
				}
			}
			if art.State.Model.Ref != tc.ref {
				t.Errorf("%s: state model ref %q, want %q (resume needs it)", tc.name, art.State.Model.Ref, tc.ref)
			}
		})
	}
}

// TestManifestSamplingCarriesSeed is the regression test for
// inputs.sampling.seed (and sampling.seed) reading 0 while seed held the
// run's real seed.
func TestManifestSamplingCarriesSeed(t *testing.T) {
	for _, seed := range []uint64{42, 0, math.MaxUint64} {
		opts := testOptions("Compost basics")
		opts.Seed = seed
		art, _ := runArticle(t, &fakegen.Generator{}, opts)
		b, err := art.Manifest.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Seed     uint64
			Sampling struct{ Seed uint64 }
			Inputs   struct {
				Seed     uint64
				Sampling struct{ Seed uint64 }
			}
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if raw.Seed != seed || raw.Inputs.Seed != seed || raw.Inputs.Sampling.Seed != seed || raw.Sampling.Seed != seed {
			t.Errorf("seed %d: seed %d, sampling.seed %d, inputs.seed %d, inputs.sampling.seed %d",
				seed, raw.Seed, raw.Sampling.Seed, raw.Inputs.Seed, raw.Inputs.Sampling.Seed)
		}
	}
}

// TestLegacyManifestStillReplays: a manifest written before these fixes
// (an absolute model path, sampling seeds of 0) compares equal to the
// same run recorded today, so --replay of old articles keeps working.
func TestLegacyManifestStillReplays(t *testing.T) {
	g := &fakegen.Generator{Model: llm.ModelInfo{Ref: "/home/alice/m/qwen.gguf", Path: "/home/alice/m/qwen.gguf", Backend: "plume"}}
	art, _ := runArticle(t, g, testOptions("Compost basics"))
	legacy := *art.Manifest
	legacy.Model.Ref = "/home/alice/m/qwen.gguf"
	legacy.Inputs.Sampling.Seed, legacy.Sampling.Seed = 0, 0
	if same, diff, err := legacy.Compare(art.Manifest); err != nil || !same {
		t.Fatalf("legacy manifest differs: %v %v", diff, err)
	}
	legacy.Seed++ // but a different run still does not match
	if same, _, _ := legacy.Compare(art.Manifest); same {
		t.Fatal("another seed compared equal")
	}
}

// warnGen is a generator with a warning about its model, as the engine
// reports a chat template it replaced.
type warnGen struct {
	*fakegen.Generator
	warnings []string
}

func (g warnGen) Warnings() []string { return g.warnings }

// TestModelWarningsInManifest: the generator's warnings (a GGUF chat
// template that fell back to a builtin) reach the user as warning events on
// every run, and the manifest once.
func TestModelWarningsInManifest(t *testing.T) {
	const msg = "chat template: the model's tokenizer.chat_template cannot be used (render: unknown filter \"x\"); using Plume's built-in chatml template instead"
	g := warnGen{Generator: &fakegen.Generator{}, warnings: []string{msg}}
	p := newPipeline(g)
	var events []string
	p.Events = func(e Event) {
		if e.Type == EventWarning {
			events = append(events, e.Message)
		}
	}
	st, err := p.NewState(testOptions("Compost basics"))
	if err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ { // the second run continues the finished state
		art, err := p.Run(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		if n := countOf(art.Manifest.Warnings, msg); n != 1 {
			t.Errorf("run %d: manifest warnings %q hold it %d times, want once", run, art.Manifest.Warnings, n)
		}
		if n := countOf(events, msg); n != run {
			t.Errorf("run %d: warned %d times", run, n)
		}
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
