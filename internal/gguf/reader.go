package gguf

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync"

	"github.com/plumewriter/plume/internal/tensor"
)

// File is a parsed, validated GGUF file. Its exported fields must be treated
// as read-only. A File is safe for concurrent use.
type File struct {
	Version    uint32
	Alignment  uint64
	DataOffset int64 // absolute byte offset of the data section
	KVs        []KV
	Tensors    []TensorInfo // in file order

	size    int64
	kvIdx   map[string]int
	tIdx    map[string]int
	mu      sync.RWMutex
	closed  bool
	mem     []byte      // the mapping or private copy, when opened with Open(Private)
	r       io.ReaderAt // the source, when parsed with Parse
	release func() error
	// seal makes a private copy read-only (nil: none, or sealed); until
	// then Rearrange may rewrite tensors, recording a tag in arranged.
	seal     func() error
	arranged map[string]uint8
	// own holds the tensors OpenCopying read into private memory (nil for
	// other files): TensorData and Rearrange take them instead of the
	// mapping's bytes. Set once at open, read-only after.
	own      map[string][]byte
	ownBytes int64 // private memory holding tensors: a private copy, or own's arena
	// bg is the copy of OpenCopying's InBackground tensors (nil: none).
	bg *background
	// stat is the mapped file's (Open): OpenCopying reads the same file.
	stat os.FileInfo
}

// Parse reads and validates a GGUF file of size bytes through r. It keeps r
// for TensorData, which then reads each tensor into a fresh buffer; Close
// does not close r.
func Parse(r io.ReaderAt, size int64) (*File, error) {
	if size < 0 {
		return nil, fmt.Errorf("gguf: negative file size %d", size)
	}
	f, err := parse(&decoder{r: r, size: size})
	if err != nil {
		return nil, err
	}
	f.r = r
	return f, nil
}

// parseMem parses a whole file held in memory (a mapping).
func parseMem(mem []byte) (*File, error) {
	f, err := parse(&decoder{mem: mem, size: int64(len(mem))})
	if err != nil {
		return nil, err
	}
	f.mem = mem
	return f, nil
}

func parse(d *decoder) (*File, error) {
	f := &File{size: d.size}
	nTensors, nKV, err := f.readHeader(d)
	if err != nil {
		return nil, err
	}
	if err := f.readKVs(d, nKV); err != nil {
		return nil, err
	}
	if err := f.readAlignment(d.alignAt); err != nil {
		return nil, err
	}
	if err := f.readTensorInfos(d, nTensors); err != nil {
		return nil, err
	}
	d.ctx = ""
	dataOff, ok := alignUp(uint64(d.pos), f.Alignment)
	if !ok || dataOff > math.MaxInt64 {
		return nil, d.fail(nil, "data section offset overflows")
	}
	f.DataOffset = int64(dataOff)
	if le := checkLayout(f.Tensors, f.Alignment, f.DataOffset, d.size); le != nil {
		t := f.Tensors[le.index]
		off := f.DataOffset + int64(min(t.Offset, uint64(d.size))) // for the message only
		d.ctx = "tensor " + strconv.Quote(t.Name)
		return nil, d.failAt(off, nil, "%s", le.msg)
	}
	return f, nil
}

func (f *File) readHeader(d *decoder) (nTensors, nKV uint64, err error) {
	d.ctx = "header"
	magic, err := d.next(4, "magic")
	if err != nil {
		return 0, 0, err
	}
	if string(magic) != Magic {
		return 0, 0, d.failAt(0, nil, "bad magic %q, want %q (not a GGUF file)", magic, Magic)
	}
	v, err := d.u32("version")
	if err != nil {
		return 0, 0, err
	}
	switch {
	case v == 1:
		return 0, 0, d.failAt(4, ErrVersion, "GGUF v1 is obsolete (32-bit counts); re-convert the model with a current llama.cpp")
	case v != 0 && v&0xFFFF == 0:
		return 0, 0, d.failAt(4, ErrVersion, "version %#x looks byte-swapped: big-endian GGUF files are not supported", v)
	case v < minVersion || v > Version:
		return 0, 0, d.failAt(4, ErrVersion, "version %d, want %d or %d", v, minVersion, Version)
	}
	f.Version = v
	if nTensors, err = d.count("tensor count", MaxTensors, minTensorBytes); err != nil {
		return 0, 0, err
	}
	if nKV, err = d.count("metadata count", MaxKVs, minKVBytes); err != nil {
		return 0, 0, err
	}
	// Both lists share the bytes that are left.
	if nTensors*minTensorBytes+nKV*minKVBytes > uint64(d.remaining()) {
		return 0, 0, d.fail(ErrLimit, "%d tensors and %d metadata pairs cannot fit in the %d bytes left in the file",
			nTensors, nKV, d.remaining())
	}
	return nTensors, nKV, nil
}

func (f *File) readKVs(d *decoder, n uint64) error {
	f.KVs = make([]KV, 0, n)
	f.kvIdx = make(map[string]int, n)
	for i := range n {
		d.ctx = fmt.Sprintf("metadata pair %d", i)
		start := d.pos
		key, err := d.str("key", MaxKeyLen)
		if err != nil {
			return err
		}
		if err := checkKey(key); err != nil {
			return d.failAt(start, err, "")
		}
		d.ctx = "key " + strconv.Quote(key)
		if _, dup := f.kvIdx[key]; dup {
			return d.failAt(start, nil, "duplicate key")
		}
		t, err := d.u32("value type")
		if err != nil {
			return err
		}
		v, err := d.value(ValueType(t), false)
		if err != nil {
			return err
		}
		if key == AlignmentKey {
			d.alignAt = start
		}
		f.kvIdx[key] = len(f.KVs)
		f.KVs = append(f.KVs, KV{Key: key, Type: ValueType(t), Value: v})
	}
	return nil
}

