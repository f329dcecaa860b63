package gguf

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// rawFile assembles GGUF bytes by hand, including invalid ones the Writer
// refuses to produce. Zero values give a valid, empty v3 file.
type rawFile struct {
	magic    string
	version  uint32
	nTensors *uint64 // override the counts written in the header
	nKV      *uint64
	kvs      [][]byte // each a complete encoded pair (see kvBytes)
	tensors  []rawTensor
	align    uint64 // padding used before the data section (default 32)
	data     int    // bytes of (zero) data after the padding
}

type rawTensor struct {
	name string
	dims []uint64
	typ  tensor.Type
	off  uint64
}

func u64p(v uint64) *uint64 { return &v }

type rawBuf struct{ bytes.Buffer }

func (b *rawBuf) u32(v uint32) { b.Write(binary.LittleEndian.AppendUint32(nil, v)) }
func (b *rawBuf) u64(v uint64) { b.Write(binary.LittleEndian.AppendUint64(nil, v)) }
func (b *rawBuf) str(s string) { b.u64(uint64(len(s))); b.WriteString(s) }

// kvBytes encodes key, type tag and the already-encoded value bytes.
func kvBytes(key string, t ValueType, value []byte) []byte {
	var b rawBuf
	b.str(key)
	b.u32(uint32(t))
	b.Write(value)
	return b.Bytes()
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// strVal encodes a string value.
func strVal(s string) []byte {
	var b rawBuf
	b.str(s)
	return b.Bytes()
}

func (r rawFile) bytes() []byte {
	var b rawBuf
	if r.magic == "" {
		r.magic = Magic
	}
	if r.version == 0 {
		r.version = 3
	}
	if r.align == 0 {
		r.align = DefaultAlignment
	}
	b.WriteString(r.magic)
	b.u32(r.version)
	nt, nk := uint64(len(r.tensors)), uint64(len(r.kvs))
	if r.nTensors != nil {
		nt = *r.nTensors
	}
	if r.nKV != nil {
		nk = *r.nKV
	}
	b.u64(nt)
	b.u64(nk)
	for _, kv := range r.kvs {
		b.Write(kv)
	}
	for _, t := range r.tensors {
		b.str(t.name)
		b.u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			b.u64(d)
		}
		b.u32(uint32(t.typ))
		b.u64(t.off)
	}
	for uint64(b.Len())%r.align != 0 {
		b.WriteByte(0)
	}
	b.Write(make([]byte, r.data))
	return b.Bytes()
}

func parseBytes(b []byte) (*File, error) {
	return Parse(bytes.NewReader(b), int64(len(b)))
}

// sampleWriter builds a small valid file with every value type and two
// tensors of different types.
func sampleWriter(t testing.TB) *Writer {
	t.Helper()
	w := NewWriter()
	kvs := []struct {
		k string
		v any
	}{
		{"general.architecture", "llama"},
		{"llama.context_length", uint32(128)},
		{"u8", uint8(200)}, {"i8", int8(-5)}, {"u16", uint16(60000)}, {"i16", int16(-3000)},
		{"i32", int32(-70000)}, {"u64", uint64(1 << 40)}, {"i64", int64(-1 << 40)},
		{"f32", float32(1.5)}, {"f64", float64(-2.25)}, {"flag", true},
		{"tokens", []string{"<unk>", "a", "", "▁b"}},
		{"scores", []float32{0, -1, 2.5}},
		{"types", []int32{2, 1, 1, 6}},
		{"u32s", []uint32{1, 2, 3}},
		{"bytes", []uint8{1, 2}},
		{"flags", []bool{true, false}},
		{"f64s", []float64{1e300}},
		{"i64s", []int64{-1}},
	}
	for _, kv := range kvs {
		if err := w.AddKV(kv.k, kv.v); err != nil {
			t.Fatal(err)
		}
	}
	norm := make([]byte, 8*4)
	for i := range norm {
		norm[i] = byte(i)
	}
	if err := w.AddTensor("norm.weight", tensor.F32, []uint64{8}, norm); err != nil {
		t.Fatal(err)
	}
	q := make([]byte, 34*2)
	for i := range q {
		q[i] = byte(255 - i)
	}
	if err := w.AddTensor("w.weight", tensor.Q8_0, []uint64{32, 2}, q); err != nil {
		t.Fatal(err)
	}
	return w
}

func sampleBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := sampleWriter(t).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
