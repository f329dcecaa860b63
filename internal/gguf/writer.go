package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/plumewriter/plume/internal/tensor"
)

// Writer builds a GGUF v3 file. Metadata pairs and tensors are written in
// the order they were added, tensor data in that order too, each padded to
// the alignment. It applies the reader's rules as things are added, so any
// file it writes parses.
type Writer struct {
	alignment uint64
	kvs       []KV
	keys      map[string]int
	tensors   []writerTensor
	names     map[string]bool
	dataSize  uint64 // padded size of the data section so far
	err       error  // deferred from SetAlignment
}

type writerTensor struct {
	info TensorInfo
	data []byte
}

// NewWriter returns an empty Writer with the default alignment.
func NewWriter() *Writer {
	return &Writer{alignment: DefaultAlignment, keys: map[string]int{}, names: map[string]bool{}}
}

// SetAlignment sets the data alignment, a power of two up to MaxAlignment,
// and records it as the u32 general.alignment pair (updated in place if it
// was already added). Call it before AddTensor. An invalid value makes
// WriteTo fail.
func (w *Writer) SetAlignment(a uint64) {
	if err := checkAlignment(a); err != nil {
		w.err = fmt.Errorf("gguf: SetAlignment: %w", err)
		return
	}
	if len(w.tensors) > 0 && a != w.alignment {
		w.err = fmt.Errorf("gguf: SetAlignment(%d) after AddTensor", a)
		return
	}
	w.alignment = a
	if i, ok := w.keys[AlignmentKey]; ok {
		w.kvs[i].Value = uint32(a)
	} else if a != DefaultAlignment {
		w.keys[AlignmentKey] = len(w.kvs)
		w.kvs = append(w.kvs, KV{Key: AlignmentKey, Type: TypeUint32, Value: uint32(a)})
	}
}

// AddKV adds a metadata pair. v is one of uint8, int8, uint16, int16,
// uint32, int32, uint64, int64, float32, float64, bool, string, a slice of
// one of those (an array), or an Array. Go's int and uint are refused: the
// GGUF type must be explicit. Slices are copied.
func (w *Writer) AddKV(key string, v any) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("gguf: AddKV: %w", err)
	}
	if _, dup := w.keys[key]; dup {
		return fmt.Errorf("gguf: AddKV %q: duplicate key", key)
	}
	if len(w.kvs) >= MaxKVs {
		return fmt.Errorf("gguf: AddKV %q: more than %d pairs: %w", key, MaxKVs, ErrLimit)
	}
	kv, err := normalize(key, v)
	if err != nil {
		return fmt.Errorf("gguf: AddKV %q: %w", key, err)
	}
	if key == AlignmentKey {
		a, ok := kv.Value.(uint32)
		if !ok {
			return fmt.Errorf("gguf: AddKV %q: must be a uint32, not %s", key, kv.Type)
		}
		if err := checkAlignment(uint64(a)); err != nil {
			return fmt.Errorf("gguf: AddKV %q: %w", key, err)
		}
		if len(w.tensors) > 0 && uint64(a) != w.alignment {
			return fmt.Errorf("gguf: AddKV %q after AddTensor", key)
		}
		w.alignment = uint64(a)
	}
	w.keys[key] = len(w.kvs)
	w.kvs = append(w.kvs, kv)
	return nil
}

