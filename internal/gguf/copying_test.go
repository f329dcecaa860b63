//go:build unix

package gguf

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/plumewriter/plume/internal/testutil"
)

// TestOpenCopying: the tensors selected are copies of the file's bytes
// outside the mapping, which Rearrange may lay out until Seal; the others
// stay the mapping's and cannot be rearranged; over budget, or with none
// selected, nothing is copied; a cancelled copy is an error.
func TestOpenCopying(t *testing.T) {
	path := testutil.Fixture(t, "stories260K.gguf")
	plain, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	copied, mapped := plain.Tensors[1], plain.Tensors[0]
	pick := func(_ *File, ti TensorInfo) When { return when(ti.Name == copied.Name, AtOpen) }
	f, err := OpenCopying(context.Background(), path, pick, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if want := alignCopy(copied.Size); f.CopiedBytes() != want {
		t.Errorf("CopiedBytes = %d, want %d", f.CopiedBytes(), want)
	}
	data, err := f.TensorData(copied.Name)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := plain.TensorData(copied.Name)
	if !bytes.Equal(data, want) || inMapping(f, data) {
		t.Fatalf("copied tensor: equal %v, in the mapping %v", bytes.Equal(data, want), inMapping(f, data))
	}
	if m, _ := f.TensorData(mapped.Name); !inMapping(f, m) {
		t.Error("an unselected tensor is not the mapping's")
	}
	if ok, err := f.Rearrange(copied.Name, func(b []byte) uint8 { b[0]++; return 2 }); !ok || err != nil || data[0] != want[0]+1 || f.Arrangement(copied.Name) != 2 {
		t.Errorf("Rearrange of the copy: %v, %v (byte %d, was %d)", ok, err, data[0], want[0])
	}
	called := false
	if ok, err := f.Rearrange(mapped.Name, func([]byte) uint8 { called = true; return 1 }); ok || err != nil || called {
		t.Errorf("Rearrange of a mapped tensor: %v, %v (called %v)", ok, err, called)
	}
	if err := f.Seal(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.Rearrange(copied.Name, func([]byte) uint8 { return 1 }); ok {
		t.Error("Rearrange after Seal")
	}

	for name, c := range map[string]struct {
		pick   func(*File, TensorInfo) When
		budget int64
	}{
		"over budget": {pick, alignCopy(copied.Size) - 1},
		"none":        {func(*File, TensorInfo) When { return Mapped }, 1 << 30},
	} {
		g, err := OpenCopying(context.Background(), path, c.pick, c.budget)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d, _ := g.TensorData(copied.Name); g.CopiedBytes() != 0 || !inMapping(g, d) {
			t.Errorf("%s: %d bytes copied", name, g.CopiedBytes())
		}
		g.Close()
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if g, err := OpenCopying(cancelled, path, pick, 1<<30); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled copy: %v, %v", g, err)
	}
}

// when is w if pick, else Mapped.
func when(pick bool, w When) When {
	if pick {
		return w
	}
	return Mapped
}

// inMapping reports whether b lies in f's mapping of the file.
func inMapping(f *File, b []byte) bool {
	start, p := uintptr(unsafe.Pointer(unsafe.SliceData(f.mem))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p < start+uintptr(len(f.mem))
}

// TestReadPiecesShortFile: a piece past the end of the file (a file
// truncated after it was parsed) is an error naming its tensor.
func TestReadPiecesShortFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	buf := make([]byte, 40)
	pieces := []piece{{"a", buf[:20], 0}, {"b", buf[20:], 90}}
	if err := readPieces(context.Background(), fd, pieces); err == nil || !strings.Contains(err.Error(), `reading: tensor "b"`) || !strings.Contains(err.Error(), "shrank") {
		t.Fatalf("readPieces past the end: %v", err)
	}
}
