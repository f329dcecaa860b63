package main

// Wiring of `plume write` to the backends and to the data directory. This is
// the one file that depends on the engine, hub and config packages; the rest
// of the write command only sees llm.Generator.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/remote"
	"github.com/plumewriter/plume/internal/store"
	"github.com/plumewriter/plume/internal/writer"
)

// Backends of --backend.
const (
	backendLocal  = "plume"
	backendOpenAI = "openai"
)

// backendConfig is what the write command knows about the generator to open.
type backendConfig struct {
	Backend   string // backendLocal or backendOpenAI
	Model     string // model reference (hub ref, alias or path; remote model name)
	BaseURL   string // --base-url, for openai
	APIKeyEnv string // --api-key-env, for openai
	Threads   int    // local engine threads (0 = one per physical core)
	Context   int    // --ctx: context length (0 = the model's)
	// NoPromptCache is --prompt-cache off (local engine).
	NoPromptCache bool
}

// openGenerator opens the generator for cfg; close releases it. Tests
// replace it with a fake.
var openGenerator = func(ctx context.Context, cfg backendConfig, progress io.Writer) (gen llm.Generator, close func(), err error) {
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
		model = "default"
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

// openLocal resolves the model through the hub (pulling it if needed) and
// loads it with the local engine.
func openLocal(ctx context.Context, cfg backendConfig, progress io.Writer) (llm.Generator, func(), error) {
	conf := loadConfig(progress)
	hs, err := hub.OpenStore(conf)
	if err != nil {
		return nil, nil, fmt.Errorf("model store: %w", err)
	}
	ref := firstNonEmpty(cfg.Model, conf.Model, hub.DefaultModel())
	loc, err := hs.Resolve(ctx, ref, true, func(e hub.Event) {
		if e.Type != hub.EventProgress && progress != nil {
			fmt.Fprintf(progress, "[model] %s %s%s\n", e.Type, e.Repo, "/"+e.File)
		}
	})
	hs.Close()
	if err != nil {
		if !strings.Contains(err.Error(), ref) { // the hub's errors usually name the model already
			err = fmt.Errorf("model %s: %w", ref, err)
		}
		return nil, nil, refError(err)
	}
	threads := cfg.Threads
	if threads == 0 {
		threads = conf.Threads
	}
	if err := checkMemory(loc.Path, cfg.Context); err != nil {
		return nil, nil, err
	}
	// The hub already knows the sha256, so the engine never re-hashes the file.
	src := engine.Source{Ref: loc.Ref, SHA256: loc.SHA256, Commit: loc.Commit, License: loc.License}
	m, err := engine.Load(loc.Path, engine.Options{Threads: threads, ContextLength: cfg.Context, Source: src, NoPromptCache: cfg.NoPromptCache})
	if errors.Is(err, engine.ErrOptions) {
		return nil, nil, usageError{err} // --threads, --ctx out of range
	}
	if err != nil {
		// engine.Load names the file ("load PATH: …") for most errors; a
		// second "load" prefix made "load X: load X: …".
		if !strings.Contains(err.Error(), loc.Path) {
			err = fmt.Errorf("load %s: %w", loc.Ref, err)
		}
		return nil, nil, err
	}
	info := m.Info()
	info.Ref, info.SHA256, info.Commit = loc.Ref, loc.SHA256, loc.Commit
	if loc.License != "" {
		info.License = loc.License
	}
	return provenanceGen{Generator: m.Generator(), info: info}, func() { m.Close() }, nil
}

// provenanceGen reports the hub's view of the model (canonical reference,
// commit, licence) instead of the engine's file path, so that manifests are
// the same on every machine.
type provenanceGen struct {
	llm.Generator
	info llm.ModelInfo
}

func (g provenanceGen) Info() llm.ModelInfo { return g.info }

// Warnings passes on the engine's warnings about the model (a chat template
// replaced by a builtin), which the writer prints and records.
func (g provenanceGen) Warnings() []string {
	if w, ok := g.Generator.(writer.Warner); ok {
		return w.Warnings()
	}
	return nil
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// backendFromInfo recovers the backend of a recorded run (resume, replay):
// ModelInfo.Backend is "plume" or "openai:<base url>".
func backendFromInfo(backend, ref string) backendConfig {
	if url, ok := strings.CutPrefix(backend, backendOpenAI+":"); ok {
		return backendConfig{Backend: backendOpenAI, BaseURL: url, Model: ref}
	}
	return backendConfig{Backend: backendLocal, Model: ref}
}

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
func findReplayModel(rec writer.ModelRecord, manifestPath string, cached func() ([]hub.Model, error)) (string, error) {
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
func cachedModels() ([]hub.Model, error) {
	hs, err := hub.OpenStore(config.Load())
	if err != nil {
		return nil, fmt.Errorf("model store: %w", err)
	}
	defer hs.Close()
	return hs.List()
}

// libraryPath is the article database, in Plume's data directory
// (internal/config: PLUME_HOME, else XDG_DATA_HOME/plume). Tests replace it.
var libraryPath = func() (string, error) {
	dir := config.Load().DataDir
	if dir == "" {
		return "", errors.New("no data directory: set PLUME_HOME")
	}
	return filepath.Join(dir, store.FileName), nil
}
