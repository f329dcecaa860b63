package gguf

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/plumewriter/plume/internal/tensor"
)

// The rules below are shared by the reader and the Writer, so that the
// Writer cannot produce a file the reader rejects. They return plain errors;
// callers add the position and the key or tensor name.

// checkAlignment accepts a power of two in [1, MaxAlignment].
func checkAlignment(a uint64) error {
	if a == 0 || a&(a-1) != 0 {
		return fmt.Errorf("alignment %d is not a power of two", a)
	}
	if a > MaxAlignment {
		return fmt.Errorf("alignment %d is above the cap of %d: %w", a, MaxAlignment, ErrLimit)
	}
	return nil
}

// alignUp rounds x up to a multiple of a (a power of two); ok is false on
// overflow.
func alignUp(x, a uint64) (uint64, bool) {
	y := (x + a - 1) &^ (a - 1)
	return y, y >= x
}

// checkKey accepts a non-empty key of at most MaxKeyLen bytes.
func checkKey(key string) error { return checkName("key", key, MaxKeyLen) }

// checkTensorName accepts a non-empty name of at most MaxTensorNameLen bytes.
func checkTensorName(name string) error { return checkName("tensor name", name, MaxTensorNameLen) }

// checkName accepts a non-empty s of at most maxLen bytes; what names it
// in errors ("key", "tensor name").
func checkName(what, s string, maxLen int) error {
	if s == "" {
		return fmt.Errorf("empty %s", what)
	}
	if len(s) > maxLen {
		return fmt.Errorf("%s length %d is above the cap of %d: %w", what, len(s), maxLen, ErrLimit)
	}
	return nil
}

// numElements multiplies the dimensions; ok is false when the product
// overflows int64 (ggml counts elements in int64).
func numElements(dims []uint64) (uint64, bool) {
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// tensorSize checks a tensor's type and shape and returns its size in bytes.
func tensorSize(t tensor.Type, dims []uint64) (uint64, error) {
	if len(dims) == 0 {
		return 0, fmt.Errorf("tensor has no dimensions")
	}
	if len(dims) > MaxDims {
		return 0, fmt.Errorf("%d dimensions is above the cap of %d: %w", len(dims), MaxDims, ErrLimit)
	}
	for i, d := range dims {
		if d == 0 {
			return 0, fmt.Errorf("dimension %d is zero", i)
		}
	}
	n, ok := numElements(dims)
	if !ok {
		return 0, fmt.Errorf("element count of shape %v overflows int64", dims)
	}
	if !t.Known() {
		return 0, fmt.Errorf("unknown tensor type %d", uint32(t))
	}
	if bs := uint64(t.BlockSize()); dims[0]%bs != 0 {
		return 0, fmt.Errorf("row length %d is not a multiple of the %s block size %d", dims[0], t, bs)
	}
	row, err := tensor.RowSize(t, dims[0])
	if err != nil {
		return 0, err
	}
	hi, size := bits.Mul64(row, n/dims[0])
	if hi != 0 || size > math.MaxInt64 {
		return 0, fmt.Errorf("byte size of %s shape %v overflows", t, dims)
	}
	return size, nil
}

// layoutError reports which tensor breaks the data layout.
type layoutError struct {
	index int // into the tensor list
	msg   string
}

// checkLayout checks that the tensors, taken in offset order, tile the data
// section: the first starts at 0, each next one starts exactly at the
// previous end rounded up to the alignment (no gap, no overlap), every offset
// is aligned, and no tensor runs past the end of the file. Sizes must already
// be valid.
func checkLayout(ts []TensorInfo, align uint64, dataOffset, fileSize int64) *layoutError {
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case ts[a].Offset < ts[b].Offset:
			return -1
		case ts[a].Offset > ts[b].Offset:
			return 1
		}
		return 0
	})
	var want uint64 // where the next tensor must start
	prev := -1
	avail := uint64(max(fileSize-dataOffset, 0)) // bytes of data section in the file
	for _, i := range order {
		t := ts[i]
		if t.Offset%align != 0 {
			return &layoutError{i, fmt.Sprintf("offset %d is not a multiple of the alignment %d", t.Offset, align)}
		}
		if t.Offset != want {
			return &layoutError{i, tileMessage(ts, prev, t.Offset, want)}
		}
		end := t.Offset + t.Size
		if end < t.Offset || end > avail {
			return &layoutError{i, fmt.Sprintf("data [%d, +%d) runs past the end of the file (data section holds %d bytes)",
				t.Offset, t.Size, avail)}
		}
		next, ok := alignUp(end, align)
		if !ok {
			return &layoutError{i, "end offset overflows"}
		}
		want, prev = next, i
	}
	return nil
}

func tileMessage(ts []TensorInfo, prev int, off, want uint64) string {
	switch {
	case prev < 0:
		return fmt.Sprintf("the first tensor in the data section starts at offset %d, not 0", off)
	case off < want:
		return fmt.Sprintf("offset %d overlaps tensor %q, which ends at %d (aligned)", off, ts[prev].Name, want)
	default:
		return fmt.Sprintf("offset %d leaves a gap after tensor %q, which ends at %d (aligned)", off, ts[prev].Name, want)
	}
}
