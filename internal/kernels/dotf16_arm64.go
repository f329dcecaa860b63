//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// F16 rows on arm64 (the attention products over the fp16 KV cache, and F16
// weights): the 32-lane fused multiply-adds and their reduce32 in NEON
// (dot_arm64.s, FCVTL converts fp16 exactly), the leftover products added
// in float64 by the same Go loop as dotHalfRow.

// dotF16NEON returns reduce32(acc) with acc[i%32] = fma(f32(w[i]),
// f32(x[i]), acc[i%32]) over the first len(w)&^31 elements, the head of
// dotHalfRow(len(w), w, x, F16ToF32). len(x) >= len(w)&^31.
//
//go:noescape
func dotF16NEON(w, x []uint16) float32

// dotF16X32NEON is dotF16NEON with the activation as float32 values (the
// head of dotHalfRowX32).
//
//go:noescape
func dotF16X32NEON(w []uint16, x []float32) float32

// dotF16RowAsm is dotF16Row: the head in NEON, the tail as dotHalfRow.
func dotF16RowAsm(n int, w, x []byte) float32 {
	return halfRowAsm(n, w, x, dotF16NEON, tensor.F16ToF32)
}

// halfRowAsm is dotHalfRow (fp16 or bf16 rows, as conv converts them) with
// the head, the first n&^31 products, from the assembly head: the tail is
// added in float64 in order.
func halfRowAsm(n int, w, x []byte, head func(w, x []uint16) float32, conv func(uint16) float32) float32 {
	wh, xh := u16view(w)[:n], u16view(x)[:n]
	np := n &^ 31
	return halfTail(head(wh[:np], xh[:np]), wh, xh, np, conv)
}

// halfTail returns the head (the sum of the first np products) with the
// products np <= i < len(wh) added in float64 in order, as dotHalfRow
// does. len(xh) >= len(wh).
func halfTail(head float32, wh, xh []uint16, np int, conv func(uint16) float32) float32 {
	sum := float64(head)
	for i := np; i < len(wh); i++ {
		sum += float64(conv(wh[i]) * conv(xh[i]))
	}
	return float32(sum)
}

// dotF16RowX32Asm is dotHalfRowX32 with the head in NEON.
func dotF16RowX32Asm(n int, wh []uint16, x []float32) float32 {
	wh, x = wh[:n], x[:n]
	np := n &^ 31
	sum := float64(dotF16X32NEON(wh[:np], x[:np]))
	for i := np; i < n; i++ {
		sum += float64(tensor.F16ToF32(wh[i]) * x[i])
	}
	return float32(sum)
}

// dotF16RowsX32Asm is F16RowsDot's loop (rowsDotF16X32) over
// dotF16RowX32Asm; F16RowsDot has checked the rows fit in w.
func dotF16RowsX32Asm(n int, w []byte, stride int, x []float32, scale float32, out []float32) {
	rb := 2 * n
	for r := range out {
		out[r] = dotF16RowX32Asm(n, u16view(w[r*stride:r*stride+rb]), x) * scale
	}
}

// dotBF16NEON returns the head of dotBF16Row: acc[i%32] = fma(f32(w[i]),
// f32(x[i]), acc[i%32]) over the first len(w)&^31 elements, c[l] =
// (acc[l]+acc[16+l]) + (acc[8+l]+acc[24+l]), then reduce8(c).
// len(x) >= len(w)&^31.
//
//go:noescape
func dotBF16NEON(w, x []uint16) float32

// dotBF16RowAsm is dotBF16Row: the head in NEON, the tail in Go.
func dotBF16RowAsm(n int, w, x []byte) float32 {
	return halfRowAsm(n, w, x, dotBF16NEON, tensor.BF16ToF32)
}
