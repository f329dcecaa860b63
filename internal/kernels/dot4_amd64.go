//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

type tensorType = tensor.Type

const (
	typeQ8_0 = tensor.Q8_0
	typeQ5_0 = tensor.Q5_0
)

// dotQ8_0R4AVX2 computes out[r] = dotQ8_0Q8_0(32*nb, w[r*stride:], x) for
// r = 0..3 — four weight rows stride bytes apart times one activation row,
// each bit-identical to the one-row kernel (llamafile's tinyBLAS 4×1 tile).
// len(w) >= 3*stride + 34*nb, len(x) >= 34*nb, len(out) >= 4.
//
//go:noescape
func dotQ8_0R4AVX2(w []byte, stride int, x []byte, nb int, out []float32)

// dotQ8_0Rows4 is the bounds-checked entry of dotQ8_0R4AVX2: w holds four
// consecutive rows of n elements (rowBytes each).
func dotQ8_0Rows4(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	nb := n / 32
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = w[3*rowBytes+nb*q8_0Bytes-1] // the last byte the assembly reads
	_ = x[nb*q8_0Bytes-1]
	if rowBytes < nb*q8_0Bytes {
		panic("kernels: dotQ8_0Rows4: rows overlap")
	}
	dotQ8_0R4AVX2(w, rowBytes, x, nb, out[:])
}

// dotQ5_0R4AVX2 is dotQ8_0R4AVX2 for Q5_0 weight rows (dotQ5_0Q8_0 each).
// len(w) >= 3*stride + 22*nb, len(x) >= 34*nb, len(out) >= 4.
//
//go:noescape
func dotQ5_0R4AVX2(w []byte, stride int, x []byte, nb int, out []float32)

// rows4Func computes four consecutive weight rows (rowBytes apart) times one
// activation row: out[r] = dot(n, w[r*rowBytes:], x), bit for bit.
type rows4Func func(n int, w []byte, rowBytes int, x []byte, out *[4]float32)

// rows4 returns the four-row kernel of a weight type, or nil.
func rows4(t tensorType) rows4Func {
	switch t {
	case typeQ8_0:
		return dotQ8_0Rows4
	case typeQ5_0:
		return dotQ5_0Rows4
	}
	return nil
}

func dotQ5_0Rows4(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	nb := n / 32
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = w[3*rowBytes+nb*q5_0Bytes-1]
	_ = x[nb*q8_0Bytes-1]
	if rowBytes < nb*q5_0Bytes {
		panic("kernels: dotQ5_0Rows4: rows overlap")
	}
	dotQ5_0R4AVX2(w, rowBytes, x, nb, out[:])
}
