package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/server"
)

// serveFlags are the flags of plume serve.
type serveFlags struct {
	host, model, apiKeyEnv string
	parallel, queue        int
	cors                   []string
	threads, ctx           int
	cpuProfile             string
}

func newServeCmd(d *deps) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the model over an OpenAI-compatible HTTP API",
		Long: `Serve the model over an OpenAI-compatible HTTP API (/v1/models,
/v1/chat/completions, /v1/completions), with /health and /metrics.

The model loads in the background; /health answers 503 until it is ready.
SIGINT or SIGTERM stops the server: requests in flight get ` + fmt.Sprint(server.ShutdownGrace) + ` to
finish, then their generation is cancelled.

Secure by default: it listens on ` + server.DefaultAddr + `, refuses to listen
on any other interface without an API key (--api-key-env VAR), answers 403
to a Host header that is not a loopback name on a loopback address (DNS
rebinding) and to browser pages of other origins unless --cors lists them.
With --parallel N slots and --queue M waiting places, a request beyond them
gets 503 with Retry-After.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, d, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.host, "host", server.DefaultAddr, "address to listen on (host:port); a non-loopback address needs --api-key-env")
	fl.StringVar(&f.model, "model", "", "model reference: .gguf path, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf or alias (default: $"+config.EnvModel+", else "+hub.DefaultModel()+")")
	fl.StringVar(&f.apiKeyEnv, "api-key-env", "", "environment variable holding the API key clients must send as Authorization: Bearer KEY")
	fl.IntVar(&f.parallel, "parallel", server.DefaultParallel, fmt.Sprintf("generation slots, each with its own KV cache (1–%d)", server.MaxParallel))
	fl.IntVar(&f.queue, "queue", server.DefaultQueue, fmt.Sprintf("requests that may wait for a slot (0–%d); beyond, 503 with Retry-After", server.MaxQueue))
	fl.StringSliceVar(&f.cors, "cors", nil, "origins allowed to call the API from a browser (e.g. https://blog.example), comma-separated")
	fl.IntVar(&f.threads, "threads", 0, "engine threads (0 = $"+config.EnvThreads+", else one per physical core)")
	fl.IntVar(&f.ctx, "ctx", 0, "context length per slot (0 = min(model's, "+fmt.Sprint(engine.DefaultContextLength)+"))")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) of the whole serving time to this file, for finding the hot spots")
	return cmd
}

func runServe(cmd *cobra.Command, d *deps, f *serveFlags) error {
	key := ""
	if f.apiKeyEnv != "" {
		if key = os.Getenv(f.apiKeyEnv); key == "" {
			return usageError{fmt.Errorf("--api-key-env %s: the variable is empty or unset", f.apiKeyEnv)}
		}
	}
	if f.parallel < 1 || f.parallel > server.MaxParallel {
		return usageError{fmt.Errorf("--parallel %d: want 1..%d", f.parallel, server.MaxParallel)}
	}
	if f.queue < 0 || f.queue > server.MaxQueue {
		return usageError{fmt.Errorf("--queue %d: want 0..%d", f.queue, server.MaxQueue)}
	}
	queue := f.queue
	if queue == 0 {
		queue = -1 // the server's "none"; its zero means the default
	}
	stop, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	stderr := cmd.ErrOrStderr()
	cfg := backendConfig{Backend: backendLocal, Model: f.model, Threads: f.threads, Context: f.ctx}
	s, err := server.New(server.Config{
		Load:     func(ctx context.Context) (server.Model, error) { return d.openServeModel(ctx, cfg, stderr) },
		APIKey:   key,
		Parallel: f.parallel,
		Queue:    queue,
		CORS:     f.cors,
		Library:  serveLibrary{d},
		Log:      slog.New(slog.NewTextHandler(stderr, nil)),
	})
	if err != nil {
		return usageError{err}
	}
	ln, err := s.Listen(f.host)
	if errors.Is(err, server.ErrInsecure) {
		return usageError{err}
	}
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(stderr, "plume: serving on http://%s (OpenAI API at /v1)\n", ln.Addr())
	return s.Serve(cmd.Context(), ln)
}

// openServeModel opens the model the way plume write does, and serves it
// with one engine session per slot. It is the production
// deps.openServeModel.
func openServeModel(ctx context.Context, cfg backendConfig, progress io.Writer) (server.Model, error) {
	gen, _, err := openGenerator(ctx, cfg, progress)
	if err != nil {
		return nil, err
	}
	// The model stays open for the life of the process.
	eg, ok := gen.(*engine.Generator)
	if !ok {
		return nil, fmt.Errorf("serve: the local engine did not open the model (got %T)", gen)
	}
	return serveModel{m: eg.Model(), info: eg.Info()}, nil
}

// serveModel adapts an engine model to server.Model.
type serveModel struct {
	m    *engine.Model
	info llm.ModelInfo
}

// ID is the model's reference: a hub reference as given, or a local file's
// base name (its directory is nobody's business).
func (s serveModel) ID() string {
	if isLocalModelRef(s.info.Ref) {
		return filepath.Base(s.info.Ref)
	}
	return s.info.Ref
}

func (s serveModel) NewGenerator() (llm.Generator, error) {
	return s.m.Generator(), nil // reports the provenance engine.Open resolved
}
