package kernels

import (
	"runtime"
	"runtime/debug"
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
// spinning (runtime.Gosched lets other goroutines run on a busy machine). A
// yield costs a trip through the scheduler (~1 µs), so it is kept rare: with
// 128 the yields took ~10% of a 2-thread decode profile.
const spinCheck = 2048

// Pool is a fixed set of persistent worker goroutines, created once by
// NewPool and reused by every Run (no goroutine is started per operation).
// Jobs are serialized: concurrent Run or MatMul calls on one Pool take turns.
// A nil *Pool is valid and runs everything on the calling goroutine.
//
// A job's chunks are claimed in order by whichever thread is free (the
// caller included), and the caller returns once every chunk is done: a
// worker the OS has descheduled on a busy machine delays nothing, its
// chunks are taken by the others.
type Pool struct {
	mu      sync.Mutex // held for the duration of one job (Run, MatMul)
	threads int
	closed  bool
	scratch []byte // MatMul's quantized activations, reused across calls
	// scratchScales holds their block scales as float32 (tileActScales).
	scratchScales []float32
	// scratchTile16 holds them packed for the 16×16 tile (packTile16).
	scratchTile16 tile16Acts
	// scratchTile16K holds Q8_K ones packed for the repacked Q4_K tile
	// (packTile16K).
	scratchTile16K tile16KActs

	job  atomic.Pointer[poolJob] // the current job; a new pointer per job
	quit atomic.Bool
	spin bool // workers spin while idle (threads <= GOMAXPROCS)

	sleepMu  sync.Mutex // guards sleeping workers' wait on wake
	wake     *sync.Cond
	sleepers atomic.Int32 // workers inside the sleeping part of await
}

// poolJob is one Run: [0, n) in chunks chunks, inner bounds multiples of
// align. It is immutable once published except for its counters.
type poolJob struct {
	fn         func(lo, hi int)
	n, chunks  int
	align      int
	next, done atomic.Int32 // chunks claimed, chunks finished
	// panicked holds the first panic of a chunk (a memory fault on a
	// mapped model file that was truncated, with SetPanicOnFault), which
	// the caller re-raises on its own goroutine once every chunk is done,
	// so a worker's fault reaches the engine's recover instead of killing
	// the process.
	panicked atomic.Pointer[any]
}

// bound returns the start of chunk k (n for k == chunks).
func (j *poolJob) bound(k int) int {
	if k >= j.chunks {
		return j.n
	}
	b := k * j.n / j.chunks
	return b - b%j.align
}

// claim runs chunks of j until none is left unclaimed.
func (j *poolJob) claim() {
	for {
		k := int(j.next.Add(1)) - 1
		if k >= j.chunks {
			return
		}
		if lo, hi := j.bound(k), j.bound(k+1); lo < hi {
			j.run(lo, hi)
		}
		j.done.Add(1)
	}
}

// run calls fn on one chunk, keeping its panic for the caller.
func (j *poolJob) run(lo, hi int) {
	defer func() {
		if r := recover(); r != nil {
			j.panicked.CompareAndSwap(nil, &r)
		}
	}()
	j.fn(lo, hi)
}

// DefaultThreads is the thread count used when none is given: one per
// physical core (see PhysicalCores), at most runtime.GOMAXPROCS(0).
func DefaultThreads() int { return max(1, min(PhysicalCores(), runtime.GOMAXPROCS(0))) }

// NewPool starts a pool of the given number of threads (the caller's
// goroutine counts as one, so threads-1 goroutines are started). threads <= 0
// means DefaultThreads(); the count is capped at MaxThreads.
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = DefaultThreads()
	}
	threads = min(threads, MaxThreads)
	p := &Pool{threads: threads, spin: threads <= runtime.GOMAXPROCS(0)}
	p.wake = sync.NewCond(&p.sleepMu)
	p.job.Store(&poolJob{})
	for range threads - 1 {
		go p.worker(p.job.Load())
	}
	return p
}

// worker helps with every job published after seen until the pool is closed.
// Its memory faults panic (and are handed to the caller, see poolJob)
// instead of crashing the process: workers read mapped model weights.
func (p *Pool) worker(seen *poolJob) {
	debug.SetPanicOnFault(true)
	for {
		seen = p.await(seen)
		if p.quit.Load() {
			return
		}
		seen.claim()
	}
}

// await returns the next job after seen, spinning for up to spinWait and
// then sleeping until the caller signals one.
func (p *Pool) await(seen *poolJob) *poolJob {
	if p.spin {
		deadline := time.Now().Add(spinWait)
		for i := 1; ; i++ {
			if j := p.job.Load(); j != seen {
				return j
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
	// Announce the sleep before re-checking job: publish stores job before
	// reading sleepers, so either it sees this worker and broadcasts (after
	// Wait releases sleepMu) or this check sees its new job.
	p.sleepers.Add(1)
	defer p.sleepers.Add(-1)
	for {
		if j := p.job.Load(); j != seen {
			return j
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
	p.publish(&poolJob{})
}

// publish starts job j: store it, then wake the workers that went to sleep.
func (p *Pool) publish(j *poolJob) {
	p.job.Store(j)
	if p.sleepers.Load() == 0 {
		return // every worker is spinning and will see the new job
	}
	p.sleepMu.Lock()
	p.wake.Broadcast()
	p.sleepMu.Unlock()
}

// Run calls fn over [0, n) split into at most Threads contiguous chunks
// [lo, hi), chunk i being [i*n/T, (i+1)*n/T); the caller's goroutine takes
// part. Empty chunks are skipped. Run returns when every chunk is done.
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
func (p *Pool) runLocked(n int, fn func(lo, hi int)) { p.runChunks(n, 1, 1, fn) }

// runChunks is Run with up to per chunks per thread whose inner bounds are
// multiples of align (p.mu held). More chunks than threads balance the load
// when one thread is slowed down.
func (p *Pool) runChunks(n, per, align int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := min(p.threads, n)
	if t <= 1 || p.closed {
		fn(0, n)
		return
	}
	j := &poolJob{fn: fn, n: n, chunks: min(n, t*max(per, 1)), align: max(align, 1)}
	p.publish(j)
	j.claim()
	for i := 1; int(j.done.Load()) != j.chunks; i++ {
		if i%spinCheck == 0 {
			runtime.Gosched()
		}
	}
	if r := j.panicked.Load(); r != nil {
		panic(*r)
	}
}
