package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/server"
	"github.com/plumewriter/plume/internal/writer"
)

// blockingGen is the synthetic generator, except that each call waits
// while block is set (or until its context ends: a job cancelled mid-run).
type blockingGen struct {
	llm.Generator
	block *atomic.Bool
	// tokenDelay paces the tokens (to watch drafting in a browser).
	tokenDelay time.Duration
}

func (g blockingGen) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	for g.block.Load() {
		select {
		case <-ctx.Done():
			return llm.Result{}, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	if g.tokenDelay == 0 {
		return g.Generator.Generate(ctx, req, onToken)
	}
	return g.Generator.Generate(ctx, req, func(t llm.Token) error {
		time.Sleep(g.tokenDelay)
		return onToken(t)
	})
}

type fakeServeModel struct{ gen llm.Generator }

func (m fakeServeModel) ID() string                           { return "synthetic/tiny" }
func (m fakeServeModel) NewGenerator() (llm.Generator, error) { return m.gen, nil }

// startArticleServer serves the article API over a temporary library with
// the synthetic generator.
func startArticleServer(t *testing.T, block *atomic.Bool) string {
	return startArticleServerPaced(t, block, 0)
}

func startArticleServerPaced(t *testing.T, block *atomic.Bool, tokenDelay time.Duration) string {
	t.Helper()
	base, _ := startArticleServerEnv(t, block, tokenDelay)
	return base
}

// startArticleServerEnv is startArticleServerPaced that also returns the
// test environment (its library), for tests that act as another process.
func startArticleServerEnv(t *testing.T, block *atomic.Bool, tokenDelay time.Duration) (string, *testEnv) {
	t.Helper()
	env := newTestEnv(t, synthetic)
	gen := blockingGen{Generator: synthetic(), block: block, tokenDelay: tokenDelay}
	s, err := server.New(server.Config{Library: serveLibrary{env.d}, Log: slog.New(slog.NewTextHandler(t.Output(), nil)),
		Load: func(context.Context) (server.Model, error) { return fakeServeModel{gen: gen}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	<-s.Loaded()
	return "http://" + ln.Addr().String(), env
}

// TestArticleDeleteLockedElsewhere: an article whose lock another plume
// process holds (a `plume write` resuming it) is not deleted under it: 409,
// and the article is still there; once the lock is released, DELETE works.
func TestArticleDeleteLockedElsewhere(t *testing.T) {
	var block atomic.Bool
	base, env := startArticleServerEnv(t, &block, 0)
	var created struct{ ID int64 }
	call(t, http.MethodPost, base+"/api/articles", map[string]any{"topic": "Why bees matter", "words": 500, "seed": 3}, &created)
	art := base + "/api/articles/" + jsonID(created.ID)
	waitIdle(t, art, created.ID)

	other, err := library.Open(env.lib)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lk, err := other.LockArticle(created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if status := call(t, http.MethodDelete, art, nil, nil); status != http.StatusConflict {
		t.Errorf("delete while another process holds the lock: %d, want 409", status)
	}
	if status := call(t, http.MethodGet, art, nil, nil); status != http.StatusOK {
		t.Errorf("get after refused delete: %d, want 200", status)
	}
	lk.Unlock()
	if status := call(t, http.MethodDelete, art, nil, nil); status != http.StatusNoContent {
		t.Errorf("delete after unlock: %d, want 204", status)
	}
}

// call sends a JSON request and decodes the JSON answer into out (if any).
func call(t *testing.T, method, url string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, data)
		}
	}
	return resp.StatusCode
}

// events reads an article's SSE stream to its "end" event; after the
// first event it clears block (if set), so that a job held at its start
// runs once the stream is open.
func events(t *testing.T, url string, block *atomic.Bool) []writer.Event {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var evs []writer.Event
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e writer.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		evs = append(evs, e)
		if block != nil {
			block.Store(false)
		}
		if e.Type == "end" {
			return evs
		}
	}
	t.Fatalf("event stream ended without an end event after %d events: %v", len(evs), sc.Err())
	return nil
}

type articleJSON struct {
	ID       int64
	Status   string
	Running  bool
	State    writer.State
	Markdown string
	Manifest json.RawMessage
}

// waitIdle waits until article id's job has stopped.
func waitIdle(t *testing.T, url string, id int64) articleJSON {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var a articleJSON
		call(t, http.MethodGet, url, nil, &a)
		if !a.Running {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("article %d still running", id)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestArticleAPI writes an article through the API: outline review, an
// edited outline, drafting with events, the result, export, delete.
func TestArticleAPI(t *testing.T) {
	var block atomic.Bool
	block.Store(true) // until the event stream is open
	base := startArticleServer(t, &block)
	var created struct{ ID int64 }
	status := call(t, http.MethodPost, base+"/api/articles", map[string]any{
		"topic": "How to start composting at home", "words": 600, "seed": 7, "keywords": []string{"compost"}, "outline_review": true,
	}, &created)
	if status != http.StatusAccepted || created.ID == 0 {
		t.Fatalf("create: %d %+v", status, created)
	}
	art := base + "/api/articles/" + jsonID(created.ID)
	evs := events(t, art+"/events", &block)
	a := waitIdle(t, art, created.ID)
	if a.State.Outline == nil || a.State.DraftedParts() != 0 {
		t.Fatalf("after the outline review stop: outline %v, %d parts drafted", a.State.Outline, a.State.DraftedParts())
	}
	if !hasStage(evs, writer.StageOutline) || hasStage(evs, writer.StageDraft) {
		t.Errorf("events before the review: %+v", evs)
	}
	// A person edits the outline: a new title, the first section only, plus one of theirs.
	o := *a.State.Outline
	o.Title = "Composting at home, step by step"
	o.Sections = append(o.Sections[:1], writer.OutlineSection{Heading: "My own section on worms", Points: []string{"red wigglers"}})
	if status := call(t, http.MethodPut, art+"/outline", o, nil); status != http.StatusOK {
		t.Fatalf("put outline: %d", status)
	}
	if status := call(t, http.MethodPut, art+"/outline", writer.Outline{Title: "x"}, nil); status != http.StatusBadRequest {
		t.Errorf("an outline without sections: %d, want 400", status)
	}
	block.Store(true)
	if status := call(t, http.MethodPost, art+"/resume", nil, nil); status != http.StatusAccepted {
		t.Fatalf("resume: %d", status)
	}
	evs = events(t, art+"/events", &block)
	a = waitIdle(t, art, created.ID)
	if a.Status != library.StatusDone || !strings.Contains(a.Markdown, "My own section on worms") || len(a.Manifest) == 0 {
		t.Fatalf("after drafting: status %s, markdown has the edited section: %v, manifest %d bytes",
			a.Status, strings.Contains(a.Markdown, "My own section on worms"), len(a.Manifest))
	}
	if evs[len(evs)-1].Message != library.StatusDone || !hasStage(evs, writer.StageDraft) {
		t.Errorf("drafting events: %+v", evs)
	}
	for format, ctype := range map[string]string{"md": "text/markdown", "html": "text/html", "json": "application/json"} {
		resp, err := http.Get(art + "/export?format=" + format)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || !bytes.Contains(body, []byte("My own section on worms")) {
			t.Errorf("export %s: %d %s, %d bytes", format, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
	if status := call(t, http.MethodPut, art+"/outline", o, nil); status != http.StatusBadRequest {
		t.Errorf("outline edit after drafting: %d, want 400", status)
	}
	var list struct{ Articles []library.Summary }
	if call(t, http.MethodGet, base+"/api/articles", nil, &list); len(list.Articles) != 1 || list.Articles[0].ID != created.ID {
		t.Errorf("list: %+v", list)
	}
	if status := call(t, http.MethodDelete, art, nil, nil); status != http.StatusNoContent {
		t.Errorf("delete: %d", status)
	}
	if status := call(t, http.MethodGet, art, nil, nil); status != http.StatusNotFound {
		t.Errorf("get after delete: %d", status)
	}
}

// TestArticleCancelResume cancels a job mid-run, then resumes it to the
// end.
func TestArticleCancelResume(t *testing.T) {
	var block atomic.Bool
	block.Store(true)
	base := startArticleServer(t, &block)
	var created struct{ ID int64 }
	call(t, http.MethodPost, base+"/api/articles", map[string]any{"topic": "Why bees matter", "words": 500, "seed": 3}, &created)
	art := base + "/api/articles/" + jsonID(created.ID)
	if status := call(t, http.MethodDelete, art, nil, nil); status != http.StatusConflict {
		t.Errorf("delete while running: %d, want 409", status)
	}
	if status := call(t, http.MethodPost, art+"/resume", nil, nil); status != http.StatusConflict {
		t.Errorf("resume while running: %d, want 409", status)
	}
	if status := call(t, http.MethodPost, art+"/cancel", nil, nil); status != http.StatusAccepted {
		t.Fatalf("cancel: %d", status)
	}
	a := waitIdle(t, art, created.ID)
	if a.Status != library.StatusInterrupted {
		t.Fatalf("after cancel: %s", a.Status)
	}
	if status := call(t, http.MethodPost, art+"/cancel", nil, nil); status != http.StatusConflict {
		t.Errorf("cancel of a stopped job: %d, want 409", status)
	}
	block.Store(false)
	if status := call(t, http.MethodPost, art+"/resume", nil, nil); status != http.StatusAccepted {
		t.Fatalf("resume: %d", status)
	}
	if a = waitIdle(t, art, created.ID); a.Status != library.StatusDone || a.Markdown == "" {
		t.Errorf("after resume: %s", a.Status)
	}
	if status := call(t, http.MethodPost, art+"/resume", nil, nil); status != http.StatusBadRequest {
		t.Errorf("resume of a finished article: %d, want 400", status)
	}
	var bad struct{ Error struct{ Message string } }
	if status := call(t, http.MethodPost, base+"/api/articles", map[string]any{"topic": "", "words": 1}, &bad); status != http.StatusBadRequest {
		t.Errorf("invalid options: %d %+v", status, bad)
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }

func hasStage(evs []writer.Event, stage string) bool {
	for _, e := range evs {
		if e.Stage == stage {
			return true
		}
	}
	return false
}

// TestArticleJobsCheckpointAtShutdown: stopping the server (SIGINT)
// interrupts a running job, which stays resumable in the library.
func TestArticleJobsCheckpointAtShutdown(t *testing.T) {
	env := newTestEnv(t, synthetic)
	var block atomic.Bool
	block.Store(true)
	gen := blockingGen{Generator: synthetic(), block: &block}
	s, err := server.New(server.Config{Library: serveLibrary{env.d},
		Load: func(context.Context) (server.Model, error) { return fakeServeModel{gen: gen}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	<-s.Loaded()
	var created struct{ ID int64 }
	call(t, http.MethodPost, "http://"+ln.Addr().String()+"/api/articles", map[string]any{"topic": "Why bees matter", "words": 500}, &created)
	http.DefaultClient.CloseIdleConnections()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop")
	}
	lib, err := library.Open(env.lib)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	a, err := lib.Get(context.Background(), created.ID)
	if err != nil || a.Status != library.StatusInterrupted {
		t.Fatalf("after shutdown: %v %v, want interrupted", a, err)
	}
}
