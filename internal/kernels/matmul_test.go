package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

func randMatrix(tb testing.TB, r *rand.Rand, t tensor.Type, rows, cols int) Matrix {
	tb.Helper()
	rb := rowSize(tb, t, cols)
	m := Matrix{Type: t, Rows: rows, Cols: cols, Data: make([]byte, rows*rb)}
	for i := range rows {
		if err := tensor.Quantize(t, randVec(r, cols), m.Data[i*rb:(i+1)*rb]); err != nil {
			tb.Fatal(err)
		}
	}
	return m
}

var matmulTypes = []tensor.Type{tensor.F32, tensor.F16, tensor.BF16, tensor.Q8_0, tensor.Q4_0, tensor.Q4_1, tensor.Q5_0, tensor.Q4_K, tensor.Q6_K}

// The result does not depend on the thread count, bit for bit, and equals
// one VecDot per output.
func TestMatMulThreadIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const rows, cols = 67, 512
	for _, typ := range matmulTypes {
		w := randMatrix(t, r, typ, rows, cols)
		for _, n := range []int{1, 5} {
			x := randVec(r, n*cols)
			var ref []float32
			for threads := 1; threads <= 4; threads++ {
				p := NewPool(threads)
				out := make([]float32, n*rows)
				if err := MatMul(p, w, x, n, out); err != nil {
					t.Fatal(err)
				}
				p.Close()
				if ref == nil {
					ref = out
					for i := range n {
						xq := actRow(t, typ, x[i*cols:(i+1)*cols])
						for row := range rows {
							if got := VecDot(typ, cols, w.Row(row), xq); math.Float32bits(got) != math.Float32bits(out[i*rows+row]) {
								t.Fatalf("%s n=%d: out[%d,%d] = %g, VecDot %g", typ, n, i, row, out[i*rows+row], got)
							}
						}
					}
					continue
				}
				for i := range out {
					if math.Float32bits(out[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%s n=%d threads=%d: out[%d] = %g, 1 thread %g", typ, n, threads, i, out[i], ref[i])
					}
				}
			}
		}
	}
}

// A batch of n rows gives the same bits as n single-row calls (the tiled
// path against the n == 1 path), and a nil pool works.
func TestMatMulBatchEqualsSingle(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	// n > actTile exercises two activation tiles; n = 71 leaves one row out
	// of the 4×2 tile's pairs, rows = 42 two rows out of the four-row groups
	// (40 Q4_K rows are repacked, 42 are not).
	const cols = 256
	p := NewPool(3)
	defer p.Close()
	for _, c := range []struct {
		typ     tensor.Type
		rows, n int
	}{{tensor.Q8_0, 40, 70}, {tensor.Q8_0, 42, 71}, {tensor.Q5_0, 42, 71}, {tensor.Q4_K, 40, 70},
		{tensor.Q4_K, 42, 71}, {tensor.Q5_K, 40, 70}, {tensor.F16, 40, 70}} {
		typ, rows, n := c.typ, c.rows, c.n
		w := randMatrix(t, r, typ, rows, cols)
		x := randVec(r, n*cols)
		out := make([]float32, n*rows)
		if err := MatMul(p, w, x, n, out); err != nil {
			t.Fatal(err)
		}
		one := make([]float32, rows)
		for i := range n {
			if err := MatMul(nil, w, x[i*cols:(i+1)*cols], 1, one); err != nil {
				t.Fatal(err)
			}
			for row := range rows {
				if math.Float32bits(one[row]) != math.Float32bits(out[i*rows+row]) {
					t.Fatalf("%s: row %d of activation %d: batch %g, single %g", typ, row, i, out[i*rows+row], one[row])
				}
			}
		}
	}
}

func TestMatMulBadShapes(t *testing.T) {
	good := Matrix{Type: tensor.Q8_0, Rows: 2, Cols: 32, Data: make([]byte, 2*34)}
	tests := []struct {
		name   string
		w      Matrix
		nx, n  int
		nout   int
		target error
	}{
		{"x too short", good, 31, 1, 2, ErrShape},
		{"out too long", good, 32, 1, 3, ErrShape},
		{"n mismatch", good, 32, 2, 4, ErrShape},
		{"negative n", good, 0, -1, 0, ErrShape},
		{"data too short", Matrix{Type: tensor.Q8_0, Rows: 2, Cols: 32, Data: make([]byte, 67)}, 32, 1, 2, ErrShape},
		{"partial block", Matrix{Type: tensor.Q8_0, Rows: 1, Cols: 33, Data: make([]byte, 34)}, 33, 1, 1, ErrShape},
		{"negative rows", Matrix{Type: tensor.F32, Rows: -1, Cols: 4}, 4, 1, 0, ErrShape},
		{"huge rows overflow", Matrix{Type: tensor.F32, Rows: math.MaxInt / 2, Cols: 8}, 8, 1, 0, ErrShape},
		{"unsupported type", Matrix{Type: tensor.I32, Rows: 1, Cols: 1, Data: make([]byte, 4)}, 1, 1, 1, ErrUnsupported},
	}
	p := NewPool(2)
	defer p.Close()
	for _, tc := range tests {
		err := MatMul(p, tc.w, make([]float32, tc.nx), tc.n, make([]float32, tc.nout))
		if !errors.Is(err, tc.target) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.target)
		}
	}
	// Empty products are fine.
	if err := MatMul(p, Matrix{Type: tensor.F32}, nil, 3, nil); err != nil {
		t.Errorf("0x0 matrix: %v", err)
	}
}

func BenchmarkMatMul(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const rows, cols = 1024, 2048
	for _, typ := range []tensor.Type{tensor.F32, tensor.F16, tensor.Q8_0, tensor.Q4_0, tensor.Q4_K, tensor.Q6_K} {
		w := randMatrix(b, r, typ, rows, cols)
		for _, n := range []int{1, 16} {
			for _, threads := range []int{1, 2} {
				x := randVec(r, n*cols)
				out := make([]float32, n*rows)
				b.Run(fmt.Sprintf("%s/n=%d/threads=%d", typ, n, threads), func(b *testing.B) {
					p := NewPool(threads)
					defer p.Close()
					b.SetBytes(int64(len(w.Data)))
					for b.Loop() {
						if err := MatMul(p, w, x, n, out); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

func TestMatrixF32(t *testing.T) {
	data := []float32{1, 2, 3, 4, 5, 6} // 2 rows of 3
	m := MatrixF32(2, 3, data)
	out := make([]float32, 2)
	if err := MatMul(nil, m, []float32{1, 0, -1}, 1, out); err != nil {
		t.Fatal(err)
	}
	if out[0] != -2 || out[1] != -2 {
		t.Errorf("out = %v, want [-2 -2]", out)
	}
	if err := MatMul(nil, MatrixF32(3, 3, data), []float32{1, 0, -1}, 1, make([]float32, 3)); err == nil {
		t.Error("MatrixF32 with too little data accepted")
	}
	if m := MatrixF32(0, 0, nil); m.Check() != nil {
		t.Errorf("empty F32 matrix: %v", m.Check())
	}
}
