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

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/remote"
	"github.com/plumewriter/plume/internal/store"
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
	Threads   int    // local engine threads (0 = all cores)
	Context   int    // --ctx: context length (0 = the model's)
}

// errLocalEngine is returned while the local engine is not wired in.
var errLocalEngine = errors.New("the local engine backend is not available in this build yet; use --backend openai --base-url URL")

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

// openLocal resolves the model through the hub and loads it with the local
// engine. TODO(lead): wire once internal/hub, internal/config and
// internal/engine are in the tree:
//
//	st, err := hub.OpenStore(config.Load())
//	ref := cfg.Model; if ref == "" { ref = hub.DefaultModel() }
//	loc, err := st.Resolve(ctx, ref, true, func(e hub.Event) { … progress … })
//	m, err := engine.Load(loc.Path, engine.Options{Threads: cfg.Threads, ContextLength: cfg.Context})
//	// engine.Load must fail with a clear error when the model does not fit in memory.
//	gen := m.Generator() // Info() must carry Ref, SHA256 (loc.SHA256), Commit, License, Backend "plume", EngineVersion
//	return gen, func() { m.Close() }, nil
func openLocal(_ context.Context, _ backendConfig, _ io.Writer) (llm.Generator, func(), error) {
	return nil, nil, errLocalEngine
}

// backendFromInfo recovers the backend of a recorded run (resume, replay):
// ModelInfo.Backend is "plume" or "openai:<base url>".
func backendFromInfo(backend, ref string) backendConfig {
	if url, ok := strings.CutPrefix(backend, backendOpenAI+":"); ok {
		return backendConfig{Backend: backendOpenAI, BaseURL: url, Model: ref}
	}
	return backendConfig{Backend: backendLocal, Model: ref}
}

// libraryPath is the article database. TODO(lead): take the data directory
// from internal/config once it exists (config.Load().DataDir); until then
// $XDG_DATA_HOME/plume, else ~/.local/share/plume. Tests replace it.
var libraryPath = func() (string, error) {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("data directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "plume", store.FileName), nil
}
