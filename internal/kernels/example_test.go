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
