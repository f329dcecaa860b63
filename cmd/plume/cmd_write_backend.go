package main

// Wiring of `plume write` to the backends and to the data directory. This is
// the one file that depends on the engine, hub and config packages; the rest
// of the write command only sees llm.Generator.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/remote"
	"github.com/plumewriter/plume/internal/writer"
)

// Backends of --backend.
const (
	backendLocal  = writer.BackendLocal
	backendOpenAI = writer.BackendOpenAI
)

// backendConfig is what the write command knows about the generator to
// open; the writer records it so that --resume opens the same one.
type backendConfig = writer.Backend

// openGenerator opens the generator for cfg; close releases it. It is the
// production deps.openGenerator.
func openGenerator(ctx context.Context, cfg backendConfig, progress io.Writer) (gen llm.Generator, close func(), err error) {
	switch cfg.Backend {
	case backendOpenAI:
		return openRemote(ctx, cfg)
	case backendLocal, "":
		return openLocal(ctx, cfg, progress)
	}
	return nil, nil, usageError{fmt.Errorf("unknown --backend %q (plume or openai)", cfg.Backend)}
}

func openRemote(ctx context.Context, cfg backendConfig) (llm.Generator, func(), error) {
	if cfg.BaseURL == "" {
		return nil, nil, usageError{errors.New("--backend openai needs --base-url URL")}
	}
	model := cfg.Model
	if model == "" {
		model = remote.DefaultModelName
	}
	c, err := remote.New(remote.Config{BaseURL: cfg.BaseURL, Model: model, APIKeyEnv: cfg.APIKeyEnv, ContextLength: cfg.Context})
	if err != nil {
		return nil, nil, usageError{err}
	}
	if _, err := c.Probe(ctx); err != nil {
		return nil, nil, fmt.Errorf("openai backend: %w", err)
	}
	return c, func() {}, nil
}

// openLocal opens the model with the local engine (engine.Open: resolved
// through the hub, pulled if needed, memory checked with the real KV type).
// The engine's generator reports the resolved provenance and its warnings.
func openLocal(ctx context.Context, cfg backendConfig, progress io.Writer) (llm.Generator, func(), error) {
	conf := configFrom(ctx, progress)
	ref := cmp.Or(cfg.Model, conf.Model, hub.DefaultModel())
	threads := cmp.Or(cfg.Threads, conf.Threads)
	m, err := engine.Open(ctx, ref, engine.OpenOptions{
		// serve and write decode thousands of tokens per load: the weights
		// go into huge pages (engine.OpenWeights).
		Options: engine.Options{Threads: threads, ContextLength: cfg.Context, NoPromptCache: cfg.NoPromptCache,
			Weights: engine.WeightsPrivate},
		Config: conf, Pull: true,
		Events: func(e hub.Event) {
			if e.Type == hub.EventRetry && progress != nil {
				fmt.Fprintf(progress, "[model] %s\n", retryLine(e))
			} else if e.Type != hub.EventProgress && progress != nil {
				fmt.Fprintf(progress, "[model] %s %s%s\n", e.Type, e.Repo, "/"+e.File)
			}
		},
	})
	if errors.Is(err, engine.ErrOptions) {
		return nil, nil, usageError{err} // --threads, --ctx out of range
	}
	if err != nil {
		if !strings.Contains(err.Error(), ref) { // the hub's and engine's errors usually name the model already
			err = fmt.Errorf("model %s: %w", ref, err)
		}
		return nil, nil, refError(hubAdvice(err))
	}
	return m.Generator(), func() { m.Close() }, nil
}

// backendFromInfo recovers the backend of a recorded run (replay):
// ModelInfo.Backend is "plume" or "openai:<base url>".
func backendFromInfo(backend, ref string) backendConfig { return writer.BackendOf(backend, ref) }

// isLocalModelRef reports whether a recorded model reference names a local
// file: a path (older manifests), or a bare FILE.gguf name (a manifest keeps
// only the base name of a local file; a hub file is ORG/REPO/FILE.gguf).
func isLocalModelRef(ref string) bool {
	if filepath.IsAbs(ref) || strings.HasPrefix(ref, ".") {
		return true
	}
	return !strings.ContainsAny(ref, `/\`) && strings.HasSuffix(strings.ToLower(ref), ".gguf")
}

// findReplayModel finds the local model file of a manifest, recorded by its
// base name (or, in older manifests, its path): at the recorded path or in
// the current directory, beside the manifest, then in the model cache by
// sha256. Not finding it is a usage error that asks for --model; a file
// found by name is still checked against the sha256 once loaded.
func findReplayModel(rec writer.ModelRecord, manifestPath string, cached func() ([]hub.CachedModel, error)) (string, error) {
	for _, p := range []string{rec.Ref, filepath.Join(filepath.Dir(manifestPath), filepath.Base(rec.Ref))} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return filepath.Abs(p)
		}
	}
	if rec.SHA256 != "" && cached != nil {
		models, _ := cached() // an unreadable cache only means "not found there"
		for _, m := range models {
			if m.SHA256 == rec.SHA256 {
				return m.Path, nil
			}
		}
	}
	return "", usageError{fmt.Errorf("--replay: the article was written with the local model file %s (sha256 %.12s…), "+
		"which is not in the current directory, beside the manifest or in the model cache: pass it with --model PATH",
		filepath.Base(rec.Ref), rec.SHA256)}
}

// cachedModels lists the GGUF files of the model cache.
func cachedModels() ([]hub.CachedModel, error) {
	hs, err := openCache(context.Background(), nil) // the replay lookup has no command context
	if err != nil {
		return nil, err
	}
	defer hs.Close()
	return hs.List()
}

// renameModel reports gen's model under ref (a replay of a local file
// found under another name records it as the manifest did); everything
// else, the optional interfaces included, is gen's.
func renameModel(gen llm.Generator, ref string) llm.Generator {
	r := renamedGen{Generator: gen, ref: ref}
	if s, ok := gen.(llm.ContextSizer); ok {
		return renamedSizer{r, s}
	}
	return r
}

type renamedGen struct {
	llm.Generator
	ref string
}

func (g renamedGen) Info() llm.ModelInfo {
	info := g.Generator.Info()
	info.Ref = g.ref
	return info
}

// Warnings passes on the engine's warnings about the model.
func (g renamedGen) Warnings() []string {
	if w, ok := g.Generator.(writer.Warner); ok {
		return w.Warnings()
	}
	return nil
}

// renamedSizer keeps the context sizing of a local engine.
type renamedSizer struct {
	renamedGen
	llm.ContextSizer
}
