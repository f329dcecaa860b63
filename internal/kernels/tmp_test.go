package kernels

import (
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

func TestTmpQ4K(t *testing.T) {
	wf, xf := goldenF32(t, "mm_w.f32"), goldenF32(t, "mm_x.f32")
	w := Matrix{Type: tensor.Q4_K, Rows: 8, Cols: 1024, Data: make([]byte, 8*576)}
	tensor.Quantize(tensor.Q4_K, wf, w.Data)
	out := make([]float32, 64)
	MatMul(nil, w, xf, 8, out)
	want := goldenF32(t, "mmr_q4_K_n8.f32")
	for i := range out {
		if out[i] != want[i] {
			t.Logf("tok %d row %d: %g vs %g", i/8, i%8, out[i], want[i])
		}
	}
}
