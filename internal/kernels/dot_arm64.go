//go:build !purego

package kernels

// Assembly stubs (dot_arm64.s) and their bounds-checking wrappers, gonum
// style: each stub's doc comment is the reference loop it computes, the
// generic Go function named there, whose arithmetic (lanes, fused
// multiply-adds, reduction order) the assembly reproduces bit for bit. The
// wrappers re-slice every operand to the exact length the assembly reads, so
// a short slice panics in Go (like the generic code) instead of being read
// past its end. Dispatch (dispatch_arm64.go) installs them only when the CPU
// has what they need: ASIMD for all, dotprod for the SDOT ones.

// dotQ8_0SDOT returns dotQ8_0Q8_0(32*nb, w, x): per block,
// acc[k] = fma(fp16(w.d)*fp16(x.d), Σ_{j=4k}^{4k+3} w.qs[j]*x.qs[j], acc[k])
// over eight lanes k (one SDOT per four), then reduce8(acc).
// len(w), len(x) >= 34*nb. Needs dotprod.
//
//go:noescape
func dotQ8_0SDOT(w, x []byte, nb int) float32

// dotQ8_0NEON is dotQ8_0SDOT without dotprod: the lane sums come from
// SMULL (16-bit products), SADDLP and ADDP, the same int32 values.
//
//go:noescape
func dotQ8_0NEON(w, x []byte, nb int) float32

// dotF32NEON returns dotF32Generic(a, b[:len(a)]): acc[i%32] = fma(a[i],
// b[i], acc[i%32]) over the first len(a)&^31 elements, reduce32(acc), then
// sum = fma(a[i], b[i], sum) for the rest. len(b) >= len(a).
//
//go:noescape
func dotF32NEON(a, b []float32) float32

// dotF32RowsNEON sets out[r] = dotF32NEON(x[:n], w[r*stride:r*stride+n]) *
// scale for r < len(out): dotF32NEON's lanes, reduction and tail for every
// row, then one float32 multiply (F32RowsDot's loop). The caller checks
// that the rows fit in w and len(x) >= n.
//
//go:noescape
func dotF32RowsNEON(n int, w []float32, stride int, x []float32, scale float32, out []float32)

// axpyNEON computes axpyGeneric(alpha, x, y): y[i] = fma(alpha, x[i], y[i])
// for i < len(x). len(y) >= len(x).
//
//go:noescape
func axpyNEON(alpha float32, x, y []float32)

func dotF32RowAsm(n int, w, x []byte) float32 {
	return dotF32NEON(f32view(w)[:n], f32view(x)[:n])
}

func dotF32Asm(a, b []float32) float32 {
	n := min(len(a), len(b))
	return dotF32NEON(a[:n], b[:n])
}

func axpyAsm(alpha float32, x, y []float32) {
	y = y[:len(x)]
	axpyNEON(alpha, x, y)
}

// dotQ4_0SDOT returns dotQ4_0Q8_0(32*nb, w, x): dotQ8_0SDOT with the
// weight quants (qs[j]&15) - 8 for element j < 16 and (qs[j-16]>>4) - 8
// for the others. len(w) >= 18*nb, len(x) >= 34*nb. Needs dotprod.
//
//go:noescape
func dotQ4_0SDOT(w, x []byte, nb int) float32

// dotQ4_0NEON is dotQ4_0SDOT without dotprod.
//
//go:noescape
func dotQ4_0NEON(w, x []byte, nb int) float32

// dotQ5_0SDOT returns dotQ5_0Q8_0(32*nb, w, x): dotQ4_0SDOT with the
// weight quants (nibble | (qh>>j&1)<<4) - 16. len(w) >= 22*nb,
// len(x) >= 34*nb. Needs dotprod.
//
//go:noescape
func dotQ5_0SDOT(w, x []byte, nb int) float32

// dotQ5_0NEON is dotQ5_0SDOT without dotprod.
//
//go:noescape
func dotQ5_0NEON(w, x []byte, nb int) float32

