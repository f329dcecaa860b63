//go:build unix

package gguf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/testutil"
)

// TestCopyInBackground: the tensors left for the background stay the
// mapping's until CopyInBackground copies them, in the order asked, each
// handed to the Copier as a private copy of the file's bytes, writable
// there; a copy that gives way is tried again after the others; unnamed
// ones stay mapped; the arena counts in CopiedBytes; a second
// start is an error, and WaitCopied reports the end.
func TestCopyInBackground(t *testing.T) {
	path := testutil.Fixture(t, "stories260K.gguf")
	plain, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	a, b, c, now := plain.Tensors[1], plain.Tensors[2], plain.Tensors[3], plain.Tensors[4]
	pick := func(_ *File, ti TensorInfo) When {
		switch ti.Name {
		case a.Name, b.Name, c.Name:
			return InBackground
		case now.Name:
			return AtOpen
		}
		return Mapped
	}
	f, err := OpenCopying(context.Background(), path, pick, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if want := alignCopy(a.Size) + alignCopy(b.Size) + alignCopy(c.Size) + alignCopy(now.Size); f.CopiedBytes() != want {
		t.Errorf("CopiedBytes = %d, want %d", f.CopiedBytes(), want)
	}
	for _, ti := range []TensorInfo{a, b, c} {
		if d, _ := f.TensorData(ti.Name); !f.Pending(ti.Name) || !inMapping(f, d) {
			t.Errorf("%s before the copy: pending %v, mapped %v", ti.Name, f.Pending(ti.Name), inMapping(f, d))
		}
	}
	if d, _ := f.TensorData(now.Name); f.Pending(now.Name) || inMapping(f, d) {
		t.Errorf("%s: pending %v, mapped %v, want copied at open", now.Name, f.Pending(now.Name), inMapping(f, d))
	}
	if end, err := f.WaitCopied(context.Background()); !end.IsZero() || err != nil {
		t.Errorf("WaitCopied before a copy: %v, %v", end, err)
	}
	var got []string
	yields := 0
	ready := testCopier{done: func(name string, data []byte) {
		if data == nil {
			got = append(got, "gave way "+name)
			return
		}
		want, _ := plain.TensorData(name)
		if !bytes.Equal(data, want) || inMapping(f, data) {
			t.Errorf("%s: copy equal %v, in the mapping %v", name, bytes.Equal(data, want), inMapping(f, data))
		}
		data[0]++ // writable
		got = append(got, "done "+name)
	}, start: func(name string) { got = append(got, "start "+name) }, yielded: func(name string) bool {
		if name == b.Name && yields == 0 {
			yields++ // the first copy of b gives way, once
			return true
		}
		return false
	}}
	start := time.Now()
	if err := f.CopyInBackground([]string{b.Name, "no such", a.Name, b.Name}, ready); err != nil {
		t.Fatal(err)
	}
	if err := f.CopyInBackground(nil, ready); !errors.Is(err, ErrCopyStarted) {
		t.Errorf("second start: %v", err)
	}
	end, err := f.WaitCopied(context.Background())
	if err != nil || end.Before(start) {
		t.Fatalf("WaitCopied: %v, %v", end, err)
	}
	if want := []string{"start " + b.Name, "gave way " + b.Name, "start " + a.Name, "done " + a.Name, "start " + b.Name, "done " + b.Name}; !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	if d, _ := f.TensorData(c.Name); !inMapping(f, d) {
		t.Error("a tensor not named was copied")
	}
}

// TestCopyInBackgroundErrors: a file that shrinks before the copy stops it
// with an error naming the tensor, before ready; Close ends a copy and
// waits for it; a copy cannot start after Close.
func TestCopyInBackgroundErrors(t *testing.T) {
	src, err := os.ReadFile(testutil.Fixture(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	all := func(*File, TensorInfo) When { return InBackground }
	f, err := OpenCopying(context.Background(), path, all, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	last := f.Tensors[len(f.Tensors)-1]
	// The copy reads through a descriptor of its own: a shorter file (the
	// mapping stays) shows at the last tensor's read.
	if err := os.WriteFile(path, src[:len(src)-int(last.Size)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	var abandoned bool
	if err := f.CopyInBackground([]string{last.Name}, testCopier{done: func(n string, d []byte) { abandoned = d == nil }}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WaitCopied(context.Background()); err == nil || !bytes.Contains([]byte(err.Error()), []byte(last.Name)) || !abandoned {
		t.Errorf("shrunk file: %v (Done with nil: %v)", err, abandoned)
	}
	f.Close()

	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := OpenCopying(context.Background(), path, all, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	entered, block := make(chan struct{}, 1), make(chan struct{})
	var names []string
	for _, ti := range g.Tensors {
		names = append(names, ti.Name)
	}
	if err := g.CopyInBackground(names, testCopier{done: func(string, []byte) { entered <- struct{}{}; <-block }}); err != nil {
		t.Fatal(err)
	}
	<-entered // the first tensor is copied, and its ready runs
	closed := make(chan error)
	go func() { closed <- g.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while the copy was still running")
	case <-time.After(50 * time.Millisecond):
	}
	close(block)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := g.WaitCopied(context.Background()); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitCopied after Close: %v, want context.Canceled", err)
	}
	if err := g.CopyInBackground(names, testCopier{}); !errors.Is(err, ErrCopyStarted) {
		t.Errorf("start after Close: %v", err)
	}
}

// testCopier is a Copier of functions (nil: nothing, never yield).
type testCopier struct {
	start   func(string)
	done    func(string, []byte)
	yielded func(string) bool
	paused  func() bool
}

func (c testCopier) Yielded(name string) bool { return c.yielded != nil && c.yielded(name) }

func (c testCopier) Paused() bool { return c.paused != nil && c.paused() }

func (c testCopier) Start(name string) {
	if c.start != nil {
		c.start(name)
	}
}

func (c testCopier) Done(name string, data []byte) {
	if c.done != nil {
		c.done(name, data)
	}
}

// TestCopyInBackgroundPauses: a paused copy starts no tensor; one paused
// with a tensor under way gives way when a reader asks, and tries it again
// after the others once it may go on; it ends when Close is called while
// paused; a tensor whose copy gives way every time is left mapped after
// maxYields tries, without an error.
func TestCopyInBackgroundPauses(t *testing.T) {
	path := testutil.Fixture(t, "stories260K.gguf")
	all := func(*File, TensorInfo) When { return InBackground }
	f, err := OpenCopying(context.Background(), path, all, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	a, b := f.Tensors[0].Name, f.Tensors[1].Name
	var paused, yield atomic.Bool
	var mu sync.Mutex
	var got []string
	log := func(s string) { mu.Lock(); got = append(got, s); mu.Unlock() }
	logged := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }
	c := testCopier{
		start: func(n string) {
			log("start " + n)
			paused.CompareAndSwap(false, len(logged()) == 1) // the first start pauses, a under way
		},
		done:    func(n string, d []byte) { log(fmt.Sprintf("done %s %v", n, d != nil)) },
		paused:  paused.Load,
		yielded: func(n string) bool { return yield.Load() && n == a },
	}
	if err := f.CopyInBackground([]string{a, b}, c); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if want := []string{"start " + a}; !slices.Equal(logged(), want) {
		t.Fatalf("paused with %s under way: %q, want %q", a, logged(), want)
	}
	yield.Store(true) // a reader asks a to give way: b does not start (paused)
	time.Sleep(30 * time.Millisecond)
	if want := []string{"start " + a, "done " + a + " false"}; !slices.Equal(logged(), want) {
		t.Fatalf("asked to give way: %q, want %q", logged(), want)
	}
	yield.Store(false)
	paused.Store(false)
	if _, err := f.WaitCopied(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"start " + a, "done " + a + " false", "start " + b, "done " + b + " true", "start " + a, "done " + a + " true"}; !slices.Equal(logged(), want) {
		t.Errorf("after the pause: %q, want %q", logged(), want)
	}
	f.Close()

	h, err := OpenCopying(context.Background(), path, all, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.CopyInBackground([]string{a}, testCopier{paused: func() bool { return true }}); err != nil {
		t.Fatal(err)
	}
	h.Close() // while paused before a
	if _, err := h.WaitCopied(context.Background()); !errors.Is(err, context.Canceled) {
		t.Errorf("paused copy ended by Close: %v", err)
	}

	g, err := OpenCopying(context.Background(), path, all, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	gaveWay := 0
	always := testCopier{yielded: func(string) bool { return true }, done: func(_ string, d []byte) {
		if d == nil {
			gaveWay++
		}
	}}
	if err := g.CopyInBackground([]string{a}, always); err != nil {
		t.Fatal(err)
	}
	if _, err := g.WaitCopied(context.Background()); err != nil || gaveWay != maxYields {
		t.Errorf("a copy that always gives way: %v, gave way %d times, want %d", err, gaveWay, maxYields)
	}
	if d, _ := g.TensorData(a); !inMapping(g, d) {
		t.Error("the tensor is not the mapping's")
	}
}

// TestReopenReplacedFile: OpenCopying reads the file it mapped, not one a
// download has renamed into its place since.
func TestReopenReplacedFile(t *testing.T) {
	src, err := os.ReadFile(testutil.Fixture(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, next := filepath.Join(dir, "m.gguf"), filepath.Join(dir, "next.gguf")
	for _, p := range []string{path, next} {
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd, err := f.reopen(path)
	if err != nil {
		t.Fatalf("the same file: %v", err)
	}
	fd.Close()
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
	if fd, err := f.reopen(path); err == nil || !strings.Contains(err.Error(), "replaced") {
		fd.Close()
		t.Fatalf("a file renamed into its place: %v", err)
	}
}
