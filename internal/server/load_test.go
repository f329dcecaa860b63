package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

// probe wraps a generator: it waits for gate (if any) before generating,
// sleeps step per token (a slow decode step), and counts the tokens
// produced after the request's context was cancelled.
type probe struct {
	llm.Generator
	gate        <-chan struct{}
	step        time.Duration
	afterCancel *atomic.Int32 // tokens produced once ctx was done
	returned    chan<- error  // receives Generate's error when it returns (buffered)
}

func (p probe) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return llm.Result{}, ctx.Err()
		}
	}
	res, err := p.Generator.Generate(ctx, req, func(t llm.Token) error {
		if ctx.Err() != nil && p.afterCancel != nil {
			p.afterCancel.Add(1)
		}
		time.Sleep(p.step)
		return onToken(t)
	})
	if p.returned != nil {
		p.returned <- err
	}
	return res, err
}

// TestLoadBusy sends P+Q+K concurrent requests to P slots and Q queue
// places: exactly K get 503 with Retry-After, the others all complete, and
// no goroutine outlives the server.
func TestLoadBusy(t *testing.T) {
	const P, Q, K = 2, 3, 4
	loadFixture(t)
	before := runtime.NumGoroutine()
	t.Run("burst", func(t *testing.T) {
		gate := make(chan struct{})
		cfg := fixtureConfig(t, func(g llm.Generator) llm.Generator { return probe{Generator: g, gate: gate} })
		cfg.Parallel, cfg.Queue = P, Q
		ts := startServer(t, cfg, "", true)
		type result struct {
			status int
			retry  string
			text   string
		}
		results := make(chan result, P+Q+K)
		var wg sync.WaitGroup
		for range P + Q + K {
			wg.Go(func() {
				resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(
					`{"messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":8,"temperature":0}`))
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var c struct {
					Choices []struct{ Message struct{ Content string } }
				}
				_ = json.NewDecoder(resp.Body).Decode(&c)
				r := result{status: resp.StatusCode, retry: resp.Header.Get("Retry-After")}
				if len(c.Choices) == 1 {
					r.text = c.Choices[0].Message.Content
				}
				results <- r
			})
		}
		// K requests are refused at once; P run (held at the gate) and Q wait.
		waitFor(t, "P busy slots and Q queued requests", 10*time.Second, func() bool {
			busy, queued := ts.slots.occupancy()
			return busy == P && queued == Q && len(results) == K
		})
		close(gate)
		wg.Wait()
		close(results)
		var ok, busy int
		texts := map[string]bool{}
		for r := range results {
			switch r.status {
			case http.StatusOK:
				ok++
				texts[r.text] = true
			case http.StatusServiceUnavailable:
				busy++
				if r.retry == "" {
					t.Errorf("503 without Retry-After")
				}
			default:
				t.Errorf("status %d", r.status)
			}
		}
		if busy != K || ok != P+Q || len(texts) != 1 {
			t.Errorf("%d OK (%d distinct greedy texts), %d busy; want %d OK (1 text) and exactly %d busy", ok, len(texts), busy, P+Q, K)
		}
		t.Logf("P=%d Q=%d K=%d: %d completed, %d refused with 503 + Retry-After", P, Q, K, ok, busy)
	})
	checkGoroutines(t, before)
}

// readEvents reads n SSE data events from r.
func readEvents(t *testing.T, r io.Reader, n int) {
	t.Helper()
	sc := bufio.NewScanner(r)
	for got := 0; got < n; {
		if !sc.Scan() {
			t.Fatalf("stream ended after %d events: %v", got, sc.Err())
		}
		if strings.HasPrefix(sc.Text(), "data: {") {
			got++
		}
	}
}

// TestCancelFreesSlot: a client that disconnects mid-stream stops its
// generation within one decode step and frees its slot for the next
// request; the other slot's stream is not disturbed.
func TestCancelFreesSlot(t *testing.T) {
	loadFixture(t)
	before := runtime.NumGoroutine()
	t.Run("disconnect", func(t *testing.T) {
		const step = 20 * time.Millisecond
		var afterCancel atomic.Int32
		returned := make(chan error, 8)
		cfg := fixtureConfig(t, func(g llm.Generator) llm.Generator {
			return probe{Generator: g, step: step, afterCancel: &afterCancel, returned: returned}
		})
		cfg.Parallel, cfg.Queue = 2, -1 // no queue: a request finds a free slot or a 503
		ts := startServer(t, cfg, "", true)
		body := `{"messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":200,"temperature":0,"stream":true}`
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		// C streams to the end beside A.
		cDone := make(chan string, 1)
		go func() {
			resp, err := client.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(
				`{"messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":40,"temperature":0,"stream":true}`))
			if err != nil {
				cDone <- err.Error()
				return
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			cDone <- string(data)
		}()
		resp, err := client.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		readEvents(t, resp.Body, 3)
		resp.Body.Close() // A leaves mid-stream
		select {
		case err := <-returned:
			if err == nil {
				t.Fatal("A's generation ended without an error: it ran to the end")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("A's generation did not stop after its client left")
		}
		if n := afterCancel.Load(); n > 1 {
			t.Errorf("%d tokens generated after the client left, want at most 1 (one decode step)", n)
		}
		waitFor(t, "A's slot to be free", 5*time.Second, func() bool { busy, _ := ts.slots.occupancy(); return busy <= 1 })
		status, _, e := post(t, ts.URL, "/v1/chat/completions", []byte(chatHi), nil)
		if status != http.StatusOK {
			t.Errorf("next request after A left: %d %v", status, e)
		}
		c := <-cDone
		if !strings.Contains(c, `"finish_reason":"length"`) || !strings.HasSuffix(c, "data: [DONE]\n\n") {
			t.Errorf("C's stream was disturbed:\n%s", c)
		}
	})
	t.Run("queued client leaves", func(t *testing.T) {
		gate := make(chan struct{})
		cfg := fixtureConfig(t, func(g llm.Generator) llm.Generator { return probe{Generator: g, gate: gate} })
		cfg.Parallel, cfg.Queue = 1, 1
		ts := startServer(t, cfg, "", true)
		first := make(chan int, 1)
		go func() { first <- postStatus(ts.URL, chatHi) }() // holds the slot at the gate
		waitFor(t, "the slot taken", 5*time.Second, func() bool { busy, _ := ts.slots.occupancy(); return busy == 1 })
		ctx, cancel := context.WithCancel(context.Background())
		queued := make(chan struct{})
		go func() {
			defer close(queued)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/v1/chat/completions", strings.NewReader(chatHi))
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
		waitFor(t, "a queued request", 5*time.Second, func() bool { _, q := ts.slots.occupancy(); return q == 1 })
		cancel()
		<-queued
		waitFor(t, "the queue place freed", 5*time.Second, func() bool { _, q := ts.slots.occupancy(); return q == 0 })
		next := make(chan int, 1)
		go func() { next <- postStatus(ts.URL, chatHi) }()
		waitFor(t, "the next request queued", 5*time.Second, func() bool { _, q := ts.slots.occupancy(); return q == 1 })
		close(gate)
		if s := <-first; s != http.StatusOK {
			t.Errorf("request holding the slot: %d", s)
		}
		if s := <-next; s != http.StatusOK {
			t.Errorf("request queued after the leaver: %d", s)
		}
	})
	checkGoroutines(t, before)
}

// postStatus posts a chat body and returns the status (0 on a transport
// error), for use off the test goroutine.
func postStatus(url, body string) int {
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
