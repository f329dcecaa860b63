package tensor

import (
	"errors"
	"fmt"
	"math/bits"
)

// Type is a ggml element type as stored in GGUF tensor infos (enum ggml_type).
type Type uint32

// The ggml type ids. The numbering is fixed by the GGUF format; gaps are
// types that were removed upstream or that Plume does not load.
const (
	F32  Type = 0
	F16  Type = 1
	Q4_0 Type = 2
	Q4_1 Type = 3
	Q5_0 Type = 6
	Q5_1 Type = 7
	Q8_0 Type = 8
	Q8_1 Type = 9
	Q2_K Type = 10
	Q3_K Type = 11
	Q4_K Type = 12
	Q5_K Type = 13
	Q6_K Type = 14
	Q8_K Type = 15
	I8   Type = 24
	I16  Type = 25
	I32  Type = 26
	I64  Type = 27
	F64  Type = 28
	BF16 Type = 30
)

// QK_K is the super-block size of the K-quant formats.
const QK_K = 256

type typeInfo struct {
	name      string
	blockSize int // elements per block
	typeSize  int // bytes per block
}

// types is indexed by type id (an array, not a map: RowSize runs on every
// matmul and attention row); unknown ids have a zero blockSize.
var types = [...]typeInfo{
	F32:  {"F32", 1, 4},
	F16:  {"F16", 1, 2},
	BF16: {"BF16", 1, 2},
	F64:  {"F64", 1, 8},
	I8:   {"I8", 1, 1},
	I16:  {"I16", 1, 2},
	I32:  {"I32", 1, 4},
	I64:  {"I64", 1, 8},
	Q4_0: {"Q4_0", 32, 2 + 16},
	Q4_1: {"Q4_1", 32, 2 + 2 + 16},
	Q5_0: {"Q5_0", 32, 2 + 4 + 16},
	Q5_1: {"Q5_1", 32, 2 + 2 + 4 + 16},
	Q8_0: {"Q8_0", 32, 2 + 32},
	Q8_1: {"Q8_1", 32, 2 + 2 + 32},
	Q2_K: {"Q2_K", QK_K, QK_K/16 + QK_K/4 + 2 + 2},
	Q3_K: {"Q3_K", QK_K, QK_K/8 + QK_K/4 + 12 + 2},
	Q4_K: {"Q4_K", QK_K, 2 + 2 + 12 + QK_K/2},
	Q5_K: {"Q5_K", QK_K, 2 + 2 + 12 + QK_K/8 + QK_K/2},
	Q6_K: {"Q6_K", QK_K, QK_K/2 + QK_K/4 + QK_K/16 + 2},
	Q8_K: {"Q8_K", QK_K, 4 + QK_K + QK_K/16*2},
}

// ErrUnknownType reports a type id that Plume does not know.
var ErrUnknownType = errors.New("unknown tensor type")

// info returns the layout of t and whether t is known.
func info(t Type) (typeInfo, bool) {
	if uint64(t) >= uint64(len(types)) || types[t].blockSize == 0 {
		return typeInfo{}, false
	}
	return types[t], true
}

// Known reports whether t is a type whose layout Plume knows.
func (t Type) Known() bool { _, ok := info(t); return ok }

// String returns the ggml name of the type, e.g. "Q4_K".
func (t Type) String() string {
	if ti, ok := info(t); ok {
		return ti.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// BlockSize is the number of elements in one block (1 for plain types, 0
// for an unknown type).
func (t Type) BlockSize() int { ti, _ := info(t); return ti.blockSize }

// TypeSize is the number of bytes in one block (0 for an unknown type).
func (t Type) TypeSize() int { ti, _ := info(t); return ti.typeSize }

// ParseType maps a ggml type name ("Q8_0", "f16", …) to its Type.
func ParseType(name string) (Type, error) {
	for t, ti := range types {
		if ti.blockSize != 0 && equalFold(ti.name, name) {
			return Type(t), nil
		}
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownType, name)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// RowSize returns the number of bytes that n elements of type t occupy.
// It fails when t is unknown or n is not a whole number of blocks.
func RowSize(t Type, n uint64) (uint64, error) {
	ti, ok := info(t)
	if !ok {
		return 0, fmt.Errorf("%w %d", ErrUnknownType, uint32(t))
	}
	if n%uint64(ti.blockSize) != 0 {
		return 0, fmt.Errorf("row of %d elements is not a multiple of the %s block size %d", n, ti.name, ti.blockSize)
	}
	hi, lo := bits.Mul64(n/uint64(ti.blockSize), uint64(ti.typeSize))
	if hi != 0 {
		return 0, fmt.Errorf("row of %d %s elements overflows", n, ti.name)
	}
	return lo, nil
}
