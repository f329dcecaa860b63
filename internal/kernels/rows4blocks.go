//go:build (amd64 || arm64) && !purego

package kernels

// The four-row kernels of both assembly ports (dot4_amd64.go,
// dotrows_arm64.go) check their operands here before the assembly runs.

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
