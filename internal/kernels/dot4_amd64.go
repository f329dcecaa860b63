//go:build !purego

package kernels

// The multi-row kernels are generated with avo by the program in _asm (its
// own module, so avo is not a dependency of plume): the four-row and 4×2
// kernels (dot4_amd64.s), the strided F16 rows of attention (dotrows_amd64.s)
// and the Q6_K four-activation kernel (dotq6c4_amd64.s), with their
// declarations and reference loops in the *_stub_amd64.go files. Edit _asm,
// not the generated files, and regenerate with `go generate
// ./internal/kernels`; scripts/test.sh fails when they are stale. The
// bounds-checked entries of the four-row kernels are built by rows4Entry,
// those of the 4×2 tile by tile42Entry (rows4_asm.go).
//
//go:generate go run -C _asm . -dir ..

// The bounds-checked entries of the AVX2 four-row kernels and 4×2 tile.
var (
	dotQ8_0Rows4Asm  = rows4Entry("dotQ8_0Rows4Asm", dotQ8_0Rows4AVX2, 32, q8_0Bytes, q8_0Bytes)
	dotQ5_0Rows4Asm  = rows4Entry("dotQ5_0Rows4Asm", dotQ5_0Rows4AVX2, 32, q5_0Bytes, q8_0Bytes)
	dotQ8_0Tile42Asm = tile42Entry(dotQ8_0Tile42AVX2)
)

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
