package gguf

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
)

// When says whether OpenCopying copies a tensor out of the mapping, and
// when.
type When uint8

const (
	// Mapped leaves the tensor in the mapping.
	Mapped When = iota
	// AtOpen copies it before OpenCopying returns (Rearrange may then lay
	// it out until Seal).
	AtOpen
	// InBackground leaves it mapped (TensorData returns the mapping's
	// bytes) until CopyInBackground copies it and hands the copy over.
	InBackground
)

// background is the copy of a file's InBackground tensors.
type background struct {
	path    string
	fd      *os.File // the mapped file, which the copy reads; closed by Close
	arena   []byte   // private memory, advised huge, for every pending tensor
	pending map[string]pendingTensor

	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc // ends the copy (Close)
	done    chan struct{}      // closed when the copy has stopped
	end     time.Time          // when it stopped; set before done is closed
	err     error              // why it stopped early; set before done is closed
}

// pendingTensor is one tensor of a background copy.
type pendingTensor struct {
	dst    []byte // its place in the arena
	at     int64  // its file offset
	mapped []byte // its bytes in the mapping
}

// A Copier takes the tensors of a background copy (CopyInBackground), one
// after the other, on the copy's goroutine.
type Copier interface {
	// Start is called before the named tensor is read.
	Start(name string)
	// Done is called with the copy of the named tensor, which it may
	// rewrite in place (a layout) before it hands it to the readers, or
	// with nil when the copy stopped before it was read whole: readers
	// then read the mapping.
	Done(name string, data []byte)
	// Paused reports whether the copy should wait before its next read
	// (it asks again every holdPoll), or before the next tensor, unless a
	// reader asked the tensor under way to give way (Yielded).
	Paused() bool
	// Yielded reports whether a reader asked the copy of the named tensor,
	// under way, to give way: it stops, frees its pages, calls Done with
	// nil, and is tried again after the others (up to maxYields times).
	Yielded(name string) bool
}

// Background copies: how each tensor is read, and how often it gives way.
const (
	// bgPiece is one read of a background copy: one huge page, so that a
	// reader that asks the copy to give way waits for one such read at most
	// (2–7 ms at the 0.3–1 GB/s a fresh copy gets on a 2-core VM).
	bgPiece = 2 << 20
	// maxYields is how many times a tensor's copy gives way before it is
	// left mapped: a model that only ever evaluates batches (a perplexity
	// run) keeps its mapping rather than copy forever.
	maxYields = 8
	// holdPoll is how often a paused copy asks whether it may go on: a
	// pause follows a prompt, which takes far longer.
	holdPoll = 2 * time.Millisecond
)

// ErrCopyStarted is CopyInBackground called a second time.
var ErrCopyStarted = errors.New("gguf: the background copy has already started")

// Pending reports whether the named tensor is one of those OpenCopying
// left for CopyInBackground.
func (f *File) Pending(name string) bool {
	if f.bg == nil {
		return false
	}
	_, ok := f.bg.pending[name]
	return ok
}

// CopyInBackground starts copying the named tensors that are Pending, in
// the order of names (the others are left mapped), into their private
// arena, on a thread of the lowest priority, one tensor after the other:
// it takes the CPU time the caller's work leaves idle (a spare core, the
// gaps between its batches) rather than slowing it. c hears of each tensor
// as its copy starts and ends (Copier); at both points the mapping's pages
// of the tensor are dropped from the process (a reader that still uses
// them faults them in again from the page cache: they stay valid until
// Close), so that the process holds each tensor once, unless a reader
// reads the mapping while it is copied. The arena is made
// read-only once every tensor is copied. The copy stops, leaving the rest
// mapped, at the first read error, or when Close is called: WaitCopied
// reports which. A tensor's copy gives way when a reader asks (Copier): it
// is tried again after the others. Only one copy can be started.
func (f *File) CopyInBackground(names []string, c Copier) error {
	b := f.bg
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return ErrCopyStarted
	}
	b.started = true
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel, b.done = cancel, make(chan struct{})
	var order []string
	seen := map[string]bool{}
	for _, n := range names {
		if _, ok := b.pending[n]; ok && !seen[n] {
			order, seen[n] = append(order, n), true
		}
	}
	go func() {
		err := b.run(ctx, order, c)
		b.end, b.err = time.Now(), err
		close(b.done)
	}()
	return nil
}

// WaitCopied waits until the background copy has stopped, or ctx ends,
// and returns when it stopped and why, if early (nil when every tensor was
// copied). Without a copy started it returns at once, with a zero time.
func (f *File) WaitCopied(ctx context.Context) (time.Time, error) {
	b := f.bg
	if b == nil {
		return time.Time{}, nil
	}
	b.mu.Lock()
	done := b.done
	b.mu.Unlock()
	if done == nil {
		return time.Time{}, nil
	}
	select {
	case <-done:
		return b.end, b.err
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
}

// stopBackground ends the background copy, if one runs, and waits for it:
// Close calls it before the memory goes.
func (f *File) stopBackground() {
	b := f.bg
	if b == nil {
		return
	}
	b.mu.Lock()
	b.started = true // none starts after Close
	cancel, done := b.cancel, b.done
	b.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
