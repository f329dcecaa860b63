package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

// Model is a loaded model as the server sees it.
type Model interface {
	// ID is the model's name in /v1/models and in responses.
	ID() string
	// NewGenerator opens a generator with a session (KV cache) of its own;
	// the server opens one per slot, on the slot's first request.
	NewGenerator() (llm.Generator, error)
}

// Loader opens the model. Serve calls it once, in the background; /health
// answers 503 and generation requests 503 with Retry-After until it
// returns.
type Loader func(ctx context.Context) (Model, error)

// Config configures a Server. The zero value of each limit means its
// default.
type Config struct {
	// Load opens the model (required).
	Load Loader
	// APIKey, when set, is required as "Authorization: Bearer KEY" on every
	// route but /health. A non-loopback listener without one is refused.
	APIKey string
	// Parallel is the number of generation slots (default DefaultParallel);
	// Queue the number of requests that may wait for one (default
	// DefaultQueue; negative means none).
	Parallel, Queue int
	// CORS lists the origins (scheme://host[:port]) allowed to call the API
	// from a browser; none by default.
	CORS []string
	// Library serves the article API (/api/articles) when set.
	Library Library
	// Log receives errors and lifecycle messages (default: discarded).
	Log *slog.Logger
}

// Server is plume serve's HTTP server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	slots   *slots
	metrics *metrics
	jobs    *jobs
	guard   *guard             // set by Handler
	stop    context.CancelFunc // ends the jobs' context

	mu      sync.Mutex
	model   Model
	loadErr error
	loaded  chan struct{} // closed when Load returns
}

// New checks cfg and builds a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Load == nil {
		return nil, errors.New("server: Config.Load is required")
	}
	if cfg.Parallel == 0 {
		cfg.Parallel = DefaultParallel
	}
	switch {
	case cfg.Queue == 0:
		cfg.Queue = DefaultQueue
	case cfg.Queue < 0:
		cfg.Queue = 0
	}
	if cfg.Parallel < 1 || cfg.Parallel > MaxParallel || cfg.Queue > MaxQueue {
		return nil, fmt.Errorf("server: parallel %d (1..%d), queue %d (0..%d)", cfg.Parallel, MaxParallel, cfg.Queue, MaxQueue)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, log: cfg.Log, metrics: newMetrics(), loaded: make(chan struct{})}
	s.slots = newSlots(cfg.Parallel, cfg.Queue, s.metrics.occupancy)
	if cfg.Library != nil {
		var base context.Context
		base, s.stop = context.WithCancel(context.Background())
		s.jobs = newJobs(base, cfg.Library, s.jobGenerator, s.metrics, cfg.Log)
	}
	return s, nil
}

// Listen opens a TCP listener on addr (DefaultAddr if empty), refusing a
// non-loopback address when the server has no API key: the check happens
// before the port is opened.
func (s *Server) Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	if _, err := newGuard(isLoopbackAddr(addr), s.cfg.APIKey, s.cfg.CORS); err != nil {
		return nil, err
	}
	return net.Listen("tcp", addr)
}

// Serve loads the model in the background and serves on ln until ctx ends;
// then it stops accepting, lets requests in flight run for ShutdownGrace,
// and cancels the rest. It refuses a non-loopback listener without an API
// key.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	h, err := s.Handler(isLoopbackAddr(ln.Addr().String()))
	if err != nil {
		ln.Close()
		return err
	}
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.load(base)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	grace, stop := context.WithTimeout(context.Background(), ShutdownGrace)
	defer stop()
	err = srv.Shutdown(grace)
	if errors.Is(err, context.DeadlineExceeded) {
		cancel() // generation stops within one decode step
		err = srv.Close()
	}
	<-errc
	if s.jobs != nil { // article jobs checkpoint and stay resumable
		s.stop()
		s.jobs.wait()
	}
	return err
}

// load runs Config.Load once.
func (s *Server) load(ctx context.Context) {
	m, err := s.cfg.Load(ctx)
	s.mu.Lock()
	s.model, s.loadErr = m, err
	s.mu.Unlock()
	if err != nil {
		s.log.Error("model load failed", "err", err)
	} else {
		s.slots.setOpener(m.NewGenerator)
		s.log.Info("model loaded", "model", m.ID())
	}
	close(s.loaded)
}

