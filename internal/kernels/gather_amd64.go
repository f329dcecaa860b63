//go:build !purego

package kernels

// gatherBlocksAVX writes the four rows of one Interleaved4 group src (nb
// blocks of bb >= 32 bytes a row) to dst, row j at dst[j*wrow:]
// (gather_amd64.s); reference loop:
//
//	for j := 0; j < 4; j++ {
//		deinterleaveRow(dst[j*wrow:(j+1)*wrow], src, j, wrow, bb)
//	}
//
//go:noescape
func gatherBlocksAVX(dst []byte, wrow int, src []byte, nb int, bb int)

// gatherAVXMinBlock is the smallest block gatherBlocksAVX moves: one
// 32-byte move.
const gatherAVXMinBlock = 32

// deinterleaveGroup writes the interleaved group src to dst as four
// row-major rows (wrow bytes each, blocks of bb bytes). Prompt batches
// gather every weight this way, and a copy call per block (34 bytes for
// Q8_0) cost more than the move: the assembly moves them where the CPU
// has AVX (every x86 kernel set) and the blocks are large enough.
func deinterleaveGroup(dst, src []byte, wrow, bb int) {
	nb := wrow / bb
	if !hasAVX2 || bb < gatherAVXMinBlock || nb == 0 {
		gatherGo(dst, src, wrow, bb)
		return
	}
	_, _ = dst[3*wrow+nb*bb-1], src[interleaveRows*nb*bb-1]
	gatherBlocksAVX(dst, wrow, src, nb, bb)
}
