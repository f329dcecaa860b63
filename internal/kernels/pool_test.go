package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// Run covers [0, n) exactly once with at most Threads contiguous chunks.
func TestPoolRunCoverage(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 4, 7} {
		p := NewPool(threads)
		if p.Threads() != threads {
			t.Fatalf("Threads() = %d, want %d", p.Threads(), threads)
		}
		for _, n := range []int{0, 1, 2, 3, 5, 10, 101} {
			hits := make([]int32, n)
			var calls atomic.Int32
			p.Run(n, func(lo, hi int) {
				calls.Add(1)
				if lo >= hi {
					t.Errorf("empty chunk [%d,%d)", lo, hi)
				}
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("threads=%d n=%d: index %d visited %d times", threads, n, i, h)
				}
			}
			if c := int(calls.Load()); c > threads || (n > 0 && c != min(threads, n)) {
				t.Errorf("threads=%d n=%d: %d chunks", threads, n, c)
			}
		}
		p.Close()
		p.Close() // idempotent
	}
}

// The pool is reused across many jobs, serializes concurrent callers, and
// still runs (on the caller) after Close.
func TestPoolReuseAndClose(t *testing.T) {
	p := NewPool(3)
	var wg sync.WaitGroup
	var total atomic.Int64
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				p.Run(30+g, func(lo, hi int) { total.Add(int64(hi - lo)) })
			}
		}()
	}
	wg.Wait()
	if want := int64(200 * (30 + 31 + 32 + 33)); total.Load() != want {
		t.Fatalf("total = %d, want %d", total.Load(), want)
	}
	p.Close()
	sum := 0
	p.Run(10, func(lo, hi int) { sum += hi - lo })
	if sum != 10 {
		t.Fatalf("after Close: covered %d of 10", sum)
	}
	var nilPool *Pool
	nilPool.Run(4, func(lo, hi int) { sum += hi - lo })
	if sum != 14 || nilPool.Threads() != 1 {
		t.Fatalf("nil pool: sum %d threads %d", sum, nilPool.Threads())
	}
	nilPool.Close()
	def, capped := NewPool(0), NewPool(MaxThreads+5)
	defer def.Close()
	defer capped.Close()
	want := min(PhysicalCores(), runtime.GOMAXPROCS(0))
	if def.Threads() != want || DefaultThreads() != want || capped.Threads() != MaxThreads {
		t.Fatalf("thread count default %d (DefaultThreads %d), want one per physical core %d; cap %d",
			def.Threads(), DefaultThreads(), want, capped.Threads())
	}
}
