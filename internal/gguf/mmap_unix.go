//go:build unix

package gguf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
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
	f.stat = st
	if private {
		f.seal = func() error { return unix.Mprotect(mem, unix.PROT_READ) }
		f.ownBytes = int64(len(mem))
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
	mem, err := hugeArena(size, "the weights")
	if err != nil {
		return nil, err
	}
	fail := func(err error) ([]byte, error) {
		_ = unix.Munmap(mem)
		return nil, err
	}
	if err := readAll(ctx, fd, mem); err != nil {
		return fail(err)
	}
	if st, err := fd.Stat(); err != nil || st.Size() != size {
		return fail(errors.New("the file changed size while it was read"))
	}
	return mem, nil
}

// hugeArena maps size bytes of fresh anonymous memory, writable, advised
// huge; what names them in the error.
func hugeArena(size int64, what string) ([]byte, error) {
	mem, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("allocating %d MiB for %s: %w", size>>20, what, err)
	}
	hugepage.Advise(mem)
	return mem, nil
}

// readAll fills mem from the start of fd in readChunk pieces
// (readPieces).
func readAll(ctx context.Context, fd *os.File, mem []byte) error {
	return readPieces(ctx, fd, splitPieces(nil, "", mem, 0, readChunk))
}

// copyAlign is where each copied tensor starts in OpenCopying's arena: a
// cache line, as in the file (GGUF aligns tensors to 32 bytes or more).
const copyAlign = 64

// OpenCopying is Open (the file mapped read-only) with the tensors for
// which copy (given the parsed file) says AtOpen read into one private
// arena advised huge, as OpenPrivate reads the whole file: TensorData
// returns those copies, Rearrange may lay them out until Seal, and the
// other tensors stay mapped, shared with the page cache. It is llama.cpp's
// load for the weight types it repacks: the price of a copy only for the
// tensors that decode faster for it. The tensors copy says InBackground
// get a second arena, and stay mapped until CopyInBackground copies them.
// Where the selected tensors come to more than budget bytes, none is
// copied (CopiedBytes reports 0). The copies are read through the file
// descriptor, so the mapping's pages of those tensors are never touched
// (not resident in the process). ctx ends the copy at open, as
// OpenPrivate's.
func OpenCopying(ctx context.Context, path string, copy func(*File, TensorInfo) When, budget int64) (*File, error) {
	f, err := Open(path)
	if err != nil || f.mem == nil {
		return f, err // not mapped: TensorData reads private buffers already
	}
	var now, later []TensorInfo
	var nowBytes, laterBytes int64
	for _, t := range f.Tensors {
		switch copy(f, t) {
		case AtOpen:
			now, nowBytes = append(now, t), nowBytes+alignCopy(t.Size)
		case InBackground:
			later, laterBytes = append(later, t), laterBytes+alignCopy(t.Size)
		}
	}
	if nowBytes+laterBytes == 0 || nowBytes+laterBytes > budget {
		return f, nil
	}
	var arenas [][]byte
	unmap := f.release
	f.release = func() error {
		err := unmap()
		if f.bg != nil {
			f.bg.fd.Close() // the copy has stopped (Close stops it first)
		}
		for _, a := range arenas {
			if e := unix.Munmap(a); e != nil && err == nil {
				err = fmt.Errorf("gguf: munmap the copied tensors of %s: %w", path, e)
			}
		}
		return err
	}
	if laterBytes > 0 {
		if f.bg, err = f.pendingCopy(path, later, laterBytes); err != nil {
			f.Close()
			return nil, fmt.Errorf("gguf: %s: %w", path, err)
		}
		arenas = append(arenas, f.bg.arena)
	}
	if nowBytes > 0 {
		arena, own, err := copyTensors(ctx, f, path, now, nowBytes)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("gguf: %s: %w", path, err)
		}
		arenas = append(arenas, arena)
		f.own = own
		f.seal = func() error { return unix.Mprotect(arena, unix.PROT_READ) }
	}
	f.ownBytes = nowBytes + laterBytes
	return f, nil
}

// reopen opens the file at path again, for reading what f maps: an error
// if path now names another file (one a download put in its place since),
// whose bytes are not those the mapping was parsed from.
func (f *File) reopen(path string) (*os.File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := fd.Stat(); err != nil || !os.SameFile(st, f.stat) {
		fd.Close()
		return nil, errors.New("the file was replaced while it was opened")
	}
	return fd, nil
}

