package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// readWindow is how many bytes the decoder reads at once through an
// io.ReaderAt, so that a vocabulary of 100k short strings costs a few dozen
// reads rather than 200k.
const readWindow = 64 << 10

// Minimum encoded sizes, used to reject counts that could not fit in the
// bytes left before anything is allocated.
const (
	minStringBytes = 8                     // u64 length, empty string
	minKVBytes     = 8 + 1 + 4 + 1         // non-empty key, type, 1-byte value
	minTensorBytes = 8 + 1 + 4 + 8 + 4 + 8 // name, n_dims, one dim, type, offset
)

// decoder reads little-endian GGUF primitives with bounds checks. It reads
// either straight from mem (a mapped file) or through r with a window.
type decoder struct {
	mem   []byte
	r     io.ReaderAt
	size  int64
	pos   int64
	buf   []byte // window of the file at bufAt, when reading through r
	bufAt int64
	ctx   string // what is being read, for error messages

	alignAt int64 // offset of the general.alignment pair, for messages
}

func (d *decoder) remaining() int64 { return d.size - d.pos }

// fail builds a FormatError at the current position.
func (d *decoder) fail(cause error, format string, args ...any) error {
	return d.failAt(d.pos, cause, format, args...)
}

func (d *decoder) failAt(off int64, cause error, format string, args ...any) error {
	return &FormatError{Offset: off, Context: d.ctx, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// next returns the n bytes at the current position and advances past them.
// The slice is valid only until the next call.
func (d *decoder) next(n int64, what string) ([]byte, error) {
	if n < 0 || n > d.remaining() {
		return nil, d.fail(io.ErrUnexpectedEOF, "reading %s: need %d bytes, %d left in the file", what, n, d.remaining())
	}
	start := d.pos
	if d.mem != nil {
		d.pos += n
		return d.mem[start:d.pos:d.pos], nil
	}
	if start >= d.bufAt && start+n <= d.bufAt+int64(len(d.buf)) {
		d.pos += n
		lo := start - d.bufAt
		return d.buf[lo : lo+n : lo+n], nil
	}
	want := max(n, min(readWindow, d.remaining()))
	var b []byte
	if want <= readWindow {
		if cap(d.buf) < readWindow {
			d.buf = make([]byte, readWindow)
		}
		b = d.buf[:want]
	} else {
		b = make([]byte, want) // a large string: bounded by the bytes left and the caps
	}
	got, err := d.r.ReadAt(b, start)
	if got < len(b) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, d.fail(err, "reading %s", what)
	}
	if want <= readWindow {
		d.buf, d.bufAt = b, start
	}
	d.pos += n
	return b[:n:n], nil
}

func (d *decoder) u32(what string) (uint32, error) {
	b, err := d.next(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) u64(what string) (uint64, error) {
	b, err := d.next(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a u64 count of items that each take at least minBytes, and
// rejects it when it exceeds limit or could not fit in the bytes left.
func (d *decoder) count(what string, limit uint64, minBytes int64) (uint64, error) {
	n, err := d.u64(what)
	if err != nil {
		return 0, err
	}
	at := d.pos - 8 // report the count's own position
	if n > limit {
		return 0, d.failAt(at, ErrLimit, "%s %d is above the cap of %d", what, n, limit)
	}
	if int64(n) > d.remaining()/minBytes { // n ≤ limit < 2^63, no overflow
		return 0, d.failAt(at, ErrLimit, "%s %d cannot fit in the %d bytes left in the file", what, n, d.remaining())
	}
	return n, nil
}

// str reads a string of at most limit bytes.
func (d *decoder) str(what string, limit uint64) (string, error) {
	n, err := d.u64(what + " length")
	if err != nil {
		return "", err
	}
	at := d.pos - 8
	if n > limit {
		return "", d.failAt(at, ErrLimit, "%s length %d is above the cap of %d", what, n, limit)
	}
	if int64(n) > d.remaining() {
		return "", d.failAt(at, ErrLimit, "%s length %d is more than the %d bytes left in the file", what, n, d.remaining())
	}
	b, err := d.next(int64(n), what)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// scalar reads one fixed-size value of type t (not string or array).
func scalar(t ValueType, b []byte) any {
	switch t {
	case TypeUint8:
		return b[0]
	case TypeInt8:
		return int8(b[0])
	case TypeBool:
		return b[0] != 0 // llama.cpp reads any non-zero byte as true
	case TypeUint16:
		return binary.LittleEndian.Uint16(b)
	case TypeInt16:
		return int16(binary.LittleEndian.Uint16(b))
	case TypeUint32:
		return binary.LittleEndian.Uint32(b)
	case TypeInt32:
		return int32(binary.LittleEndian.Uint32(b))
	case TypeFloat32:
		return math.Float32frombits(binary.LittleEndian.Uint32(b))
	case TypeUint64:
		return binary.LittleEndian.Uint64(b)
	case TypeInt64:
		return int64(binary.LittleEndian.Uint64(b))
	case TypeFloat64:
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return nil // unreachable: callers check t.size() > 0
}

// value reads a value of type t; arrays may not nest.
func (d *decoder) value(t ValueType, inArray bool) (any, error) {
	switch {
	case t == TypeString:
		return d.str("string value", MaxStringLen)
	case t == TypeArray && inArray:
		return nil, d.fail(nil, "nested arrays are not supported")
	case t == TypeArray:
		return d.array()
	case t.size() > 0:
		b, err := d.next(int64(t.size()), t.String()+" value")
		if err != nil {
			return nil, err
		}
		return scalar(t, b), nil
	}
	return nil, d.fail(nil, "unknown value type %d", uint32(t))
}

// array reads an array's element type, count and elements.
func (d *decoder) array() (Array, error) {
	et, err := d.u32("array element type")
	if err != nil {
		return Array{}, err
	}
	t := ValueType(et)
	if t == TypeArray {
		return Array{}, d.fail(nil, "nested arrays are not supported")
	}
	es := int64(t.size())
	if t == TypeString {
		es = minStringBytes
	} else if es == 0 {
		return Array{}, d.fail(nil, "unknown array element type %d", et)
	}
	n, err := d.count("array length", MaxArrayLen, es)
	if err != nil {
		return Array{}, err
	}
	vals, err := d.arrayValues(t, int(n))
	if err != nil {
		return Array{}, err
	}
	return Array{Type: t, Values: vals}, nil
}

func (d *decoder) arrayValues(t ValueType, n int) (any, error) {
	switch t {
	case TypeString:
		out := make([]string, n)
		for i := range out {
			s, err := d.str(fmt.Sprintf("string element %d", i), MaxStringLen)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case TypeUint8:
		return readSlice(d, n, 1, func(b []byte) uint8 { return b[0] })
	case TypeInt8:
		return readSlice(d, n, 1, func(b []byte) int8 { return int8(b[0]) })
	case TypeBool:
		return readSlice(d, n, 1, func(b []byte) bool { return b[0] != 0 })
	case TypeUint16:
		return readSlice(d, n, 2, binary.LittleEndian.Uint16)
	case TypeInt16:
		return readSlice(d, n, 2, func(b []byte) int16 { return int16(binary.LittleEndian.Uint16(b)) })
	case TypeUint32:
		return readSlice(d, n, 4, binary.LittleEndian.Uint32)
	case TypeInt32:
		return readSlice(d, n, 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
	case TypeFloat32:
		return readSlice(d, n, 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) })
	case TypeUint64:
		return readSlice(d, n, 8, binary.LittleEndian.Uint64)
	case TypeInt64:
		return readSlice(d, n, 8, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) })
	case TypeFloat64:
		return readSlice(d, n, 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
	}
	return nil, d.fail(nil, "unknown array element type %d", uint32(t))
}

// readSlice decodes n fixed-size elements, a window at a time. The caller
// has already checked that n*size bytes are left.
func readSlice[T any](d *decoder, n, size int, conv func([]byte) T) ([]T, error) {
	out := make([]T, n)
	per := readWindow / size
	for i := 0; i < n; {
		k := min(n-i, per)
		b, err := d.next(int64(k*size), "array elements")
		if err != nil {
			return nil, err
		}
		for j := range k {
			out[i+j] = conv(b[j*size:])
		}
		i += k
	}
	return out, nil
}
