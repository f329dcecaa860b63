package kernels

import (
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// VecDotRows computes out[r] = VecDot(t, n, row r, x) * scale for
// r < len(out), row r being the RowSize(t, n) bytes at w[r*stride:], e.g. the
// K cache of one attention head (rows KV elements apart). Shapes are checked
// once instead of per row, which matters for short rows (a head is 64–128
// elements); each output is bitwise VecDot's times scale.
func VecDotRows(t tensor.Type, n int, w []byte, stride int, x []byte, scale float32, out []float32) error {
	if len(out) == 0 {
		return nil
	}
	rs, err := tensor.RowSize(t, uint64(max(n, 0)))
	if err != nil || n < 0 {
		return fmt.Errorf("vec dot rows: %w: n=%d", ErrShape, n)
	}
	rb := int(rs)
	last := (len(out)-1)*stride + rb
	if stride < rb || last < 0 || last > len(w) {
		return fmt.Errorf("vec dot rows: %w: %d rows of %d bytes %d apart need %d bytes, have %d",
			ErrShape, len(out), rb, stride, last, len(w))
	}
	if err := CheckVecDot(t, n, w[:rb], x); err != nil {
		return fmt.Errorf("vec dot rows: %w", err)
	}
	if rows := active.rowsDot[t]; rows != nil {
		rows(n, w, stride, x, scale, out)
		return nil
	}
	dot := active.dot[t]
	for r := range out {
		out[r] = dot(n, w[r*stride:r*stride+rb], x) * scale
	}
	return nil
}
