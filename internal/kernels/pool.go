package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// MaxThreads caps the worker count of a Pool; more threads than this never
// help a memory-bound matmul and would only cost scheduling overhead.
const MaxThreads = 256

// spinWait is how long an idle worker (and a caller waiting for its
// workers) polls for the next job before sleeping. A decode step issues a
// job every few tens of microseconds; waking a sleeping goroutine costs
// about as much, so workers spin through the gaps between the jobs of one
// step (as llama.cpp's threads do) and sleep between steps.
const spinWait = 200 * time.Microsecond

// spinCheck is how many polls pass between two clock reads and yields while
// spinning (runtime.Gosched lets other goroutines run on a busy machine).
const spinCheck = 128

// Pool is a fixed set of persistent worker goroutines, created once by
// NewPool and reused by every Run (no goroutine is started per operation).
// Jobs are serialized: concurrent Run or MatMul calls on one Pool take turns.
// A nil *Pool is valid and runs everything on the calling goroutine.
type Pool struct {
	mu      sync.Mutex // held for the duration of one job (Run, MatMul)
	threads int
	closed  bool
	scratch []byte // MatMul's quantized activations, reused across calls

	// The current job, published by storing gen (release) after the fields.
	fn      func(lo, hi int)
	n, t    int
	gen     atomic.Uint64 // job generation; bumped once per job
	pending atomic.Int32  // workers that have not finished the current job
	quit    atomic.Bool
	spin    bool // workers spin while idle (threads <= GOMAXPROCS)

	sleepMu sync.Mutex // guards sleeping workers' wait on wake
	wake    *sync.Cond
}

// NewPool starts a pool of the given number of threads (the caller's
// goroutine counts as one, so threads-1 goroutines are started). threads <= 0
// means runtime.GOMAXPROCS(0); the count is capped at MaxThreads.
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, MaxThreads)
	p := &Pool{threads: threads, spin: threads <= runtime.GOMAXPROCS(0)}
	p.wake = sync.NewCond(&p.sleepMu)
	for id := 1; id < threads; id++ {
		go p.worker(id)
	}
	return p
}

// worker runs chunk id of every job until the pool is closed.
func (p *Pool) worker(id int) {
	var seen uint64
	for {
		seen = p.await(seen)
		if p.quit.Load() {
			return
		}
		if id < p.t {
			p.fn(id*p.n/p.t, (id+1)*p.n/p.t)
		}
		p.pending.Add(-1)
	}
}

// await returns the generation of the next job after seen, spinning for up
// to spinWait and then sleeping until the caller signals one.
func (p *Pool) await(seen uint64) uint64 {
	if p.spin {
		deadline := time.Now().Add(spinWait)
		for i := 1; ; i++ {
			if g := p.gen.Load(); g != seen {
				return g
			}
			if i%spinCheck == 0 {
				if time.Now().After(deadline) {
					break
				}
				runtime.Gosched()
			}
		}
	}
	p.sleepMu.Lock()
	defer p.sleepMu.Unlock()
	for {
		if g := p.gen.Load(); g != seen {
			return g
		}
		p.wake.Wait()
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
	p.quit.Store(true)
	p.publish()
}

// publish starts the job stored in p's fields: bump the generation, then
// wake the workers that went to sleep.
func (p *Pool) publish() {
	p.gen.Add(1)
	p.sleepMu.Lock()
	p.wake.Broadcast()
	p.sleepMu.Unlock()
}

// Run calls fn over [0, n) split into at most Threads contiguous chunks
// [lo, hi), chunk i being [i*n/T, (i+1)*n/T); the caller's goroutine runs the
// first chunk. Empty chunks are skipped. Run returns when every chunk is done.
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
	p.fn, p.n, p.t = fn, n, t
	p.pending.Store(int32(p.threads - 1))
	p.publish()
	fn(0, n/t)
	for i := 1; p.pending.Load() != 0; i++ {
		if i%spinCheck == 0 {
			runtime.Gosched()
		}
	}
	p.fn = nil
}
