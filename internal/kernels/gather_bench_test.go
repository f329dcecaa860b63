package kernels

import (
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

func benchGather(b *testing.B, typ tensor.Type, cols int) {
	w := Matrix{Type: typ, Rows: 64, Cols: cols, Layout: Interleaved4}
	wrow := w.RowBytes()
	w.Data = make([]byte, 64*wrow)
	tile := make([]byte, 16*wrow)
	b.SetBytes(int64(len(w.Data)))
	for b.Loop() {
		for r := 0; r < w.Rows; r += 16 {
			interleavedTile(w, r, r+16, tile)
		}
	}
}

func BenchmarkGatherQ8_0(b *testing.B) { benchGather(b, tensor.Q8_0, 2048) }
func BenchmarkGatherQ4_K(b *testing.B) { benchGather(b, tensor.Q4_K, 2048) }
func BenchmarkGatherQ6_K(b *testing.B) { benchGather(b, tensor.Q6_K, 2048) }

// BenchmarkInterleaveQ8_0 is the cost of arranging a 2048×8192 Q8_0 matrix
// (an FFN matrix of a 1B model) at load.
func BenchmarkInterleaveQ8_0(b *testing.B) { benchInterleave(b, tensor.Q8_0) }

// BenchmarkInterleaveQ4_K is the same for Q4_K.
func BenchmarkInterleaveQ4_K(b *testing.B) { benchInterleave(b, tensor.Q4_K) }

func benchInterleave(b *testing.B, typ tensor.Type) {
	w := Matrix{Type: typ, Rows: 8192, Cols: 2048}
	w.Data = make([]byte, w.Rows*w.RowBytes())
	b.SetBytes(int64(len(w.Data)))
	for b.Loop() {
		interleave(w)
	}
}
