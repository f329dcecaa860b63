package kernels

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// VecDotRows equals one VecDot per strided row times scale, bit for bit.
func TestVecDotRows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		typ          tensor.Type
		n, rows, gap int // gap: bytes between the end of a row and the next
	}{
		{tensor.F16, 64, 9, 256},
		{tensor.F16, 128, 1, 0},
		// Short heads and odd lengths run the float64 tail of the F16 kernel.
		{tensor.F16, 8, 33, 2},
		{tensor.F16, 16, 64, 0},
		{tensor.F16, 7, 5, 1},
		// Sixteen-row groups of short rows, with a tail, then four and one.
		{tensor.F16, 13, 35, 2},
		{tensor.F16, 20, 21, 0},
		{tensor.F16, 3, 16, 6},
		{tensor.F16, 40, 17, 6},
		{tensor.F16, 24, 13, 4},
		{tensor.F16, 47, 10, 2},
		{tensor.F16, 96, 3, 30},
		{tensor.F32, 64, 5, 64},
		{tensor.Q8_0, 64, 7, 34},
	}
	for _, tc := range tests {
		rb := rowSize(t, tc.typ, tc.n)
		stride := rb + tc.gap
		// One byte of offset: the rows sit misaligned, as in a KV cache.
		w := make([]byte, (tc.rows-1)*stride+rb+1)[1:]
		for i := range tc.rows {
			if err := tensor.Quantize(tc.typ, randVec(r, tc.n), w[i*stride:i*stride+rb]); err != nil {
				t.Fatal(err)
			}
		}
		x := actRow(t, tc.typ, randVec(r, tc.n))
		out := make([]float32, tc.rows)
		const scale = 0.125
		if err := VecDotRows(tc.typ, tc.n, w, stride, x, scale, out); err != nil {
			t.Fatal(err)
		}
		for i := range out {
			want := VecDot(tc.typ, tc.n, w[i*stride:i*stride+rb], x) * scale
			if math.Float32bits(out[i]) != math.Float32bits(want) {
				t.Errorf("%s row %d: %g, VecDot %g", tc.typ, i, out[i], want)
			}
		}
		// One byte short of the last row is a shape error, not a panic.
		if err := VecDotRows(tc.typ, tc.n, w[:len(w)-1], stride, x, scale, out); !errors.Is(err, ErrShape) {
			t.Errorf("%s short weights: err = %v, want ErrShape", tc.typ, err)
		}
	}
}

// BenchmarkVecDotRowsF16 times the attention shapes of a short-head model
// (TinyStories: heads of 16, KV rows 128 elements apart): the scores of one
// query against 64 cached keys, and 16 V rows of 64 probabilities.
func BenchmarkVecDotRowsF16(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, bc := range []struct {
		name            string
		n, rows, stride int
	}{
		{"scores/n=16/rows=64", 16, 64, 256},
		{"values/n=64/rows=16", 64, 16, 1024},
		{"scores/n=64/rows=64", 64, 64, 1024},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := make([]byte, (bc.rows-1)*bc.stride+2*bc.n)
			for i := range bc.rows {
				if err := tensor.Quantize(tensor.F16, randVec(r, bc.n), w[i*bc.stride:i*bc.stride+2*bc.n]); err != nil {
					b.Fatal(err)
				}
			}
			x := make([]byte, 2*bc.n)
			if err := tensor.Quantize(tensor.F16, randVec(r, bc.n), x); err != nil {
				b.Fatal(err)
			}
			out := make([]float32, bc.rows)
			b.SetBytes(int64(2 * bc.n * bc.rows))
			for b.Loop() {
				if err := VecDotRows(tensor.F16, bc.n, w, bc.stride, x, 1, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
