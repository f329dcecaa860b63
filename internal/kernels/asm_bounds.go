//go:build (amd64 || arm64) && !purego

package kernels

// The four-row and 4×2 tile kernels of both assembly ports (dot4_amd64.go,
// dotrows_arm64.go, dottile_arm64.go) check their operands here before the
// assembly runs.

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

// tile42Blocks bounds-checks the operands of a 4×2 tile call (see
// dotQ8_0Tile42Asm) and returns the block count, or 0 when there is nothing
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
