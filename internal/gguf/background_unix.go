//go:build unix

package gguf

import (
	"context"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pendingCopy reserves the arena of the tensors sel (total bytes, each at
// a multiple of copyAlign) that CopyInBackground copies later. The memory
// is only reserved: pages are given as the copy writes them.
func (f *File) pendingCopy(path string, sel []TensorInfo, total int64) (*background, error) {
	fd, err := f.reopen(path)
	if err != nil {
		return nil, err
	}
	arena, err := hugeArena(total, "the tensors copied in the background")
	if err != nil {
		fd.Close()
		return nil, err
	}
	b := &background{path: path, fd: fd, arena: arena, pending: make(map[string]pendingTensor, len(sel))}
	var off int64
	for _, t := range sel {
		start := f.DataOffset + int64(t.Offset) // validated: inside the file
		end := start + int64(t.Size)
		b.pending[t.Name] = pendingTensor{dst: arena[off : off+int64(t.Size) : off+int64(t.Size)], at: start, mapped: f.mem[start:end:end]}
		off += alignCopy(t.Size)
	}
	return b, nil
}

// run copies the pending tensors named by order (CopyInBackground), one
// after the other, until ctx ends or a read fails; a tensor whose copy
// gives way goes to the back of the order (at most maxYields times). It
// seals the arena when every one is copied.
func (b *background) run(ctx context.Context, order []string, c Copier) error {
	yields := map[string]int{}
	copied := 0
	for i := 0; i < len(order); i++ {
		name := order[i]
		t := b.pending[name]
		if err := hold(ctx, c, ""); err != nil {
			return err
		}
		c.Start(name)
		dropPages(t.mapped) // what readers faulted in: the process holds the tensor once
		gaveWay, err := b.read(ctx, name, t, c)
		if err != nil || gaveWay {
			dropPages(t.dst) // the part copied, before the readers fault the mapping in
			c.Done(name, nil)
			if err != nil {
				return err
			}
			if yields[name]++; yields[name] < maxYields {
				order = append(order, name)
			}
			continue
		}
		c.Done(name, t.dst)
		dropPages(t.mapped) // what readers faulted in again during the copy
		copied++
	}
	if copied == len(b.pending) {
		if err := unix.Mprotect(b.arena, unix.PROT_READ); err != nil {
			return fmt.Errorf("gguf: sealing the tensors copied in the background: %w", err)
		}
	}
	return nil
}

// read reads tensor t, named name, from the file in bgPiece pieces, with
// readers goroutines, each on a thread of its own at the lowest priority,
// until every piece is read, ctx ends, a read fails, or c says to give way
// (gaveWay); it holds while c is Paused. On a virtual machine most of a
// fresh copy's time is the host giving it pages, which two threads get
// faster than one.
func (b *background) read(ctx context.Context, name string, t pendingTensor, c Copier) (gaveWay bool, err error) {
	goOn := func() bool {
		_ = hold(ctx, c, name) // a cancelled ctx stops the reader right after
		return !c.Yielded(name)
	}
	pieces := splitPieces(nil, name, t.dst, t.at, bgPiece)
	gaveWay, err = readPiecesWith(ctx, b.fd, pieces, readHooks{thread: lowerThreadPriority, before: goOn})
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("gguf: background copy of %s: %w", b.path, err)
	}
	return gaveWay, err
}

// hold waits while c is Paused, until a reader asks the tensor name under
// way to give way ("": none is under way), or ctx ends (its error).
func hold(ctx context.Context, c Copier, name string) error {
	for c.Paused() && ctx.Err() == nil && (name == "" || !c.Yielded(name)) {
		time.Sleep(holdPoll)
	}
	return ctx.Err()
}

// dropPages drops the process's pages of the whole pages inside the
// mapped bytes b (the page cache keeps them): a reader faults them in
// again, so it is safe while one still reads them.
func dropPages(b []byte) {
	if len(b) == 0 {
		return
	}
	page := uintptr(os.Getpagesize())
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo, hi := (addr+page-1)&^(page-1), (addr+uintptr(len(b)))&^(page-1)
	if lo >= hi {
		return
	}
	_ = unix.Madvise(b[lo-addr:hi-addr], unix.MADV_DONTNEED) // advice: a failure leaves the pages resident
}
