package gguf

import (
	"errors"
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// Format constants.
const (
	// Magic is the four bytes every GGUF file starts with.
	Magic = "GGUF"
	// Version is the version the Writer produces.
	Version = 3
	// minVersion is the oldest accepted version: v1 used 32-bit counts and
	// llama.cpp dropped it in 2023.
	minVersion = 2
	// DefaultAlignment applies when general.alignment is absent (GGUF spec).
	DefaultAlignment = 32
	// AlignmentKey is the metadata key that overrides the alignment.
	AlignmentKey = "general.alignment"
	// ArchitectureKey names the model architecture.
	ArchitectureKey = "general.architecture"
)

// Limits. Each one bounds memory or work on hostile input; every count is also
// checked against the bytes left in the file, so these caps only matter for
// huge files and keep allocations predictable.
const (
	// MaxKeyLen is the GGUF spec's limit on key length (65535 bytes).
	MaxKeyLen = 1<<16 - 1
	// MaxStringLen caps one string value. The longest real strings are chat
	// templates (tens of KiB); 16 MiB leaves wide room.
	MaxStringLen = 16 << 20
	// MaxArrayLen caps one array. The largest real arrays are vocabularies and
	// merge lists (≈ 262k tokens, ≈ 500k merges); 16M elements leaves room.
	MaxArrayLen = 16 << 20
	// MaxKVs caps the number of metadata pairs; real files have < 100.
	MaxKVs = 1 << 16
	// MaxTensors caps the tensor count; the largest MoE files have a few
	// thousand tensors.
	MaxTensors = 1 << 16
	// MaxDims is ggml's GGML_MAX_DIMS.
	MaxDims = 4
	// MaxTensorNameLen is ggml's GGML_MAX_NAME (64) minus the terminating NUL:
	// llama.cpp rejects longer names, so Plume does too.
	MaxTensorNameLen = 63
	// MaxAlignment caps general.alignment. Writers use 32 (sometimes 64 or a
	// 4 KiB page); 1 MiB is above every page size but the 2 MiB huge page
	// and bounds the padding a file may demand between tensors.
	MaxAlignment = 1 << 20
)

// ValueType is the type tag of a metadata value (enum gguf_type).
type ValueType uint32

// The metadata value types. The numbering is fixed by the format.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{
	"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64",
}

// String returns a short name such as "u32" or "string".
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// size returns the encoded size of a fixed-size scalar type, or 0 for
// strings, arrays and unknown types.
func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// KV is one metadata pair. Value holds a uint8, int8, uint16, int16, uint32,
// int32, uint64, int64, float32, float64, bool, string or Array, matching Type.
type KV struct {
	Key   string
	Type  ValueType
	Value any
}

// Array is an array value. Values is a []uint8, []int8, []uint16, []int16,
// []uint32, []int32, []uint64, []int64, []float32, []float64, []bool or
// []string, matching Type (never TypeArray: nested arrays are rejected).
type Array struct {
	Type   ValueType
	Values any
}

// Len returns the number of elements.
func (a Array) Len() int {
	switch v := a.Values.(type) {
	case []uint8:
		return len(v)
	case []int8:
		return len(v)
	case []uint16:
		return len(v)
	case []int16:
		return len(v)
	case []uint32:
		return len(v)
	case []int32:
		return len(v)
	case []uint64:
		return len(v)
	case []int64:
		return len(v)
	case []float32:
		return len(v)
	case []float64:
		return len(v)
	case []bool:
		return len(v)
	case []string:
		return len(v)
	}
	return 0
}

// TensorInfo describes one tensor. Dims are in ggml order: Dims[0] is the
// row length (the fastest-varying dimension).
type TensorInfo struct {
	Name   string
	Dims   []uint64
	Type   tensor.Type
	Offset uint64 // relative to the start of the data section
	Size   uint64 // bytes
}

// NumElements returns the product of the dimensions. For a TensorInfo that
// came from the reader or was accepted by the Writer it cannot overflow;
// otherwise it saturates at the maximum uint64.
func (ti TensorInfo) NumElements() uint64 {
	n, ok := numElements(ti.Dims)
	if !ok {
		return ^uint64(0)
	}
	return n
}

// Errors. Every error from Parse and Open that concerns the file's content is
// a *FormatError and matches ErrInvalid with errors.Is.
var (
	// ErrNotFound reports a metadata key or tensor that is absent.
	ErrNotFound = errors.New("not found")
	// ErrType reports a metadata value of another type than asked for, or
	// one out of range for the requested Go type.
	ErrType = errors.New("wrong value type")
	// ErrInvalid is matched by every rejection of a malformed file.
	ErrInvalid = errors.New("gguf: invalid file")
	// ErrLimit is matched when a count or length exceeds a cap or the bytes
	// left in the file.
	ErrLimit = errors.New("exceeds limit")
	// ErrVersion is matched when the version is not 2 or 3.
	ErrVersion = errors.New("unsupported GGUF version")
	// ErrClosed is returned by TensorData after Close.
	ErrClosed = errors.New("file is closed")
)

// FormatError describes why a file was rejected and where.
type FormatError struct {
	Offset  int64  // byte offset in the file where the problem was found
	Context string // e.g. `key "general.alignment"` or `tensor "output.weight"`; may be empty
	Msg     string // may be empty when Err says it all
	Err     error  // optional cause (ErrLimit, ErrVersion, io.ErrUnexpectedEOF, …)
}

func (e *FormatError) Error() string {
	s := fmt.Sprintf("gguf: invalid file at byte %d", e.Offset)
	if e.Context != "" {
		s += " (" + e.Context + ")"
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrInvalid and the cause, so errors.Is matches both.
func (e *FormatError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}