// alignCopy is a copied tensor's share of the arena: its size rounded up
// to copyAlign.
func alignCopy(size uint64) int64 {
	return (int64(size) + copyAlign - 1) / copyAlign * copyAlign
}

// copyTensors reads the tensors sel (data section at dataOffset) of the
// file at path into a fresh arena of total bytes (hugeArena), one after
// the other at multiples of copyAlign, with readers goroutines taking
// readChunk-sized pieces (readPieces); it returns the arena and each
// tensor's bytes in it.
func copyTensors(ctx context.Context, f *File, path string, sel []TensorInfo, total int64) ([]byte, map[string][]byte, error) {
	if total > math.MaxInt {
		return nil, nil, fmt.Errorf("%d bytes of tensors to copy", total)
	}
	arena, err := hugeArena(total, "the copied tensors")
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) ([]byte, map[string][]byte, error) {
		_ = unix.Munmap(arena)
		return nil, nil, err
	}
	fd, err := f.reopen(path)
	if err != nil {
		return fail(err)
	}
	defer fd.Close()
	dataOffset := f.DataOffset
	own := make(map[string][]byte, len(sel))
	var pieces []piece
	var off int64
	for _, t := range sel {
		own[t.Name] = arena[off : off+int64(t.Size) : off+int64(t.Size)]
		pieces = splitPieces(pieces, t.Name, own[t.Name], dataOffset+int64(t.Offset), readChunk)
		off += alignCopy(t.Size)
	}
	if err := readPieces(ctx, fd, pieces); err != nil {
		return fail(err)
	}
	return arena, own, nil
}

// piece is one read of readPieces: len(dst) bytes from file offset at, of
// tensor name ("" for a read of the whole file).
type piece struct {
	name string
	dst  []byte
	at   int64
}

// splitPieces appends to pieces the reads, of size bytes at most, that
// fill dst from file offset at, of tensor name ("" for the whole file).
func splitPieces(pieces []piece, name string, dst []byte, at int64, size int) []piece {
	for p := 0; p < len(dst); p += size {
		pieces = append(pieces, piece{name: name, dst: dst[p:min(p+size, len(dst))], at: at + int64(p)})
	}
	return pieces
}

// readPieces fills every piece from fd with readers goroutines, each
// taking the next piece until none are left, one fails or ctx ends, and
// returns the first error (ctx's where it ended).
func readPieces(ctx context.Context, fd *os.File, pieces []piece) error {
	_, err := readPiecesWith(ctx, fd, pieces, readHooks{})
	return err
}

// readHooks adapt readPiecesWith's readers (nil: none).
type readHooks struct {
	// thread runs first in each reader, on a thread of the reader's own
	// that ends with it (a priority).
	thread func()
	// before runs before each piece; false stops every reader.
	before func() bool
}

// readPiecesWith is readPieces with hooks h; stopped reports that a
// before hook stopped the readers before every piece was read.
func readPiecesWith(ctx context.Context, fd *os.File, pieces []piece, h readHooks) (stopped bool, err error) {
	var next atomic.Int64
	var stop atomic.Bool
	errs := make(chan error, readers)
	for range readers {
		go func() {
			if h.thread != nil {
				runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
				h.thread()
			}
			errs <- readNext(ctx, fd, pieces, &next, &stop, h.before)
		}()
	}
	for range readers {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil && ctx.Err() != nil {
		return stop.Load(), ctx.Err()
	}
	return stop.Load(), err
}

// readNext is one reader of readPiecesWith: it reads the next piece (next
// counts those taken) until none are left, one fails, ctx ends or before
// says to stop (then it sets stop).
func readNext(ctx context.Context, fd *os.File, pieces []piece, next *atomic.Int64, stop *atomic.Bool, before func() bool) error {
	for {
		i := next.Add(1) - 1
		if i >= int64(len(pieces)) {
			return nil
		}
		if before != nil && !before() {
			stop.Store(true)
			next.Store(int64(len(pieces))) // the others stop at their next piece
			return nil
		}
		p := pieces[i]
		err := ctx.Err()
		if err == nil {
			_, err = fd.ReadAt(p.dst, p.at)
		}
		if errors.Is(err, io.EOF) {
			err = errors.New("the file shrank while it was read")
		}
		if err != nil {
			next.Store(int64(len(pieces))) // the others stop at their next piece
			if p.name != "" {
				err = fmt.Errorf("tensor %q: %w", p.name, err)
			}
			return fmt.Errorf("reading: %w", err)
		}
	}
}
