package gguf

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testutil"
)

func TestRoundTrip(t *testing.T) {
	w := sampleWriter(t)
	var b bytes.Buffer
	n, err := w.WriteTo(&b)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(b.Len()) {
		t.Errorf("WriteTo reported %d bytes, wrote %d", n, b.Len())
	}
	f, err := parseBytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != Version || f.Alignment != DefaultAlignment || f.DataOffset%32 != 0 {
		t.Errorf("v%d alignment %d data offset %d", f.Version, f.Alignment, f.DataOffset)
	}
	if !reflect.DeepEqual(f.KVs, w.kvs) {
		t.Errorf("KVs differ:\n got %v\nwant %v", f.KVs, w.kvs)
	}
	if len(f.Tensors) != len(w.tensors) {
		t.Fatalf("%d tensors, want %d", len(f.Tensors), len(w.tensors))
	}
	for i, wt := range w.tensors {
		if !reflect.DeepEqual(f.Tensors[i], wt.info) {
			t.Errorf("tensor %d: %+v, want %+v", i, f.Tensors[i], wt.info)
		}
		data, err := f.TensorData(wt.info.Name)
		if err != nil || !bytes.Equal(data, wt.data) {
			t.Errorf("tensor %q data differs (%v)", wt.info.Name, err)
		}
	}
	if len(b.Bytes())%32 != 0 {
		t.Errorf("file length %d is not padded to the alignment", b.Len())
	}
}

