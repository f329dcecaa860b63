package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeStream is a ResponseWriter whose writes can fail or block.
type fakeStream struct {
	mu      sync.Mutex
	header  http.Header
	status  int
	body    strings.Builder
	flushes int
	fail    bool          // writes fail (the client left)
	block   chan struct{} // writes wait for it to be closed, if set
}

func (f *fakeStream) Header() http.Header {
	if f.header == nil {
		f.header = http.Header{}
	}
	return f.header
}

func (f *fakeStream) WriteHeader(code int) { f.status = code }

func (f *fakeStream) Write(b []byte) (int, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return 0, errors.New("broken pipe")
	}
	return f.body.Write(b)
}

func (f *fakeStream) Flush() {
	f.mu.Lock()
	f.flushes++
	f.mu.Unlock()
}

// The events arrive whole and in order, after the headers, once close has
// returned; a few of them share a flush when they queue up.
func TestSSEOrder(t *testing.T) {
	f := &fakeStream{}
	ev := &sse{w: f, ctx: context.Background()}
	const n = 500
	for i := range n {
		if err := ev.send(map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	ev.done()
	ev.close()
	var want strings.Builder
	for i := range n {
		fmt.Fprintf(&want, "data: {\"i\":%d}\n\n", i)
	}
	want.WriteString("data: [DONE]\n\n")
	if f.body.String() != want.String() {
		t.Fatalf("stream differs from the events sent in order:\n%.300s", f.body.String())
	}
	if f.status != http.StatusOK || f.header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("status %d, content type %q", f.status, f.header.Get("Content-Type"))
	}
	if f.flushes < 1 || f.flushes > n+1 {
		t.Errorf("%d flushes for %d events", f.flushes, n+1)
	}
}

// After a failed write, send reports errClientGone (so the generation
// stops), and close still returns.
func TestSSEClientGone(t *testing.T) {
	f := &fakeStream{fail: true}
	ev := &sse{w: f, ctx: context.Background()}
	_ = ev.send("first") // queued before the failure is known
	deadline := time.Now().Add(10 * time.Second)
	var err error
	for err == nil && time.Now().Before(deadline) {
		err = ev.send("next")
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(err, errClientGone) {
		t.Fatalf("send after a failed write: %v, want errClientGone", err)
	}
	ev.close()
}

// A client that stops reading fills the queue: send then waits, and stops
// waiting with errClientGone when the request ends.
func TestSSEFullQueueStopsWithTheRequest(t *testing.T) {
	f := &fakeStream{block: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	ev := &sse{w: f, ctx: ctx}
	if err := ev.send("first"); err != nil { // starts the writer, which blocks writing it
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		for {
			if err := ev.send("x"); err != nil {
				sent <- err
				return
			}
		}
	}()
	select {
	case err := <-sent:
		t.Fatalf("send returned %v while the queue had room to fill", err)
	case <-time.After(50 * time.Millisecond):
	}
	if n := len(ev.q); n != sseQueue {
		t.Errorf("%d events queued, want the queue full (%d)", n, sseQueue)
	}
	cancel()
	if err := <-sent; !errors.Is(err, errClientGone) {
		t.Errorf("send after the request ended: %v, want errClientGone", err)
	}
	close(f.block)
	ev.close()
}
