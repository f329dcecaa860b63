package kernels_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
)

// A 2×32 Q8_0 weight matrix times one activation row, on a two-thread pool.
func ExampleMatMul() {
	const cols = 32
	rows := [][]float32{make([]float32, cols), make([]float32, cols)}
	for i := range cols {
		rows[0][i] = 1                  // row 0: all ones
		rows[1][i] = float32(i%4) - 1.5 // row 1: -1.5 -0.5 0.5 1.5 …
	}
	w := kernels.Matrix{Type: tensor.Q8_0, Rows: 2, Cols: cols}
	for _, r := range rows {
		b := make([]byte, 34)
		if err := tensor.Quantize(tensor.Q8_0, r, b); err != nil {
			panic(err)
		}
		w.Data = append(w.Data, b...)
	}
	x := make([]float32, cols)
	for i := range x {
		x[i] = 0.5
	}
	pool := kernels.NewPool(2)
	defer pool.Close()
	out := make([]float32, 2)
	if err := kernels.MatMul(pool, w, x, 1, out); err != nil {
		panic(err)
	}
	fmt.Println(out, kernels.VecDotType(tensor.Q8_0)) // 16 up to the fp16 block scales
	// Output: [15.998047 0] Q8_0
}

func ExampleRMSNorm() {
	x := []float32{2, -2, 2, 2}
	dst := make([]float32, 4)
	kernels.RMSNorm(dst, x, []float32{1, 1, 0.5, 2}, 0)
	fmt.Println(dst)
	// Output: [1 -1 0.5 2]
}

// Attention scores of one query against three cached F16 keys, as
// llama.cpp computes them: the query rounded to fp16 once, then one dot
// product per key row, times the 1/sqrt(d) scale.
func ExampleF16RowsDot() {
	const d = 4
	keys := [][]float32{{1, 0, 0, 0}, {0, 1, 0, 0}, {0.5, 0.5, 0.5, 0.5}}
	cache := make([]byte, 0, len(keys)*2*d) // rows of d fp16 values
	for _, k := range keys {
		b := make([]byte, 2*d)
		if err := tensor.Quantize(tensor.F16, k, b); err != nil {
			panic(err)
		}
		cache = append(cache, b...)
	}
	q := []float32{0.1, 2, 0, 0}
	kernels.RoundF16(q, q) // 0.1 becomes 0.099975586, the nearest fp16
	scores := make([]float32, len(keys))
	if err := kernels.F16RowsDot(d, cache, 2*d, q, 0.5, scores); err != nil {
		panic(err)
	}
	fmt.Println(q[0], scores)
	// Output: 0.099975586 [0.049987793 1 0.5249939]
}

// CapNames lists what PLUME_KERNELS may name on this build, slowest set
// first; the generic set is always there.
func ExampleCapNames() {
	fmt.Println(kernels.CapNames()[0])
	// Output: generic
}