// normalize maps a Go value to its GGUF type, copying slices.
func normalize(key string, v any) (KV, error) {
	kv := KV{Key: key, Value: v}
	switch x := v.(type) {
	case uint8:
		kv.Type = TypeUint8
	case int8:
		kv.Type = TypeInt8
	case uint16:
		kv.Type = TypeUint16
	case int16:
		kv.Type = TypeInt16
	case uint32:
		kv.Type = TypeUint32
	case int32:
		kv.Type = TypeInt32
	case uint64:
		kv.Type = TypeUint64
	case int64:
		kv.Type = TypeInt64
	case float32:
		kv.Type = TypeFloat32
	case float64:
		kv.Type = TypeFloat64
	case bool:
		kv.Type = TypeBool
	case string:
		kv.Type = TypeString
		if len(x) > MaxStringLen {
			return kv, fmt.Errorf("string length %d is above the cap of %d: %w", len(x), MaxStringLen, ErrLimit)
		}
	case Array:
		a, err := normalizeArray(x.Values)
		if err != nil {
			return kv, err
		}
		if a.Type != x.Type {
			return kv, fmt.Errorf("Array.Type %s does not match its %T values", x.Type, x.Values)
		}
		kv.Type, kv.Value = TypeArray, a
	default:
		a, err := normalizeArray(v)
		if err != nil {
			return kv, err
		}
		kv.Type, kv.Value = TypeArray, a
	}
	return kv, nil
}

func normalizeArray(v any) (Array, error) {
	var a Array
	switch x := v.(type) {
	case []uint8:
		a = Array{TypeUint8, slices.Clone(x)}
	case []int8:
		a = Array{TypeInt8, slices.Clone(x)}
	case []uint16:
		a = Array{TypeUint16, slices.Clone(x)}
	case []int16:
		a = Array{TypeInt16, slices.Clone(x)}
	case []uint32:
		a = Array{TypeUint32, slices.Clone(x)}
	case []int32:
		a = Array{TypeInt32, slices.Clone(x)}
	case []uint64:
		a = Array{TypeUint64, slices.Clone(x)}
	case []int64:
		a = Array{TypeInt64, slices.Clone(x)}
	case []float32:
		a = Array{TypeFloat32, slices.Clone(x)}
	case []float64:
		a = Array{TypeFloat64, slices.Clone(x)}
	case []bool:
		a = Array{TypeBool, slices.Clone(x)}
	case []string:
		for i, s := range x {
			if len(s) > MaxStringLen {
				return a, fmt.Errorf("element %d: string length %d is above the cap of %d: %w", i, len(s), MaxStringLen, ErrLimit)
			}
		}
		a = Array{TypeString, slices.Clone(x)}
	default:
		return a, fmt.Errorf("unsupported value type %T", v)
	}
	if n := a.Len(); n > MaxArrayLen {
		return a, fmt.Errorf("array length %d is above the cap of %d: %w", n, MaxArrayLen, ErrLimit)
	}
	return a, nil
}

// AddTensor adds a tensor. dims are in ggml order (dims[0] is the row
// length) and len(data) must equal the size the type and shape imply. The
// Writer keeps data (without copying) until WriteTo.
func (w *Writer) AddTensor(name string, t tensor.Type, dims []uint64, data []byte) error {
	if err := checkTensorName(name); err != nil {
		return fmt.Errorf("gguf: AddTensor: %w", err)
	}
	if w.names[name] {
		return fmt.Errorf("gguf: AddTensor %q: duplicate tensor name", name)
	}
	if len(w.tensors) >= MaxTensors {
		return fmt.Errorf("gguf: AddTensor %q: more than %d tensors: %w", name, MaxTensors, ErrLimit)
	}
	size, err := tensorSize(t, dims)
	if err != nil {
		return fmt.Errorf("gguf: AddTensor %q: %w", name, err)
	}
	if uint64(len(data)) != size {
		return fmt.Errorf("gguf: AddTensor %q: %d bytes of data, want %d for %s %v", name, len(data), size, t, dims)
	}
	end, ok := alignUp(w.dataSize+size, w.alignment)
	if !ok || end > math.MaxInt64/2 {
		return fmt.Errorf("gguf: AddTensor %q: data section too large", name)
	}
	info := TensorInfo{Name: name, Dims: slices.Clone(dims), Type: t, Offset: w.dataSize, Size: size}
	w.tensors = append(w.tensors, writerTensor{info, data})
	w.names[name] = true
	w.dataSize = end
	return nil
}

