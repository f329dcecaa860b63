package kernels

import (
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// Any type, length and bytes: VecDot returns NaN for invalid operands (and
// exactly then), never panics.
func FuzzVecDot(f *testing.F) {
	f.Add(uint8(tensor.Q8_0), uint16(32), make([]byte, 34), make([]byte, 34))
	f.Add(uint8(tensor.Q4_K), uint16(256), make([]byte, 144), make([]byte, 292))
	f.Add(uint8(tensor.F16), uint16(3), []byte{0, 0x7e, 0, 0x7c, 1, 0}, []byte{0, 0x3c, 0, 0x3c, 0, 0x3c})
	f.Fuzz(func(t *testing.T, typ uint8, n uint16, w, x []byte) {
		tt := tensor.Type(typ)
		got := VecDot(tt, int(n), w, x)
		if err := CheckVecDot(tt, int(n), w, x); err != nil && !math.IsNaN(float64(got)) {
			t.Fatalf("invalid operands (%v) gave %g", err, got)
		}
	})
}

// Arbitrary matrix shapes and buffer sizes: MatMul errors or fills out.
func FuzzMatMul(f *testing.F) {
	f.Add(uint8(tensor.Q8_0), uint8(2), uint16(32), uint8(1), make([]byte, 68), uint16(32), uint16(2))
	f.Add(uint8(tensor.F32), uint8(1), uint16(4), uint8(3), make([]byte, 16), uint16(12), uint16(3))
	f.Add(uint8(tensor.Q6_K), uint8(1), uint16(256), uint8(2), make([]byte, 210), uint16(512), uint16(1))
	p := NewPool(2)
	f.Cleanup(p.Close)
	f.Fuzz(func(t *testing.T, typ, rows uint8, cols uint16, n uint8, data []byte, nx, nout uint16) {
		w := Matrix{Type: tensor.Type(typ), Rows: int(rows), Cols: int(cols), Data: data}
		_ = MatMul(p, w, make([]float32, nx), int(n), make([]float32, nout))
	})
}
