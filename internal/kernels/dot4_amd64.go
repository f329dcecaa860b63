//go:build !purego

package kernels

// The multi-row kernels are generated with avo by the program in _asm (its
// own module, so avo is not a dependency of plume): the four-row and 4×2
// kernels (dot4_amd64.s), the strided F16 rows of attention (dotrows_amd64.s)
// and the Q6_K four-activation kernel (dotq6c4_amd64.s), with their
// declarations and reference loops in the *_stub_amd64.go files. Edit _asm,
// not the generated files, and regenerate with `go generate
// ./internal/kernels`; scripts/test.sh fails when they are stale. The
// bounds-checked entries of the four-row kernels are below.
//
//go:generate go run -C _asm . -dir ..

// dotQ8_0Rows4Asm is the bounds-checked entry of dotQ8_0Rows4AVX2: w holds four
// consecutive rows of n elements (rowBytes each).
func dotQ8_0Rows4Asm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	if nb := rows4Blocks("dotQ8_0Rows4Asm", n, w, rowBytes, x, 32, q8_0Bytes, q8_0Bytes, out); nb > 0 {
		dotQ8_0Rows4AVX2(w, rowBytes, x, nb, out[:])
	}
}

// dotQ5_0Rows4Asm is dotQ8_0Rows4Asm for Q5_0 weight rows (q5_0Bytes each).
func dotQ5_0Rows4Asm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	if nb := rows4Blocks("dotQ5_0Rows4Asm", n, w, rowBytes, x, 32, q5_0Bytes, q8_0Bytes, out); nb > 0 {
		dotQ5_0Rows4AVX2(w, rowBytes, x, nb, out[:])
	}
}

// dotQ8_0Tile42Asm runs the 4×2 tile with bounds checks over pairs pairs of
// activation rows: w holds four rows (rowBytes apart), x the activation rows
// (xBytes apart), ws and xs their float32 block scales; row i's outputs go
// to out[i*ostride:][:4].
func dotQ8_0Tile42Asm(n int, w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, pairs int, out []float32, ostride int) {
	if nb := tile42Blocks(n, w, rowBytes, ws, x, xBytes, xs, pairs, out, ostride); nb > 0 {
		dotQ8_0Tile42AVX2(w, rowBytes, ws, x, xBytes, xs, nb, pairs, out, ostride)
	}
}

// q8_0Scales4Asm is the bounds-checked entry of q8_0Scales4AVX2.
func q8_0Scales4Asm(n int, w []byte, rowBytes int, out []float32) {
	nb := n / 32
	if nb == 0 {
		return
	}
	_ = w[3*rowBytes+(nb-1)*q8_0Bytes+1]
	_ = out[4*nb-1]
	q8_0Scales4AVX2(w, rowBytes, nb, out)
}