// dotQ4_1SDOT returns dotQ4_1Q8_1(32*nb, w, x): per block summs =
// fma(fp16(w.m), fp16(x.s), summs) and the lanes of dotQ4_0SDOT with the
// unsigned quants (no offset); result reduce8(acc) + summs.
// len(w) >= 20*nb, len(x) >= 36*nb. Needs dotprod.
//
//go:noescape
func dotQ4_1SDOT(w, x []byte, nb int) float32

// dotQ4_1NEON is dotQ4_1SDOT without dotprod.
//
//go:noescape
func dotQ4_1NEON(w, x []byte, nb int) float32

// dotQ5_1SDOT returns dotQ5_1Q8_1(32*nb, w, x): dotQ4_1SDOT with the
// quants nibble | (qh>>j&1)<<4. len(w) >= 24*nb, len(x) >= 36*nb. Needs
// dotprod.
//
//go:noescape
func dotQ5_1SDOT(w, x []byte, nb int) float32

// dotQ5_1NEON is dotQ5_1SDOT without dotprod.
//
//go:noescape
func dotQ5_1NEON(w, x []byte, nb int) float32

// dotQ4_0PackedSDOT returns dotQ4_0Q8_0Packed(32*nb, w, x) (llama.cpp's
// repacked Q4_0 gemv arithmetic): per block s = the int32 sum of the 32
// products of dotQ4_0SDOT's quants, acc = fma(float32(s),
// fp16(w.d)*fp16(x.d), acc). len(w) >= 18*nb, len(x) >= 34*nb. Needs
// dotprod.
//
//go:noescape
func dotQ4_0PackedSDOT(w, x []byte, nb int) float32

// dotQ4_0PackedNEON is dotQ4_0PackedSDOT without dotprod.
//
//go:noescape
func dotQ4_0PackedNEON(w, x []byte, nb int) float32

// legacyAsm returns the bounds-checked entry (a dotFunc) of kern, a legacy
// format's kernel over 32-element blocks of wBlock weight and xBlock
// activation bytes: it re-slices both rows to the bytes kern reads.
func legacyAsm(kern func(w, x []byte, nb int) float32, wBlock, xBlock int) dotFunc {
	return func(n int, w, x []byte) float32 {
		nb := n / 32
		return kern(w[:nb*wBlock], x[:nb*xBlock], nb)
	}
}

// legacyPair is legacyAsm for a kernel's NEON and SDOT builds.
func legacyPair(neon, sdot func(w, x []byte, nb int) float32, wBlock, xBlock int) (dotFunc, dotFunc) {
	return legacyAsm(neon, wBlock, xBlock), legacyAsm(sdot, wBlock, xBlock)
}

// The entries of the legacy formats' kernels, as dispatch_arm64.go installs
// them.
var (
	dotQ8_0NEONAsm, dotQ8_0SDOTAsm             = legacyPair(dotQ8_0NEON, dotQ8_0SDOT, q8_0Bytes, q8_0Bytes)
	dotQ4_0NEONAsm, dotQ4_0SDOTAsm             = legacyPair(dotQ4_0NEON, dotQ4_0SDOT, q4_0Bytes, q8_0Bytes)
	dotQ5_0NEONAsm, dotQ5_0SDOTAsm             = legacyPair(dotQ5_0NEON, dotQ5_0SDOT, q5_0Bytes, q8_0Bytes)
	dotQ4_1NEONAsm, dotQ4_1SDOTAsm             = legacyPair(dotQ4_1NEON, dotQ4_1SDOT, q4_1Bytes, q8_1Bytes)
	dotQ5_1NEONAsm, dotQ5_1SDOTAsm             = legacyPair(dotQ5_1NEON, dotQ5_1SDOT, q5_1Bytes, q8_1Bytes)
	dotQ4_0PackedNEONAsm, dotQ4_0PackedSDOTAsm = legacyPair(dotQ4_0PackedNEON, dotQ4_0PackedSDOT, q4_0Bytes, q8_0Bytes)
)