// readAlignment applies general.alignment, which must be a u32 power of two.
// at is the byte offset of the pair, for messages.
func (f *File) readAlignment(at int64) error {
	f.Alignment = DefaultAlignment
	i, ok := f.kvIdx[AlignmentKey]
	if !ok {
		return nil
	}
	kv := f.KVs[i]
	ctx := "key " + strconv.Quote(AlignmentKey)
	a, ok := kv.Value.(uint32)
	if kv.Type != TypeUint32 || !ok {
		return &FormatError{Offset: at, Context: ctx, Msg: "alignment must be a u32, not " + kv.Type.String()}
	}
	if err := checkAlignment(uint64(a)); err != nil {
		return &FormatError{Offset: at, Context: ctx, Err: err}
	}
	f.Alignment = uint64(a)
	return nil
}

func (f *File) readTensorInfos(d *decoder, n uint64) error {
	f.Tensors = make([]TensorInfo, 0, n)
	f.tIdx = make(map[string]int, n)
	for i := range n {
		d.ctx = fmt.Sprintf("tensor info %d", i)
		ti, err := readTensorInfo(d, f.tIdx)
		if err != nil {
			return err
		}
		if ti.Offset%f.Alignment != 0 {
			return d.fail(nil, "offset %d is not a multiple of the alignment %d", ti.Offset, f.Alignment)
		}
		f.tIdx[ti.Name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, ti)
	}
	return nil
}

func readTensorInfo(d *decoder, seen map[string]int) (TensorInfo, error) {
	start := d.pos
	name, err := d.str("tensor name", MaxTensorNameLen)
	if err != nil {
		return TensorInfo{}, err
	}
	if err := checkTensorName(name); err != nil {
		return TensorInfo{}, d.failAt(start, err, "")
	}
	d.ctx = "tensor " + strconv.Quote(name)
	if _, dup := seen[name]; dup {
		return TensorInfo{}, d.failAt(start, nil, "duplicate tensor name")
	}
	nd, err := d.u32("dimension count")
	if err != nil {
		return TensorInfo{}, err
	}
	if nd == 0 || nd > MaxDims {
		return TensorInfo{}, d.fail(nil, "%d dimensions, want 1 to %d", nd, MaxDims)
	}
	dims := make([]uint64, nd)
	for j := range dims {
		if dims[j], err = d.u64("dimension"); err != nil {
			return TensorInfo{}, err
		}
	}
	typ, err := d.u32("tensor type")
	if err != nil {
		return TensorInfo{}, err
	}
	size, err := tensorSize(tensor.Type(typ), dims)
	if err != nil {
		return TensorInfo{}, d.fail(err, "")
	}
	off, err := d.u64("tensor offset")
	if err != nil {
		return TensorInfo{}, err
	}
	return TensorInfo{Name: name, Dims: dims, Type: tensor.Type(typ), Offset: off, Size: size}, nil
}

// Size returns the size of the file in bytes.
func (f *File) Size() int64 { return f.size }

// Close releases the mapping (for files from Open). Afterwards TensorData
// fails with ErrClosed, and slices it returned earlier must not be used.
// Close is idempotent.
func (f *File) Close() error {
	f.stopBackground()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	f.mem, f.r = nil, nil
	if f.release != nil {
		return f.release()
	}
	return nil
}

// CopiedBytes is the private memory the file's tensors were read into: the
// whole file for OpenPrivate, the copied tensors' arenas for OpenCopying
// (counting those still to be copied in the background);
// 0 for a mapping, a file read through its descriptor, or an OpenCopying
// that copied none.
func (f *File) CopiedBytes() int64 { return f.ownBytes }

// Tensor returns the info of the named tensor.
func (f *File) Tensor(name string) (TensorInfo, bool) {
	i, ok := f.tIdx[name]
	if !ok {
		return TensorInfo{}, false
	}
	ti := f.Tensors[i]
	ti.Dims = append([]uint64(nil), ti.Dims...)
	return ti, true
}

// TensorData returns the bytes of the named tensor. For a file from Open it
// is a read-only view of the mapping (do not write to it), valid until
// Close; for a file from Parse it is a fresh buffer.
func (f *File) TensorData(name string) ([]byte, error) {
	i, ok := f.tIdx[name]
	if !ok {
		return nil, fmt.Errorf("gguf: tensor %q: %w", name, ErrNotFound)
	}
	t := f.Tensors[i]
	start := f.DataOffset + int64(t.Offset) // validated: inside the file
	end := start + int64(t.Size)
	f.mu.RLock()
	defer f.mu.RUnlock()
	switch {
	case f.closed:
		return nil, fmt.Errorf("gguf: tensor %q: %w", name, ErrClosed)
	case f.own[name] != nil:
		return f.own[name], nil
	case f.mem != nil:
		return f.mem[start:end:end], nil
	}
	buf := make([]byte, t.Size)
	got, err := f.r.ReadAt(buf, start)
	if got == len(buf) {
		return buf, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, fmt.Errorf("gguf: reading tensor %q at byte %d: %w", name, start, err)
}