// TestRoundTripFixtures rewrites real files and checks that metadata and
// every tensor survive; the Writer lays files out as llama.cpp does, so the
// bytes come out identical.
func TestRoundTripFixtures(t *testing.T) {
	for _, name := range []string{"TinyStories-656K-Q8_0.gguf", "stories260K.gguf",
		"vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-phi-3.gguf", "vocab/ggml-vocab-bert-bge.gguf"} {
		t.Run(name, func(t *testing.T) {
			f := openFixture(t, name)
			out, err := reencode(f)
			if err != nil {
				t.Fatal(err)
			}
			g, err := parseBytes(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.KVs, g.KVs) || !reflect.DeepEqual(f.Tensors, g.Tensors) || g.DataOffset != f.DataOffset {
				t.Fatal("metadata or tensor infos differ after a rewrite")
			}
			orig, err := os.ReadFile(testutil.Fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(orig, out) {
				t.Errorf("rewrite differs from the original file (%d vs %d bytes)", len(out), len(orig))
			}
		})
	}
}

func TestWriterAlignment(t *testing.T) {
	w := NewWriter()
	w.SetAlignment(256)
	if err := w.AddTensor("a", tensor.F32, []uint64{3}, make([]byte, 12)); err != nil {
		t.Fatal(err)
	}
	if err := w.AddTensor("b", tensor.F32, []uint64{1}, []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	f, err := parseBytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	kv, ok := f.Lookup(AlignmentKey)
	if f.Alignment != 256 || f.DataOffset%256 != 0 || !ok || kv.Value != uint32(256) {
		t.Errorf("alignment %d, data offset %d, kv %v", f.Alignment, f.DataOffset, kv)
	}
	if ti, _ := f.Tensor("b"); ti.Offset != 256 {
		t.Errorf("b at %d, want 256", ti.Offset)
	}
	// SetAlignment updates an existing key in place.
	w2 := NewWriter()
	if err := w2.AddKV(AlignmentKey, uint32(64)); err != nil {
		t.Fatal(err)
	}
	w2.SetAlignment(128)
	if len(w2.kvs) != 1 || w2.kvs[0].Value != uint32(128) || w2.alignment != 128 {
		t.Errorf("kvs %v alignment %d", w2.kvs, w2.alignment)
	}
}

func TestWriterRejects(t *testing.T) {
	f32 := func(n int) []byte { return make([]byte, 4*n) }
	tests := []struct {
		name   string
		build  func(w *Writer) error
		substr string
	}{
		{"duplicate key", func(w *Writer) error { w.AddKV("k", uint8(1)); return w.AddKV("k", uint8(2)) }, "duplicate key"},
		{"empty key", func(w *Writer) error { return w.AddKV("", uint8(1)) }, "empty key"},
		{"long key", func(w *Writer) error { return w.AddKV(strings.Repeat("k", MaxKeyLen+1), uint8(1)) }, "cap"},
		{"go int", func(w *Writer) error { return w.AddKV("k", 5) }, "unsupported value type int"},
		{"nested", func(w *Writer) error { return w.AddKV("k", []Array{}) }, "unsupported"},
		{"array type mismatch", func(w *Writer) error {
			return w.AddKV("k", Array{Type: TypeInt32, Values: []uint32{1}})
		}, "does not match"},
		{"alignment u64", func(w *Writer) error { return w.AddKV(AlignmentKey, uint64(32)) }, "must be a uint32"},
		{"alignment 48", func(w *Writer) error { return w.AddKV(AlignmentKey, uint32(48)) }, "power of two"},
		{"duplicate tensor", func(w *Writer) error {
			w.AddTensor("t", tensor.F32, []uint64{1}, f32(1))
			return w.AddTensor("t", tensor.F32, []uint64{1}, f32(1))
		}, "duplicate tensor"},
		{"long name", func(w *Writer) error {
			return w.AddTensor(strings.Repeat("n", 64), tensor.F32, []uint64{1}, f32(1))
		}, "cap"},
		{"5 dims", func(w *Writer) error { return w.AddTensor("t", tensor.F32, []uint64{1, 1, 1, 1, 1}, f32(1)) }, "5 dimensions"},
		{"no dims", func(w *Writer) error { return w.AddTensor("t", tensor.F32, nil, nil) }, "no dimensions"},
		{"zero dim", func(w *Writer) error { return w.AddTensor("t", tensor.F32, []uint64{2, 0}, nil) }, "zero"},
		{"overflow", func(w *Writer) error {
			return w.AddTensor("t", tensor.F32, []uint64{math.MaxUint32 + 1, math.MaxUint32 + 1}, nil)
		}, "overflows"},
		{"unknown type", func(w *Writer) error { return w.AddTensor("t", 4, []uint64{32}, nil) }, "unknown tensor type"},
		{"block size", func(w *Writer) error { return w.AddTensor("t", tensor.Q8_0, []uint64{16}, make([]byte, 17)) }, "block size"},
		{"wrong data length", func(w *Writer) error { return w.AddTensor("t", tensor.F32, []uint64{4}, f32(3)) }, "12 bytes of data, want 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.build(NewWriter())
			// The message names the rejected argument: it is what the
			// caller reads (the errors carry no kind of their own).
			if err == nil || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("error %v, want one containing %q", err, tc.substr)
			}
		})
	}
	for _, a := range []uint64{0, 3, MaxAlignment * 2} {
		w := NewWriter()
		w.SetAlignment(a)
		if _, err := w.WriteTo(&bytes.Buffer{}); err == nil {
			t.Errorf("SetAlignment(%d): WriteTo succeeded", a)
		}
	}
	w := NewWriter()
	w.AddTensor("t", tensor.F32, []uint64{1}, f32(1))
	w.SetAlignment(64)
	if _, err := w.WriteTo(&bytes.Buffer{}); err == nil {
		t.Error("SetAlignment after AddTensor: WriteTo succeeded")
	}
}

// errDiskFull is failWriter's error.
var errDiskFull = errors.New("disk full")

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after < len(p) {
		return 0, errDiskFull
	}
	f.after -= len(p)
	return len(p), nil
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.gguf")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sampleWriter(t).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, sampleBytes(t)) {
		t.Fatalf("file content differs (%v)", err)
	}
	// A failed write leaves the old file and no temporary behind.
	bad := NewWriter()
	bad.SetAlignment(3)
	if err := bad.WriteFile(path); err == nil {
		t.Fatal("WriteFile with a bad alignment succeeded")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, got) {
		t.Error("failed WriteFile changed the target")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1 (temporary file left behind?)", len(entries))
	}
	if _, err := sampleWriter(t).WriteTo(&failWriter{after: 100}); !errors.Is(err, errDiskFull) {
		t.Errorf("write error not reported: %v", err)
	}
	if err := sampleWriter(t).WriteFile(filepath.Join(dir, "missing", "x.gguf")); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}
