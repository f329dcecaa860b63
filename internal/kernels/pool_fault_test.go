//go:build unix

package kernels

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// faultSink keeps the test's reads of the mapping from being optimised out.
var faultSink atomic.Int64

// TestPoolWorkerFaultReachesCaller: a memory fault in a worker goroutine
// (reading a mapped file that was truncated, issue 13 item 1) does not kill
// the process: the worker recovers it and Run re-raises it on the caller's
// goroutine, where the engine recovers it. Only the workers touch the
// mapping here, so without their SetPanicOnFault this test dies of SIGBUS.
func TestPoolWorkerFaultReachesCaller(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weights")
	const size = 1 << 20
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	p := NewPool(4)
	defer p.Close()
	var got any
	func() {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() { got = recover() }()
		// Chunk 0 is the caller's first claim; make it wait-free so the
		// workers take the faulting chunks.
		p.Run(4, func(lo, hi int) {
			if lo == 0 {
				return
			}
			for i := lo * size / 4; i < hi*size/4; i += 4096 {
				faultSink.Add(int64(mem[i]))
			}
		})
	}()
	fa, ok := got.(interface{ Addr() uintptr })
	if !ok {
		t.Fatalf("recovered %v (%T), want a memory fault with an address", got, got)
	}
	if base := uintptr(unsafe.Pointer(&mem[0])); fa.Addr() < base || fa.Addr() >= base+size {
		t.Errorf("fault at %#x, outside the mapping", fa.Addr())
	}
	// The pool still works after the fault.
	n := 0
	p.Run(1, func(lo, hi int) { n += hi - lo })
	if n != 1 {
		t.Fatalf("pool after the fault: %d", n)
	}
}
