//go:build unix

package gguf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/plumewriter/plume/internal/hugepage"
)

// Open maps the file at path read-only, then parses and validates it.
// TensorData returns views of the mapping. Where the file cannot be mapped
// (an empty file, a filesystem without mmap) it falls back to reading
// through the descriptor, as Parse does, and Close closes it.
//
// If another process truncates the file while it is mapped, reading a view
// faults: model files are expected to be immutable once written (the Writer
// and the hub write them atomically, the hub read-only). The engine reads
// views with debug.SetPanicOnFault and reports such a fault as an error.
//
// Errors name path once (the caller need not add it).
func Open(path string) (*File, error) { return open(context.Background(), path, false) }

// OpenPrivate is Open with the file read into private memory instead of
// mapped: anonymous pages that Linux is asked to back with 2 MiB
// transparent huge pages (see hugepage.Enabled), writable through
// Rearrange until Seal makes them read-only.
// Decoding streams every weight once a token; with 4 KiB pages of a mapped
// file that is one page-table walk per 64 cache lines, and on the CPUs
// measured (BENCHMARKS.md) the huge pages made decode faster. The price is
// memory: the file's size in the process's own pages, which the kernel can
// only swap out, where mapped pages it drops and reads again, and which two
// processes running one model do not share. The engine decides when to pay
// it. A file that changes size while it is read is an error, and the copy
// cannot fault later as a truncated mapping can. The copy stops, and
// OpenPrivate returns ctx's error, when ctx ends (a Ctrl-C while a large
// model is read).
func OpenPrivate(ctx context.Context, path string) (*File, error) { return open(ctx, path, true) }

func open(ctx context.Context, path string, private bool) (*File, error) {
	fd, st, err := openFD(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		fd.Close()
		return nil, fmt.Errorf("gguf: %s is not a regular file", path)
	}
	size := st.Size()
	var mem []byte
	if size > 0 && size <= math.MaxInt {
		if private {
			mem, err = readPrivate(ctx, fd, size)
			if err != nil {
				fd.Close()
				return nil, fmt.Errorf("gguf: %s: %w", path, err)
			}
		} else {
			mem, err = unix.Mmap(int(fd.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
		}
	}
	if mem == nil || err != nil {
		return parseFD(fd, size, path)
	}
	fd.Close() // the mapping outlives the descriptor
	f, err := parseMem(mem)
	if err != nil {
		_ = unix.Munmap(mem)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if private {
		f.seal = func() error { return unix.Mprotect(mem, unix.PROT_READ) }
	}
	f.release = func() error {
		if err := unix.Munmap(mem); err != nil {
			return fmt.Errorf("gguf: munmap %s: %w", path, err)
		}
		return nil
	}
	return f, nil
}

// Reading into private memory.
const (
	// readChunk is the share of the file one reader takes at a time: four
	// 2 MiB huge pages, small enough that the readers finish together.
	readChunk = 8 << 20
	// readers is how many goroutines fill the copy at once. Most of a
	// fresh copy's time is the kernel giving it pages (zeroed, and on a
	// virtual machine often first backed by the host then): two readers
	// took 0.51–0.56 s for a 1.3 GiB file where one took 0.97–3.1 s on a
	// 2-core VM; four were no faster.
	readers = 2
)

// readPrivate reads the size bytes of fd into a fresh anonymous mapping,
// advised huge (left writable: see File.Seal).
func readPrivate(ctx context.Context, fd *os.File, size int64) ([]byte, error) {
	mem, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("allocating %d MiB for the weights: %w", size>>20, err)
	}
	hugepage.Advise(mem)
	fail := func(err error) ([]byte, error) {
		_ = unix.Munmap(mem)
		return nil, err
	}
	if err := readAll(ctx, fd, mem); err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		if errors.Is(err, io.EOF) {
			return fail(errors.New("the file shrank while it was read"))
		}
		return fail(fmt.Errorf("reading: %w", err))
	}
	if st, err := fd.Stat(); err != nil || st.Size() != size {
		return fail(errors.New("the file changed size while it was read"))
	}
	return mem, nil
}

// readAll fills mem from the start of fd with readers goroutines, each
// taking the next readChunk bytes until none are left or ctx ends, and
// returns the first error.
func readAll(ctx context.Context, fd *os.File, mem []byte) error {
	var next atomic.Int64
	errs := make(chan error, readers)
	for range readers {
		go func() {
			for {
				off := next.Add(readChunk) - readChunk
				if off >= int64(len(mem)) {
					errs <- nil
					return
				}
				end := min(off+readChunk, int64(len(mem)))
				err := ctx.Err()
				if err == nil {
					_, err = fd.ReadAt(mem[off:end], off)
				}
				if err != nil {
					next.Store(int64(len(mem))) // the others stop at their next chunk
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for range readers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
