//go:build (amd64 || arm64) && !purego

package kernels

// The bounds-checked Go entries of the four-row and 4×2 tile assembly
// kernels, shared by every instruction set that has them (the AVX2, VNNI,
// AVX-VNNI and ZMM ones on amd64, the NEON and SDOT ones on arm64).

// rows4Blocks bounds-checks the operands of a four-row kernel named name:
// four weight rows of n elements, rowBytes apart, in blocks of blockElems
// elements and wBlock bytes, and an activation row of xBlock bytes a block.
// It returns the block count, or 0 (with out zeroed) when there is nothing to
// compute.
func rows4Blocks(name string, n int, w []byte, rowBytes int, x []byte, blockElems, wBlock, xBlock int, out *[4]float32) int {
	nb := n / blockElems
	if nb == 0 {
		*out = [4]float32{}
		return 0
	}
	_ = w[3*rowBytes+nb*wBlock-1] // the last byte the assembly reads
	_ = x[nb*xBlock-1]
	if rowBytes < nb*wBlock {
		panic("kernels: " + name + ": rows overlap")
	}
	return nb
}

// rows4AsmFunc is the signature of a four-row assembly kernel: nb blocks of
// four weight rows stride bytes apart times one activation row, the four
// dot products in out[:4].
type rows4AsmFunc func(w []byte, stride int, x []byte, nb int, out []float32)

// rows4Entry returns the bounds-checked entry of a four-row kernel, the
// rows4Func the kernel table holds: w holds four consecutive rows of n
// elements (rowBytes each) in blocks of blockElems elements and wBlock bytes,
// x an activation row of xBlock bytes a block; name is the entry's name in
// its panics. kernel is called through a function value once per four
// rows, never per block.
func rows4Entry(name string, kernel rows4AsmFunc, blockElems, wBlock, xBlock int) rows4Func {
	return func(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
		if nb := rows4Blocks(name, n, w, rowBytes, x, blockElems, wBlock, xBlock, out); nb > 0 {
			kernel(w, rowBytes, x, nb, out[:])
		}
	}
}

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
