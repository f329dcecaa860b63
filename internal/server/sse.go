package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
)

// sseQueue is how many encoded events wait for the writer before send
// blocks: a client that reads slower than the model writes slows the
// generation down (back-pressure) instead of growing the server's memory.
// 64 tokens are a few seconds of a CPU model's output.
const sseQueue = 64

// sse writes a Server-Sent Events stream. The status and headers go out
// with the first event, so an error found before any token (a prompt too
// long for the context) is still an ordinary JSON error with its status.
// send encodes each event on the
// caller's goroutine and queues it; a writer goroutine writes and flushes
// it. The token callback of a generation thus never waits for the socket:
// the write and flush (about 0.2 ms a token in plume serve's profile on
// the machine of BENCHMARKS.md, on the generation's serial path, while the
// engine's other workers waited) overlap the next decode step. Events that
// queue up while a write is under way go out in one write and one flush.
// A failed write (the client left) makes every later send return
// errClientGone. close must be called before the handler returns, and the
// handler must not write to w itself once send has been called.
type sse struct {
	w       http.ResponseWriter
	ctx     context.Context // the request's: a send waiting for room stops when it ends
	started bool
	q       chan []byte
	stopped chan struct{} // closed when the writer has returned
	gone    atomic.Bool   // a write or flush failed
}

// send queues v, JSON-encoded, as one event; the first call sends the
// stream's headers and starts the writer.
func (e *sse) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.queue(append(append([]byte("data: "), b...), '\n', '\n'))
}

// done queues the stream's last event, OpenAI's "data: [DONE]".
func (e *sse) done() { _ = e.queue([]byte("data: [DONE]\n\n")) }

func (e *sse) queue(ev []byte) error {
	if !e.started {
		e.started = true
		h := e.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		e.w.WriteHeader(http.StatusOK)
		e.q, e.stopped = make(chan []byte, sseQueue), make(chan struct{})
		go e.write()
	}
	if e.gone.Load() {
		return errClientGone
	}
	select {
	case e.q <- ev:
		return nil
	case <-e.ctx.Done():
		return errClientGone
	}
}

// write writes the queued events until close, flushing when the queue is
// empty; after a failure it only drains the queue.
func (e *sse) write() {
	defer close(e.stopped)
	rc := http.NewResponseController(e.w)
	for ev := range e.q {
		if e.gone.Load() {
			continue
		}
		_, err := e.w.Write(ev)
		for err == nil && len(e.q) > 0 { // what queued meanwhile, in the same flush
			_, err = e.w.Write(<-e.q)
		}
		if err == nil {
			err = rc.Flush()
		}
		if err != nil {
			e.gone.Store(true)
		}
	}
}

// close waits until every queued event is written (or the client is
// gone). It does nothing if no event was sent.
func (e *sse) close() {
	if !e.started {
		return
	}
	close(e.q)
	<-e.stopped
}
