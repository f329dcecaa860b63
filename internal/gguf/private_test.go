//go:build unix

package gguf

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testutil"
)

// TestOpenPrivateMatchesOpen reads a real model into private memory and
// requires the same metadata and tensor bytes as the mapping, for files
// smaller and larger than one reader's chunk (so that both readers share
// it).
func TestOpenPrivateMatchesOpen(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.gguf")
	w := sampleWriter(t)
	pad := make([]byte, 3*readChunk) // 3 chunks of F32 data: the readers split the file
	for i := range pad {
		pad[i] = byte(i * 7 / 5)
	}
	if err := w.AddTensor("pad.weight", tensor.F32, []uint64{uint64(len(pad) / 4)}, pad); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile(big); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{testutil.Fixture(t, "TinyStories-656K-Q8_0.gguf"), big} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			p, err := OpenPrivate(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Size() != m.Size() || p.DataOffset != m.DataOffset || len(p.KVs) != len(m.KVs) || len(p.Tensors) != len(m.Tensors) {
				t.Fatalf("private: size %d, data at %d, %d KVs, %d tensors; mapped: %d, %d, %d, %d",
					p.Size(), p.DataOffset, len(p.KVs), len(p.Tensors), m.Size(), m.DataOffset, len(m.KVs), len(m.Tensors))
			}
			for _, ti := range m.Tensors {
				a, err1 := m.TensorData(ti.Name)
				b, err2 := p.TensorData(ti.Name)
				if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
					t.Fatalf("%s: data differs (%v, %v)", ti.Name, err1, err2)
				}
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestOpenPrivateRearrangeThenSeal: a private copy lets each tensor be
// rearranged once, and Arrangement reports the tag; once sealed it is
// read-only, as the mapping is, so a write faults (turned into a panic by
// SetPanicOnFault) instead of changing the weights, and Rearrange refuses.
func TestOpenPrivateRearrangeThenSeal(t *testing.T) {
	f, err := OpenPrivate(context.Background(), testutil.Fixture(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.CopiedBytes() != f.Size() {
		t.Errorf("CopiedBytes = %d of a %d-byte private copy", f.CopiedBytes(), f.Size())
	}
	name := f.Tensors[0].Name
	data, err := f.TensorData(name)
	if err != nil {
		t.Fatal(err)
	}
	was := data[0]
	if ok, err := f.Rearrange(name, func(b []byte) uint8 { b[0]++; return 3 }); !ok || err != nil {
		t.Fatalf("Rearrange = %v, %v on an unsealed private copy", ok, err)
	}
	if data[0] != was+1 || f.Arrangement(name) != 3 || f.Arrangement(f.Tensors[1].Name) != 0 {
		t.Fatalf("after Rearrange: byte %d (was %d), tags %d %d", data[0], was, f.Arrangement(name), f.Arrangement(f.Tensors[1].Name))
	}
	called := false
	if ok, _ := f.Rearrange(name, func([]byte) uint8 { called = true; return 4 }); ok || called || f.Arrangement(name) != 3 {
		t.Fatal("a tensor was rearranged twice")
	}
	if _, err := f.Rearrange("no such tensor", func([]byte) uint8 { return 1 }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing tensor: %v", err)
	}
	if err := f.Seal(); err != nil {
		t.Fatal(err)
	}
	if err := f.Seal(); err != nil {
		t.Fatalf("second Seal: %v", err)
	}
	if ok, _ := f.Rearrange(f.Tensors[1].Name, func([]byte) uint8 { called = true; return 1 }); ok || called {
		t.Fatal("a sealed copy was rearranged")
	}
	faulted := func() (faulted bool) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() { faulted = recover() != nil }()
		data[0]++
		return false
	}()
	if !faulted {
		t.Fatal("writing into the sealed private copy did not fault: it is writable")
	}
}

// A mapped file is never rearranged.
func TestOpenMappedNoRearrange(t *testing.T) {
	f, err := Open(testutil.Fixture(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.CopiedBytes() != 0 {
		t.Errorf("CopiedBytes = %d of a mapping", f.CopiedBytes())
	}
	called := false
	if ok, err := f.Rearrange(f.Tensors[0].Name, func([]byte) uint8 { called = true; return 1 }); ok || err != nil || called {
		t.Fatalf("Rearrange on a mapping = %v, %v (called %v)", ok, err, called)
	}
	if err := f.Seal(); err != nil {
		t.Fatal(err)
	}
}

// TestReadPrivateShortFile: a file that ends before the size the copy was
// made for (a file truncated between Stat and read) is an error that says
// so, and a file that grows is one too.
func TestReadPrivateShortFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(path, bytes.Repeat([]byte{7}, 3*readChunk+5), 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	for _, tc := range []struct {
		size int64
		want string
	}{
		{4*readChunk + 1, "shrank"},
		{3 * readChunk, "changed size"},
	} {
		if mem, err := readPrivate(context.Background(), fd, tc.size); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("size %d: %d bytes, error %v; want an error saying %q", tc.size, len(mem), err, tc.want)
		}
	}
	mem, err := readPrivate(context.Background(), fd, 3*readChunk+5)
	if err != nil || len(mem) != 3*readChunk+5 || mem[0] != 7 || mem[len(mem)-1] != 7 {
		t.Fatalf("whole file: %d bytes, %v", len(mem), err)
	}
}

// A cancelled context stops the copy: OpenPrivate returns its error and
// nothing else (a Ctrl-C while a large model is being read).
func TestOpenPrivateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := OpenPrivate(ctx, testutil.Fixture(t, "stories260K.gguf"))
	if !errors.Is(err, context.Canceled) || f != nil {
		t.Fatalf("OpenPrivate with a cancelled context: %v, %v; want context.Canceled", f, err)
	}
}
