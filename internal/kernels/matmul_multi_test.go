package kernels

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// MatMulMulti gives, bit for bit, what one MatMul per matrix gives, for any
// thread count, fused (same activation type) or not (mixed types/widths).
func TestMatMulMultiEqualsMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		name  string
		types []tensor.Type
		rows  []int
		cols  []int
	}{
		{"q8_0 qkv", []tensor.Type{tensor.Q8_0, tensor.Q8_0, tensor.Q8_0}, []int{64, 16, 16}, []int{512, 512, 512}},
		{"k-quants mixed", []tensor.Type{tensor.Q4_K, tensor.Q4_K, tensor.Q6_K}, []int{40, 8, 9}, []int{256, 256, 256}},
		{"q4_0 gate up", []tensor.Type{tensor.Q4_0, tensor.Q4_0}, []int{67, 67}, []int{256, 256}},
		{"f16 f32 not fused", []tensor.Type{tensor.F16, tensor.F32}, []int{13, 7}, []int{64, 64}},
		{"single", []tensor.Type{tensor.Q8_0}, []int{5}, []int{64}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := make([]Matrix, len(tc.types))
			for k, typ := range tc.types {
				ws[k] = randMatrix(t, r, typ, tc.rows[k], tc.cols[k])
			}
			for _, n := range []int{1, 6} {
				x := randVec(r, n*tc.cols[0])
				want := make([][]float32, len(ws))
				for k, w := range ws {
					want[k] = make([]float32, n*w.Rows)
					if err := MatMul(nil, w, x, n, want[k]); err != nil {
						t.Fatal(err)
					}
				}
				for threads := 1; threads <= 3; threads++ {
					p := NewPool(threads)
					outs := make([][]float32, len(ws))
					for k, w := range ws {
						outs[k] = make([]float32, n*w.Rows)
					}
					err := MatMulMulti(p, ws, x, n, outs)
					p.Close()
					if err != nil {
						t.Fatal(err)
					}
					for k := range ws {
						for i := range outs[k] {
							if math.Float32bits(outs[k][i]) != math.Float32bits(want[k][i]) {
								t.Fatalf("n=%d threads=%d matrix %d out[%d] = %g, MatMul %g", n, threads, k, i, outs[k][i], want[k][i])
							}
						}
					}
				}
			}
		})
	}
}

func TestMatMulMultiBadShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a, b := randMatrix(t, r, tensor.Q8_0, 4, 64), randMatrix(t, r, tensor.Q8_0, 4, 64)
	x := randVec(r, 64)
	tests := []struct {
		name string
		ws   []Matrix
		outs [][]float32
	}{
		{"count mismatch", []Matrix{a, b}, [][]float32{make([]float32, 4)}},
		{"short output", []Matrix{a, b}, [][]float32{make([]float32, 4), make([]float32, 3)}},
		{"bad data", []Matrix{a, {Type: tensor.Q8_0, Rows: 4, Cols: 64, Data: b.Data[:10]}}, [][]float32{make([]float32, 4), make([]float32, 4)}},
	}
	for _, tc := range tests {
		if err := MatMulMulti(nil, tc.ws, x, 1, tc.outs); !errors.Is(err, ErrShape) {
			t.Errorf("%s: err = %v, want ErrShape", tc.name, err)
		}
	}
}
