package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/testutil"
)

// testContext is the fixture sessions' context length: short prompts and
// completions, and a small KV cache per slot.
const testContext = 256

var (
	fixtureOnce sync.Once
	fixture     *engine.Model
	fixtureErr  error
)

func loadFixture(t testing.TB) *engine.Model {
	t.Helper()
	path := testutil.Fixture(t, "stories260K.gguf")
	fixtureOnce.Do(func() {
		fixture, fixtureErr = engine.Load(path, engine.Options{Threads: 1, ContextLength: testContext})
	})
	if fixtureErr != nil {
		t.Fatalf("load fixture: %v", fixtureErr)
	}
	return fixture
}

// engineModel serves an engine model, as cmd/plume's adapter does.
type engineModel struct {
	m    *engine.Model
	id   string
	wrap func(llm.Generator) llm.Generator // optional, for tests that pace or gate generation
}

func (e engineModel) ID() string { return e.id }

func (e engineModel) NewGenerator() (llm.Generator, error) {
	g := e.m.Generator()
	if e.wrap != nil {
		g = e.wrap(g)
	}
	return g, nil
}

// testServer is a Server on a real socket.
type testServer struct {
	*Server
	URL    string
	client openai.Client
}

// startServer serves cfg on addr ("127.0.0.1:0" if empty) until the test
// ends, and waits for the model to load when wait is set.
func startServer(t *testing.T, cfg Config, addr string, wait bool) *testServer {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := s.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		// Connections the client dialed but never used are "new" to the
		// server, which Shutdown waits 5 s for; close them first.
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	if wait {
		<-s.Loaded()
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	url := "http://127.0.0.1:" + port
	key := cfg.APIKey
	if key == "" {
		key = "unused"
	}
	c := openai.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey(key), option.WithMaxRetries(0))
	return &testServer{Server: s, URL: url, client: c}
}

// fixtureConfig serves the fixture model.
func fixtureConfig(t *testing.T, wrap func(llm.Generator) llm.Generator) Config {
	m := loadFixture(t)
	return Config{Load: func(context.Context) (Model, error) {
		return engineModel{m: m, id: filepath.Base("stories260K.gguf"), wrap: wrap}, nil
	}}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkGoroutines fails when goroutines started during the test outlive it
// (after idle connections are closed and the server stopped).
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines, %d before the test:\n%s", runtime.NumGoroutine(), before, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
