//go:build (amd64 || arm64) && !purego

package kernels

// The bounds-checked Go entries of the four-row assembly kernels, shared by
// every instruction set that has them (the AVX2, VNNI, AVX-VNNI and ZMM
// ones on amd64; on arm64 they can serve the NEON and SDOT ones).

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