// WriteTo writes the file to out and returns the number of bytes written.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	if w.err != nil {
		return 0, w.err
	}
	e := &encoder{w: bufio.NewWriterSize(out, 1<<16)}
	e.bytes([]byte(Magic))
	e.u32(Version)
	e.u64(uint64(len(w.tensors)))
	e.u64(uint64(len(w.kvs)))
	for _, kv := range w.kvs {
		e.str(kv.Key)
		e.u32(uint32(kv.Type))
		e.value(kv.Value)
	}
	for _, t := range w.tensors {
		e.str(t.info.Name)
		e.u32(uint32(len(t.info.Dims)))
		for _, d := range t.info.Dims {
			e.u64(d)
		}
		e.u32(uint32(t.info.Type))
		e.u64(t.info.Offset)
	}
	if len(w.tensors) > 0 { // like llama.cpp, a file without tensors ends after its metadata
		e.pad(w.alignment)
	}
	for _, t := range w.tensors {
		e.bytes(t.data)
		e.pad(w.alignment)
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	if e.err != nil {
		return e.n, fmt.Errorf("gguf: write: %w", e.err)
	}
	return e.n, nil
}

// WriteFile writes the file atomically: to a temporary file in the same
// directory, synced, then renamed over path, and the directory synced.
func (w *Writer) WriteFile(path string) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = w.WriteTo(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("gguf: sync %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("gguf: sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("gguf: sync dir %s: %w", dir, err)
	}
	return nil
}

// encoder writes little-endian values, remembering the first error.
type encoder struct {
	w       *bufio.Writer
	n       int64
	err     error
	scratch [8]byte
}

func (e *encoder) bytes(b []byte) {
	if e.err != nil {
		return
	}
	var k int
	k, e.err = e.w.Write(b)
	e.n += int64(k)
}

func (e *encoder) u8(v uint8) { e.scratch[0] = v; e.bytes(e.scratch[:1]) }
func (e *encoder) u16(v uint16) {
	binary.LittleEndian.PutUint16(e.scratch[:], v)
	e.bytes(e.scratch[:2])
}
func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.scratch[:], v)
	e.bytes(e.scratch[:4])
}
func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.scratch[:], v)
	e.bytes(e.scratch[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	if e.err == nil {
		var k int
		k, e.err = e.w.WriteString(s)
		e.n += int64(k)
	}
}

func (e *encoder) pad(align uint64) {
	var zero [64]byte
	for rem := (align - uint64(e.n)%align) % align; rem > 0; {
		k := min(rem, uint64(len(zero)))
		e.bytes(zero[:k])
		rem -= k
	}
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// value writes a scalar, string or Array (the type tag is written by the
// caller).
func (e *encoder) value(v any) {
	switch x := v.(type) {
	case uint8:
		e.u8(x)
	case int8:
		e.u8(uint8(x))
	case bool:
		e.u8(boolByte(x))
	case uint16:
		e.u16(x)
	case int16:
		e.u16(uint16(x))
	case uint32:
		e.u32(x)
	case int32:
		e.u32(uint32(x))
	case float32:
		e.u32(math.Float32bits(x))
	case uint64:
		e.u64(x)
	case int64:
		e.u64(uint64(x))
	case float64:
		e.u64(math.Float64bits(x))
	case string:
		e.str(x)
	case Array:
		e.u32(uint32(x.Type))
		e.u64(uint64(x.Len()))
		e.arrayValues(x.Values)
	}
}

func (e *encoder) arrayValues(v any) {
	switch x := v.(type) {
	case []uint8:
		e.bytes(x)
	case []int8:
		eachValue(e, x)
	case []bool:
		eachValue(e, x)
	case []uint16:
		eachValue(e, x)
	case []int16:
		eachValue(e, x)
	case []uint32:
		eachValue(e, x)
	case []int32:
		eachValue(e, x)
	case []float32:
		eachValue(e, x)
	case []uint64:
		eachValue(e, x)
	case []int64:
		eachValue(e, x)
	case []float64:
		eachValue(e, x)
	case []string:
		eachValue(e, x)
	}
}

func eachValue[T any](e *encoder, xs []T) {
	for _, x := range xs {
		e.value(x)
	}
}
