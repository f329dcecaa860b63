package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// MatMul against llama.cpp's ggml_mul_mat (CPU backend, haswell build) on
// the same weights and activations (for Q4_0/Q4_K with the weights in the
// repack buffer type, as llama.cpp loads them). Single-row products (n = 1, decoding) go
// through llama.cpp's ggml_vec_dot_* kernels, which Plume reproduces bit for
// bit for every format. Batches (n >= 2) go through the same kernels for the
// quantized formats (bit-exact again), but through llamafile's sgemm for
// F32/F16/BF16, which sums in another order; Plume keeps one order for every
// n, so that batched and single-row results are identical, and must agree
// there to matmulRelTolerance of the largest output.
var inexactBatch = map[tensor.Type]bool{tensor.F32: true, tensor.F16: true, tensor.BF16: true}

// matmulRelTolerance bounds |MatMul - llama.cpp| / max|llama.cpp output| for
// results that differ only in float32 summation order.
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
			out := make([]float32, n*rows)
			if err := MatMul(nil, w, xf[:n*cols], n, out); err != nil {
				t.Fatal(err)
			}
			file := fmt.Sprintf("mm_%s_n%d.f32", goldenName(typ), n)
			if packedDot(typ, rows) != nil {
				file = "mmr" + file[2:] // llama.cpp repacks this matrix
			}
			want := goldenF32(t, file)
			name := fmt.Sprintf("%s n=%d", typ, n)
			if n == 1 || !inexactBatch[typ] {
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
