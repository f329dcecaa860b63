//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// Prompt-batch (cols4) kernels of F16 and BF16 weights on arm64: one
// weight row times four activation rows of the same type, each head (the
// first n&^31 products) from dothc4_arm64.s two activations at a time, so
// that each weight chunk is widened twice instead of four times; the tail
// is added in float64 as halfRowAsm does. Every output is the one-row
// kernel's (dotF16RowAsm, dotBF16RowAsm) bit for bit.

// dotF16Cols2NEON returns the heads dotF16NEON(w, x0) and dotF16NEON(w,
// x1): for each activation acc[i%32] = fma(f32(w[i]), f32(x[i]),
// acc[i%32]) over the len(w) elements (a multiple of 32), reduce32(acc).
// len(x0), len(x1) >= len(w).
//
//go:noescape
func dotF16Cols2NEON(w, x0, x1 []uint16) (s0, s1 float32)

// dotBF16Cols2NEON is dotF16Cols2NEON for bf16 rows with dotBF16NEON's
// reduction: c[l] = (acc[l]+acc[16+l]) + (acc[8+l]+acc[24+l]), then
// reduce8(c).
//
//go:noescape
func dotBF16Cols2NEON(w, x0, x1 []uint16) (s0, s1 float32)

// halfCols4Asm sets out[a] = halfRowAsm(n, w, x[a*xBytes:], head, conv)
// for a < 4, the heads from head2, two activations per call.
func halfCols4Asm(n int, w, x []byte, xBytes int, out *[4]float32, head2 func(w, x0, x1 []uint16) (float32, float32), conv func(uint16) float32) {
	if n <= 0 {
		*out = [4]float32{}
		return
	}
	wh := u16view(w[:2*n])
	var xh [4][]uint16
	for a := range xh {
		xh[a] = u16view(x[a*xBytes : a*xBytes+2*n])
	}
	np := n &^ 31
	var heads [4]float32
	heads[0], heads[1] = head2(wh[:np], xh[0][:np], xh[1][:np])
	heads[2], heads[3] = head2(wh[:np], xh[2][:np], xh[3][:np])
	for a := range 4 {
		out[a] = halfTail(heads[a], wh, xh[a], np, conv)
	}
}

func dotF16Cols4Asm(n int, w, x []byte, xBytes int, out *[4]float32) {
	halfCols4Asm(n, w, x, xBytes, out, dotF16Cols2NEON, tensor.F16ToF32)
}

func dotBF16Cols4Asm(n int, w, x []byte, xBytes int, out *[4]float32) {
	halfCols4Asm(n, w, x, xBytes, out, dotBF16Cols2NEON, tensor.BF16ToF32)
}