// jobGenerator is the generator of article jobs, once the model is loaded.
func (s *Server) jobGenerator() (llm.Generator, error) {
	m, err := s.currentModel()
	if err != nil {
		return nil, err
	}
	info, err := m.NewGenerator()
	if err != nil {
		return nil, err
	}
	return slotGenerator{s: s.slots, info: info}, nil
}

// Loaded is closed once the model load has finished (or failed).
func (s *Server) Loaded() <-chan struct{} { return s.loaded }

// currentModel returns the loaded model, or a 503 while loading, or a 500
// after a failed load.
func (s *Server) currentModel() (Model, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.loaded:
	default:
		return nil, &Error{Status: http.StatusServiceUnavailable, Type: typeOverloaded, Code: "model_loading",
			RetryAfter: RetryAfter, Message: "the model is still loading"}
	}
	if s.loadErr != nil {
		return nil, &Error{Status: http.StatusInternalServerError, Type: typeServer, Code: "model_load_failed",
			Message: "the model failed to load; see the server's log"}
	}
	return s.model, nil
}

// Handler returns the server's routes behind its guard. loopback says
// whether the listener only accepts local connections (the Host check
// applies then); without an API key it must be true.
func (s *Server) Handler(loopback bool) (http.Handler, error) {
	g, err := newGuard(loopback, s.cfg.APIKey, s.cfg.CORS)
	if err != nil {
		return nil, err
	}
	s.guard = g
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.health)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /v1/models", s.listModels)
	mux.HandleFunc("GET /v1/models/{id...}", s.getModel)
	mux.HandleFunc("POST /v1/chat/completions", s.chatCompletions)
	mux.HandleFunc("POST /v1/completions", s.completions)
	if s.jobs != nil {
		s.articleRoutes(mux)
		s.studioRoutes(mux)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, s.log, &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: "no route " + r.Method + " " + r.URL.Path})
	})
	return s.metrics.count(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch err := g.check(w, r); {
		case errors.Is(err, errPreflight):
			w.WriteHeader(http.StatusNoContent)
		case err != nil && s.jobs != nil && isStudioPage(r) && apiError(err).Status == http.StatusUnauthorized:
			http.Redirect(w, r, "/login", http.StatusSeeOther) // a browser without the key cookie
		case err != nil:
			writeError(w, s.log, err)
		default:
			mux.ServeHTTP(w, r)
		}
	})), nil
}

// isStudioPage reports whether r asks for a studio page (not the API).
func isStudioPage(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodGet && (p == "/" || strings.HasPrefix(p, "/articles/"))
}

// health answers 200 once the model is loaded, 503 before, 500 after a
// failed load.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	if _, err := s.currentModel(); err != nil {
		e := apiError(err)
		status := "loading"
		if e.Status == http.StatusInternalServerError {
			status = "error"
		}
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
		}
		writeJSON(w, e.Status, map[string]string{"status": status})
		return
	}
	busy, queued := s.slots.occupancy()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "slots_busy": busy, "queued": queued})
}

// resolveModel checks the model a request names: the loaded one, "default"
// or empty (plume write --backend openai asks for "default").
func (s *Server) resolveModel(name string) (Model, error) {
	m, err := s.currentModel()
	if err != nil {
		return nil, err
	}
	if name != "" && name != "default" && name != m.ID() {
		return nil, &Error{Status: http.StatusNotFound, Type: typeInvalidRequest, Code: "model_not_found", Param: "model",
			Message: fmt.Sprintf("model %q is not served here; this server serves %q", name, m.ID())}
	}
	return m, nil
}

// modelObject is an entry of /v1/models.
type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func (s *Server) listModels(w http.ResponseWriter, _ *http.Request) {
	m, err := s.currentModel()
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []modelObject{{ID: m.ID(), Object: "model", OwnedBy: "plume"}}})
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) {
	m, err := s.resolveModel(r.PathValue("id"))
	if err == nil && r.PathValue("id") != m.ID() {
		err = &Error{Status: http.StatusNotFound, Type: typeNotFound, Code: "model_not_found", Message: "no model " + r.PathValue("id")}
	}
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, modelObject{ID: m.ID(), Object: "model", OwnedBy: "plume"})
}

// now is the clock of "created" fields.
var now = time.Now
