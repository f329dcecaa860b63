package kernels

import (
	"runtime"
	"sync"
)

// MaxThreads caps the worker count of a Pool; more threads than this never
// help a memory-bound matmul and would only cost scheduling overhead.
const MaxThreads = 256

// Pool is a fixed set of persistent worker goroutines, created once by
// NewPool and reused by every Run (no goroutine is started per operation).
// Jobs are serialized: concurrent Run or MatMul calls on one Pool take turns.
// A nil *Pool is valid and runs everything on the calling goroutine.
type Pool struct {
	mu      sync.Mutex // held for the duration of one job (Run, MatMul)
	threads int
	start   []chan job // one per worker goroutine (threads-1 of them)
	done    sync.WaitGroup
	closed  bool
	scratch []byte // MatMul's quantized activations, reused across calls
}

// job is one chunk of a Run handed to a worker.
type job struct {
	fn     func(lo, hi int)
	lo, hi int
}

// NewPool starts a pool of the given number of threads (the caller's
// goroutine counts as one, so threads-1 goroutines are started). threads <= 0
// means runtime.GOMAXPROCS(0); the count is capped at MaxThreads.
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, MaxThreads)
	p := &Pool{threads: threads, start: make([]chan job, threads-1)}
	for i := range p.start {
		ch := make(chan job)
		p.start[i] = ch
		go p.worker(ch)
	}
	return p
}

func (p *Pool) worker(ch chan job) {
	for j := range ch {
		j.fn(j.lo, j.hi)
		p.done.Done()
	}
}

// Threads returns the number of threads work is split over (1 for nil).
func (p *Pool) Threads() int {
	if p == nil {
		return 1
	}
	return p.threads
}

// Close stops the worker goroutines. It is idempotent; after Close, Run
// still works but executes on the calling goroutine.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for _, ch := range p.start {
		close(ch)
	}
}

// Run calls fn over [0, n) split into at most Threads contiguous chunks
// [lo, hi), chunk i being [i*n/T, (i+1)*n/T); the caller's goroutine runs the
// first chunk. Empty chunks are skipped. Run returns when every chunk is done.
// fn must not call Run or MatMul on the same pool (jobs do not nest).
func (p *Pool) Run(n int, fn func(lo, hi int)) {
	if p == nil {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runLocked(n, fn)
}

// runLocked is Run with p.mu already held.
func (p *Pool) runLocked(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := min(p.threads, n)
	if t <= 1 || p.closed {
		fn(0, n)
		return
	}
	p.done.Add(t - 1)
	for i := 1; i < t; i++ {
		p.start[i-1] <- job{fn: fn, lo: i * n / t, hi: (i + 1) * n / t}
	}
	fn(0, n/t)
	p.done.Wait()
}
