package kernels

import "github.com/plumewriter/plume/internal/tensor"

// groupForm is how an Interleaved4 group arranges the blocks of its four
// rows: in runs of run blocks a row (the last run of a group may be
// shorter), each run first the heads (the first head bytes) of its
// blocks, then the rest of each, both block by block and within a block
// row by row. The plain form (head 0, run 1) is the four rows' blocks
// whole, block by block: block b of row j at byte (4b+j)·bb of the group.
type groupForm struct {
	bb   int // bytes of a block
	head int // bytes of a block's head
	run  int // blocks of a row per run
}

// q8_0Run is the run of the Q8_0 form, whose head is the block's fp16
// scale. Eight blocks of four rows are 4·8 scales (64 bytes, one cache
// line) then 4·8 quant blocks of 32 bytes (16 lines): every load of the
// group kernels is aligned where a matrix starts on a cache line and its
// rows are a multiple of 256 wide, as those of every model are. On a
// Zen 5, the ZMM kernel read 256 MB of such runs at 29.1–29.6 GB/s with
// one thread where it read whole 34-byte blocks interleaved at 25.3–27.5
// (three runs of 15 alternating rounds, in a slow state of that VM; level
// in a fast one, 36.5–37.6 against 36.9–37.8).
const q8_0Run = 8

// q8_0Form is the group form of Q8_0 matrices.
var q8_0Form = groupForm{bb: q8_0Bytes, head: 2, run: q8_0Run}

// q4KHead is the head of the Q4_K form: a super-block's fp16 d and dmin
// and its 12 bytes of 6-bit scales and mins. The four rows' heads fill one
// cache line, then the rows' 128 bytes of quants fill two each, so every
// 64-byte load of the group kernels is aligned (whole super-blocks put
// three of a group's four rows 16, 32 and 48 bytes off a line), and the
// ZMM kernels decode the four rows' scales in one register
// (Q4K_W_SCALES). On a Zen 5 (BenchmarkQuadQ4_K, five alternating runs
// against whole super-blocks), the avx512vnni kernel read 256 MB of
// 2048-wide rows at 27.4–28.5 GB/s with one thread, where it read
// 21.8–22.5, and 36.9–44.3 GB/s with the rows in L2, against 35.4–37.0.
const q4KHead = 16

// q4KForm is the group form of Q4_K matrices (plain or repacked: the
// repacking keeps the head).
var q4KForm = groupForm{bb: q4KBytes, head: q4KHead, run: 1}

// form returns the group form of m's type (see groupForm).
func (m Matrix) form() groupForm {
	switch m.Type {
	case tensor.Q8_0:
		return q8_0Form
	case tensor.Q4_K:
		return q4KForm
	}
	return groupForm{bb: m.blockBytes(), run: 1}
}

// move copies the blocks of rows j0..j1-1 (0 <= j0 < j1 <= 4) between
// group, an interleaved group of rows wrow bytes long, and rows, those
// rows row-major (row j at rows[(j-j0)*wrow:]): into rows where gather is
// set, else into group. It is the reference of the assembly that moves
// whole groups (deinterleaveGroup, interleaveGroup), and moves what that
// does not: a row for RowData (an embedding a token), the rows of a group
// a row tile cuts, and whole groups where there is no assembly for the
// form (where the CPU lacks AVX2, no kernel set interleaves Q8_0).
func (f groupForm) move(group, rows []byte, wrow, j0, j1 int, gather bool) {
	nb, rest := wrow/f.bb, f.bb-f.head
	for r0 := 0; r0 < nb; r0 += f.run {
		k := min(f.run, nb-r0)
		heads := group[interleaveRows*r0*f.bb:]
		rests := heads[interleaveRows*k*f.head:]
		for i := range k {
			for j := j0; j < j1; j++ {
				blk := rows[(j-j0)*wrow+(r0+i)*f.bb:][:f.bb]
				n := interleaveRows*i + j
				h, r := heads[n*f.head:][:f.head], rests[n*rest:][:rest]
				if gather {
					copy(blk, h)
					copy(blk[f.head:], r)
				} else {
					copy(h, blk)
					copy(r, blk[f.head:])
				}
			}
		}
	}
}
