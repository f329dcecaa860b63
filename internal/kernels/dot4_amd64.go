//go:build !purego

package kernels

// The multi-row kernels are generated with avo by the program in _asm (its
// own module, so avo is not a dependency of plume): the four-row and 4×2
// kernels (dot4_amd64.s), the strided F16 rows of attention (dotrows_amd64.s)
// and the Q6_K four-activation kernel (dotq6c4_amd64.s), with their
// declarations and reference loops in the *_stub_amd64.go files. Edit _asm,
// not the generated files, and regenerate with `go generate
// ./internal/kernels`; scripts/test.sh fails when they are stale. The
// bounds-checked entries of the four-row kernels are built by rows4Entry
// (rows4_asm.go), those of the 4×2 tile by tile42Entry below.
//
//go:generate go run -C _asm . -dir ..

// tile42AsmFunc is the signature of a 4×2 tile assembly kernel (see
// dotQ8_0Tile42AVX2).
type tile42AsmFunc func(w []byte, stride int, ws []float32, x []byte, xstride int, xs []float32, nb int, pairs int, out []float32, ostride int)

// tile42Entry returns the bounds-checked entry of a Q8_0 4×2 tile kernel,
// the tile42Func the kernel table holds: it runs the tile over pairs pairs
// of activation rows: w holds four rows (rowBytes apart), x the activation
// rows (xBytes apart), ws and xs their float32 block scales; row i's
// outputs go to out[i*ostride:][:4].
func tile42Entry(kernel tile42AsmFunc) tile42Func {
	return func(n int, w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, pairs int, out []float32, ostride int) {
		if nb := tile42Blocks(n, w, rowBytes, ws, x, xBytes, xs, pairs, out, ostride); nb > 0 {
			kernel(w, rowBytes, ws, x, xBytes, xs, nb, pairs, out, ostride)
		}
	}
}

// The bounds-checked entries of the AVX2 four-row kernels and 4×2 tile.
var (
	dotQ8_0Rows4Asm  = rows4Entry("dotQ8_0Rows4Asm", dotQ8_0Rows4AVX2, 32, q8_0Bytes, q8_0Bytes)
	dotQ5_0Rows4Asm  = rows4Entry("dotQ5_0Rows4Asm", dotQ5_0Rows4AVX2, 32, q5_0Bytes, q8_0Bytes)
	dotQ8_0Tile42Asm = tile42Entry(dotQ8_0Tile42AVX2)
)

// tile42Blocks bounds-checks the operands of a 4×2 tile call (see
// tile42Entry) and returns the block count, or 0 when there is nothing
// for the assembly to do (outputs zeroed where there are pairs but no
// blocks).
func tile42Blocks(n int, w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, pairs int, out []float32, ostride int) int {
	nb := n / 32
	if pairs <= 0 {
		return 0
	}
	if nb == 0 {
		for i := range 2 * pairs {
			clear(out[i*ostride : i*ostride+4])
		}
		return 0
	}
	_ = w[3*rowBytes+nb*q8_0Bytes-1]
	_ = x[(2*pairs-1)*xBytes+nb*q8_0Bytes-1]
	_ = ws[4*nb-1]
	_ = xs[2*pairs*nb-1]
	_ = out[(2*pairs-1)*ostride+3]
	if rowBytes < nb*q8_0Bytes || xBytes < nb*q8_0Bytes || ostride < 4 {
		panic("kernels: dotQ8_0Tile42Asm: rows overlap")
	}
	return nb
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
