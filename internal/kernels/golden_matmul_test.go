package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// MatMul and matMulLlama against llama.cpp's ggml_mul_mat (CPU backend,
// haswell build) on the same weights and activations; Q4_0/Q4_K weights are
// in the repack buffer type, as llama.cpp loads them. matMulLlama reproduces
// every result bit for bit. MatMul keeps one kernel per matrix whatever n is,
// so it is bit-exact for single rows (decoding) and for batches of most
// formats, and where llama.cpp switches to batch kernels (sgemm for
// F32/F16/BF16, the 4-row gemm for repacked Q4_K) it must agree to
// matmulRelTolerance of the largest output.
const matmulRelTolerance = 2e-6

func TestGoldenMatMul(t *testing.T) {
	wf, xf := goldenF32(t, "mm_w.f32"), goldenF32(t, "mm_x.f32")
	const cols = 1024
	rows := len(wf) / cols
	for typ := range vecDotTypes {
		rb := rowSize(t, typ, cols)
		w := Matrix{Type: typ, Rows: rows, Cols: cols, Data: make([]byte, rows*rb)}
		if err := tensor.Quantize(typ, wf, w.Data); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 3, 8} {
			file := fmt.Sprintf("mm_%s_n%d.f32", goldenName(typ), n)
			if packedDot(typ, rows) != nil {
				file = "mmr" + file[2:] // llama.cpp repacks this matrix
			}
			want := goldenF32(t, file)
			out := make([]float32, n*rows)
			if err := matMulLlama(w, xf[:n*cols], n, out); err != nil {
				t.Fatal(err)
			}
			checkULPs(t, fmt.Sprintf("matMulLlama %s n=%d", typ, n), out, want, 0)

			if err := MatMul(nil, w, xf[:n*cols], n, out); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("MatMul %s n=%d", typ, n)
			batchKernel := sgemmDot(typ, cols, n) != nil || (typ == tensor.Q4_K && n >= gemmRows)
			if !batchKernel {
				checkULPs(t, name, out, want, 0)
				continue
			}
			var scale, worst float64
			for i := range want {
				scale = math.Max(scale, math.Abs(float64(want[i])))
				worst = math.Max(worst, math.Abs(float64(out[i])-float64(want[i])))
			}
			t.Logf("%s: max difference %.2g of max |output| %.3g", name, worst, scale)
			if !(worst <= matmulRelTolerance*scale) {
				t.Errorf("%s: max difference %.3g > %.2g × %.3g", name, worst, matmulRelTolerance, scale)
			}
		}
	}
}
