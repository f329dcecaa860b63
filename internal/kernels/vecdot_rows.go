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
	if err := checkRows(len(out), rb, stride, len(w)); err != nil {
		return fmt.Errorf("vec dot rows: %w", err)
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

// checkRows reports an ErrShape unless rows rows of rb bytes, stride bytes
// apart (stride >= rb), fit in wlen bytes.
func checkRows(rows, rb, stride, wlen int) error {
	last := (rows-1)*stride + rb
	if stride < rb || last < 0 || last > wlen {
		return fmt.Errorf("%w: %d rows of %d bytes %d apart need %d bytes, have %d",
			ErrShape, rows, rb, stride, last, wlen)
	}
	return nil
}

// F16RowsDot is VecDotRows for F16 rows when the activation is given as
// float32 values that are each exactly an fp16 (RoundF16 of the float32
// row, i.e. what QuantizeRow to F16 keeps): out[r] = VecDot(F16, n, row r,
// the fp16 bytes of x) * scale, bit for bit. Converting the activation once
// instead of on every row halves the conversions of attention's dot
// products (x is a query against every cached key, or the probabilities
// against every value row).
func F16RowsDot(n int, w []byte, stride int, x []float32, scale float32, out []float32) error {
	if len(out) == 0 {
		return nil
	}
	if n < 0 || len(x) < n {
		return fmt.Errorf("f16 rows dot: %w: n=%d, %d activations", ErrShape, n, len(x))
	}
	rb := 2 * n
	if err := checkRows(len(out), rb, stride, len(w)); err != nil {
		return fmt.Errorf("f16 rows dot: %w", err)
	}
	if active.rowsDotF16X32 != nil {
		active.rowsDotF16X32(n, w, stride, x[:n], scale, out)
		return nil
	}
	for r := range out {
		out[r] = dotHalfRowX32(n, u16view(w[r*stride:r*stride+rb]), x) * scale
	}
	return nil
}

// RoundF16 sets dst[i] = tensor.F16ToF32(tensor.F32ToF16(src[i])): src
// rounded to fp16 (to nearest even) and back, as F16RowsDot wants its
// activation. dst may alias src.
func RoundF16(dst, src []float32) {
	mustLen("RoundF16", len(dst), len(src))
	if active.roundF16 != nil {
		active.roundF16(dst, src)
		return
	}
	for i, v := range src {
		dst[i] = tensor.F16ToF32(tensor.F32ToF16(v))
	}
}

// F32RowsDot computes out[r] = Dot(x[:n], row r) * scale for r < len(out),
// row r being the n float32 values at w[r*stride:], bit for bit: attention
// over a float32 KV cache (a query against every cached key, rows KV
// elements apart, or the probabilities against every row of the transposed
// values). One call checks the shapes once and runs the rows in one loop,
// where a Dot per row paid a checked, dispatched call for every 64–128
// element head row: at a 2,000-token context, 670,000 calls a token on a
// 1.5B model.
func F32RowsDot(n int, w []float32, stride int, x []float32, scale float32, out []float32) error {
	if len(out) == 0 {
		return nil
	}
	if err := checkF32Rows(n, w, stride, len(out), x); err != nil {
		return err
	}
	if active.rowsDotF32 != nil {
		active.rowsDotF32(n, w, stride, x[:n], scale, out)
		return nil
	}
	for r := range out {
		out[r] = active.dotF32(x[:n], w[r*stride:r*stride+n]) * scale
	}
	return nil
}

// F32RowsDot2 is F32RowsDot for two activations against the same rows:
// out1[r] = Dot(x1[:n], row r) * scale and out2[r] = Dot(x2[:n], row r) *
// scale, bit for bit, for r < len(out1) == len(out2). Where the CPU has a
// two-activation kernel each row is read once for both: the query heads of
// one grouped-query attention group share their keys and values, which at a
// long context are read from memory, not cache.
func F32RowsDot2(n int, w []float32, stride int, x1, x2 []float32, scale float32, out1, out2 []float32) error {
	if len(out1) != len(out2) {
		return fmt.Errorf("f32 rows dot: %w: %d and %d outputs", ErrShape, len(out1), len(out2))
	}
	if len(out1) == 0 {
		return nil
	}
	if err := checkF32Rows(n, w, stride, len(out1), x1, x2); err != nil {
		return err
	}
	if active.rowsDotF32x2 != nil {
		active.rowsDotF32x2(n, w, stride, x1[:n], x2[:n], scale, out1, out2)
		return nil
	}
	_ = F32RowsDot(n, w, stride, x1, scale, out1) // checked above
	_ = F32RowsDot(n, w, stride, x2, scale, out2)
	return nil
}

// F32RowsDot3 is F32RowsDot2 for three activations against the same rows,
// bit for bit F32RowsDot of each, for r < len(out1) == len(out2) ==
// len(out3): a grouped-query attention group of six query heads (Qwen2.5
// 1.5B and 3B) reads its keys and values twice, not three times.
func F32RowsDot3(n int, w []float32, stride int, x1, x2, x3 []float32, scale float32, out1, out2, out3 []float32) error {
	if len(out1) != len(out2) || len(out1) != len(out3) {
		return fmt.Errorf("f32 rows dot: %w: %d, %d and %d outputs", ErrShape, len(out1), len(out2), len(out3))
	}
	if len(out1) == 0 {
		return nil
	}
	if err := checkF32Rows(n, w, stride, len(out1), x1, x2, x3); err != nil {
		return err
	}
	if active.rowsDotF32x3 != nil {
		active.rowsDotF32x3(n, w, stride, x1[:n], x2[:n], x3[:n], scale, out1, out2, out3)
		return nil
	}
	_ = F32RowsDot2(n, w, stride, x1, x2, scale, out1, out2) // checked above
	_ = F32RowsDot(n, w, stride, x3, scale, out3)
	return nil
}

// MaxF32Group is the most activations F32RowsDotN takes at once.
const MaxF32Group = 6

// F32GroupSize returns the most activations the selected kernels read each
// row once for: 6 where F32RowsDotN has its AVX-512 kernels, else 3.
func F32GroupSize() int {
	if active.f32Wide {
		return MaxF32Group
	}
	return 3
}

// F32RowsDotN is F32RowsDot for 1 to MaxF32Group activations against the
// same rows: outs[k][r] = Dot(xs[k][:n], row r) * scale, bit for bit, for r
// < len(outs[0]), every out that long. Up to F32GroupSize() of them read
// each row once; more are done in turns.
func F32RowsDotN(n int, w []float32, stride int, xs [][]float32, scale float32, outs [][]float32) error {
	if len(xs) != len(outs) || len(xs) == 0 || len(xs) > MaxF32Group {
		return fmt.Errorf("f32 rows dot: %w: %d activations and %d outputs, want 1..%d of each", ErrShape, len(xs), len(outs), MaxF32Group)
	}
	rows := len(outs[0])
	for _, o := range outs {
		if len(o) != rows {
			return fmt.Errorf("f32 rows dot: %w: outputs of %d and %d rows", ErrShape, rows, len(o))
		}
	}
	if rows == 0 {
		return nil
	}
	if err := checkF32Rows(n, w, stride, rows, xs...); err != nil {
		return err
	}
	if len(xs) >= 4 && active.f32Wide {
		f32RowsWide(n, w, stride, xs, scale, outs)
		return nil
	}
	f32RowsBy3(n, w, stride, xs, scale, outs)
	return nil
}

// f32RowsBy3 is F32RowsDotN three activations at a time (shapes checked).
func f32RowsBy3(n int, w []float32, stride int, xs [][]float32, scale float32, outs [][]float32) {
	for len(xs) > 0 {
		switch len(xs) {
		case 1:
			_ = F32RowsDot(n, w, stride, xs[0], scale, outs[0])
		case 2:
			_ = F32RowsDot2(n, w, stride, xs[0], xs[1], scale, outs[0], outs[1])
		default:
			_ = F32RowsDot3(n, w, stride, xs[0], xs[1], xs[2], scale, outs[0], outs[1], outs[2])
		}
		k := min(3, len(xs))
		xs, outs = xs[k:], outs[k:]
	}
}

// checkF32Rows reports an ErrShape unless rows rows of n float32 values,
// stride apart, fit in w and every activation has n values.
func checkF32Rows(n int, w []float32, stride, rows int, xs ...[]float32) error {
	for _, x := range xs {
		if n < 0 || len(x) < n {
			return fmt.Errorf("f32 rows dot: %w: n=%d, %d activations", ErrShape, n, len(x))
		}
	}
	if err := checkRows(rows, n, stride, len(w)); err != nil {
		return fmt.Errorf("f32 rows dot: %w", err)
	}
	return nil
}
