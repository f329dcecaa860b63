//go:build !purego

package kernels

// gatherBlocksAVX writes the four rows of one Interleaved4 group src (nb
// blocks of bb >= 32 bytes a row) to dst, row j at dst[j*wrow:]
// (gather_amd64.s); reference loop:
//
//	groupForm{bb: bb, run: 1}.move(src, dst, wrow, 0, 4, true)
//
//go:noescape
func gatherBlocksAVX(dst []byte, wrow int, src []byte, nb int, bb int)

// gatherQ8_0RunsAVX writes the four rows of one Interleaved4 Q8_0 group
// src (nb >= 1 blocks a row, in runs: see q8_0Run) to dst, row j at
// dst[j*wrow:] (gather_amd64.s); reference loop:
//
//	q8_0Form.move(src, dst, wrow, 0, 4, true)
//
//go:noescape
func gatherQ8_0RunsAVX(dst []byte, wrow int, src []byte, nb int)

// scatterQ8_0RunsAVX writes four row-major Q8_0 rows src (row j at
// src[j*wrow:], nb >= 1 blocks each) to dst as one Interleaved4 group
// (gather_amd64.s); reference loop:
//
//	q8_0Form.move(dst, src, wrow, 0, 4, false)
//
//go:noescape
func scatterQ8_0RunsAVX(dst []byte, src []byte, wrow int, nb int)

// gatherQ4KHeadAVX writes the four rows of one Interleaved4 Q4_K group
// src (nb >= 1 super-blocks a row, in q4KForm) to dst, row j at
// dst[j*wrow:] (gather_amd64.s); reference loop:
//
//	q4KForm.move(src, dst, wrow, 0, 4, true)
//
//go:noescape
func gatherQ4KHeadAVX(dst []byte, wrow int, src []byte, nb int)

// scatterQ4KHeadAVX writes four row-major Q4_K rows src (row j at
// src[j*wrow:], nb >= 1 super-blocks each) to dst as one Interleaved4
// group in q4KForm (gather_amd64.s); reference loop:
//
//	q4KForm.move(dst, src, wrow, 0, 4, false)
//
//go:noescape
func scatterQ4KHeadAVX(dst []byte, src []byte, wrow int, nb int)

// interleaveGroup writes the four row-major rows src (wrow bytes each) to
// dst as one interleaved group in form f: in assembly for Q8_0, which
// laid a matrix out at 22–25 GB/s where groupForm.move managed 4.3
// (BenchmarkInterleaveQ8_0), and for Q4_K.
func interleaveGroup(dst, src []byte, wrow int, f groupForm) {
	nb := wrow / f.bb
	if !hasAVX2 || nb == 0 {
		f.move(dst, src, wrow, 0, interleaveRows, false)
		return
	}
	_, _ = dst[interleaveRows*nb*f.bb-1], src[3*wrow+nb*f.bb-1] // what the assembly reaches
	switch f {
	case q8_0Form:
		scatterQ8_0RunsAVX(dst, src, wrow, nb)
	case q4KForm:
		scatterQ4KHeadAVX(dst, src, wrow, nb)
	default:
		f.move(dst, src, wrow, 0, interleaveRows, false)
	}
}

// gatherAVXMinBlock is the smallest block gatherBlocksAVX moves: one
// 32-byte move.
const gatherAVXMinBlock = 32

// deinterleaveGroup writes the interleaved group src (form f) to dst as
// four row-major rows of wrow bytes. Prompt batches gather every weight
// this way, and a copy call per block (34 bytes for Q8_0) cost more than
// the move: the assembly moves them where the CPU has AVX (every x86
// kernel set) and the blocks are large enough, or the form is Q8_0's or
// Q4_K's.
func deinterleaveGroup(dst, src []byte, wrow int, f groupForm) {
	nb := wrow / f.bb
	if !hasAVX2 || nb == 0 {
		f.move(src, dst, wrow, 0, interleaveRows, true)
		return
	}
	_, _ = dst[3*wrow+nb*f.bb-1], src[interleaveRows*nb*f.bb-1] // what the assembly reaches
	switch {
	case f == q8_0Form:
		gatherQ8_0RunsAVX(dst, wrow, src, nb)
	case f == q4KForm:
		gatherQ4KHeadAVX(dst, wrow, src, nb)
	case f.head == 0 && f.bb >= gatherAVXMinBlock:
		gatherBlocksAVX(dst, wrow, src, nb, f.bb)
	default:
		f.move(src, dst, wrow, 0, interleaveRows, true)
	}
}
