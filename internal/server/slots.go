package server

import (
	"context"
	"sync"

	"github.com/plumewriter/plume/internal/llm"
)

// slots hands out P generators (one KV cache each) to requests, with Q
// queue places in front of them. A request beyond P+Q is refused at once
// (errBusy); a queued request whose context ends leaves the queue at once.
type slots struct {
	admit chan struct{}   // P+Q places: a request holds one from admission to release
	free  chan int        // indices of idle slots
	mu    sync.Mutex      // guards gens
	gens  []llm.Generator // per slot, opened on first use
	open  func() (llm.Generator, error)
	gauge func(busy, queued int) // reports occupancy (metrics); may be nil

	cmu          sync.Mutex
	busy, queued int
}

func newSlots(parallel, queue int, gauge func(busy, queued int)) *slots {
	s := &slots{admit: make(chan struct{}, parallel+queue), free: make(chan int, parallel),
		gens: make([]llm.Generator, parallel), gauge: gauge}
	for i := range parallel {
		s.free <- i
	}
	return s
}

// setOpener sets how a slot opens its generator (once the model is loaded).
func (s *slots) setOpener(open func() (llm.Generator, error)) {
	s.mu.Lock()
	s.open = open
	s.mu.Unlock()
}

// acquire waits for a slot. It fails with errBusy when P+Q requests are
// already admitted, and with ctx's error when ctx ends while queued.
func (s *slots) acquire(ctx context.Context) (int, llm.Generator, error) {
	select {
	case s.admit <- struct{}{}:
	default:
		return 0, nil, errBusy()
	}
	i, g, err := s.acquireWait(ctx)
	if err != nil {
		<-s.admit // give back the place this request was admitted to
	}
	return i, g, err
}

// acquireWait waits for a slot without taking a queue place (article
// jobs: they were admitted when created).
func (s *slots) acquireWait(ctx context.Context) (int, llm.Generator, error) {
	s.count(0, 1)
	select {
	case i := <-s.free:
		s.count(1, -1)
		g, err := s.generator(i)
		if err != nil {
			s.releaseWait(i)
			return 0, nil, err
		}
		return i, g, nil
	case <-ctx.Done():
		s.count(0, -1)
		return 0, nil, ctx.Err()
	}
}

// releaseWait returns a slot taken by acquireWait.
func (s *slots) releaseWait(i int) {
	s.count(-1, 0)
	s.free <- i
}

// release returns slot i.
func (s *slots) release(i int) {
	s.count(-1, 0)
	s.free <- i
	<-s.admit
}

func (s *slots) generator(i int) (llm.Generator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gens[i] == nil {
		g, err := s.open()
		if err != nil {
			return nil, err
		}
		s.gens[i] = g
	}
	return s.gens[i], nil
}

// count moves the busy and queued counters and reports them.
func (s *slots) count(dBusy, dQueued int) {
	s.cmu.Lock()
	s.busy += dBusy
	s.queued += dQueued
	busy, queued := s.busy, s.queued
	s.cmu.Unlock()
	if s.gauge != nil {
		s.gauge(busy, queued)
	}
}

// occupancy returns the busy slots and queued requests.
func (s *slots) occupancy() (busy, queued int) {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	return s.busy, s.queued
}
