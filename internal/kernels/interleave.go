package kernels

import (
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// Layout is how a Matrix's rows are arranged in its Data.
type Layout uint8

const (
	// RowMajor is the GGUF layout: row r at Data[r*RowBytes():].
	RowMajor Layout = iota
	// Interleaved4 keeps the rows in groups of four, the groups in order,
	// each group interleaved block by block: block b of row 4g+j at
	// Data[4g*RowBytes() + (4b+j)*blockBytes:], except Q8_0, whose groups
	// are in runs of eight blocks, the scales of a run before its quants
	// (groupForm, q8_0Run), and Q4_K, whose super-blocks of the four rows
	// are their 16-byte heads, then their quants (q4KForm): every load
	// aligned. Decoding then reads a group's four rows as one
	// sequential stream instead of four, which reads memory faster (see
	// Interleave). Rows must be a multiple of four.
	Interleaved4
)

// interleaveRows is the group size of Interleaved4: the rows of the
// four-row kernels.
const interleaveRows = 4

// quadFunc computes the rows of len(out)/4 consecutive Interleaved4
// groups (w, from the first group's first byte) times one activation row,
// out[4k+r] for row r of group k, each output bit-identical to dot on the
// row it came from.
type quadFunc func(n int, w []byte, x []byte, out []float32)

// Interleaves reports whether Interleave may rearrange matrices of type
// t with the active kernels (it also needs a multiple of four rows).
func Interleaves(t tensor.Type) bool {
	return int(t) < maxType && (active.quad[t] != nil || active.packedQuad[t] != nil)
}

// Interleave rearranges the row-major matrix m in place into
// Interleaved4 and returns it with that Layout, where the active kernels
// decode it fastest so: they have a group kernel for its type (and for
// the arithmetic MatMul takes for it, see packedDot) and m has a multiple
// of four rows. Otherwise it returns m unchanged. m.Data must be writable
// and not shared with anything that reads it as row-major afterwards.
// Every MatMul result is the same in either layout, bit for bit.
//
// On a Zen 5 (256 MB of 2048-wide Q8_0 rows, read from DRAM by one thread)
// the four-row kernel read four row-major rows at 18–20 GB/s and four
// interleaved ones at 26–33: one stream instead of four.
func Interleave(m Matrix) Matrix {
	if groupKernel(m) == nil {
		return m
	}
	return interleave(m)
}

// groupKernel returns the active group kernel for the Interleaved4 form
// of w: the packed one where MatMul takes the packed arithmetic for w
// (packedDot), else the plain one; nil if there is none.
func groupKernel(w Matrix) quadFunc {
	if int(w.Type) >= maxType {
		return nil
	}
	if packedDot(w.Type, w.Rows) != nil {
		return active.packedQuad[w.Type]
	}
	return active.quad[w.Type]
}

// interleave is Interleave for any block format, whatever the kernels.
func interleave(m Matrix) Matrix {
	if m.Layout != RowMajor || m.Rows%interleaveRows != 0 || m.Check() != nil {
		return m
	}
	wrow, f := m.RowBytes(), m.form()
	if f.bb == 0 || m.Type == tensor.F32 || m.Type == tensor.F16 || m.Type == tensor.BF16 {
		return m
	}
	rows := make([]byte, interleaveRows*wrow)
	for r := 0; r < m.Rows; r += interleaveRows {
		g := m.Data[r*wrow : (r+interleaveRows)*wrow]
		copy(rows, g)
		interleaveGroup(g, rows, wrow, f)
	}
	m.Layout = Interleaved4
	return m
}

// blockBytes returns the bytes of one block of m's type (0 if unknown).
func (m Matrix) blockBytes() int {
	if int(m.Type) >= maxType || !fast[m.Type].known {
		return 0
	}
	return fast[m.Type].size
}

// RowData returns the bytes of row r (0 <= r < Rows) in row-major form: a
// view of Data for RowMajor, else gathered into buf (which must hold
// RowBytes() bytes) and returned from it. It panics on an invalid r, as
// indexing does.
func (m Matrix) RowData(r int, buf []byte) []byte {
	m = m.Current()
	wrow := m.RowBytes()
	if m.Layout == RowMajor {
		return m.Data[r*wrow : (r+1)*wrow]
	}
	g, j := r-r%interleaveRows, r%interleaveRows
	m.form().move(m.Data[g*wrow:(g+interleaveRows)*wrow], buf[:wrow], wrow, j, j+1, true)
	return buf[:wrow]
}

// checkLayout validates m's Layout against its shape.
func (m Matrix) checkLayout() error {
	switch m.Layout {
	case RowMajor:
		return nil
	case Interleaved4:
		if m.Rows%interleaveRows != 0 || m.blockBytes() == 0 {
			return fmt.Errorf("matrix: %w: %d %s rows cannot be interleaved by %d", ErrShape, m.Rows, m.Type, interleaveRows)
		}
		return nil
	}
	return fmt.Errorf("matrix: %w: unknown layout %d", ErrShape, m.Layout)
}

// interleavedTile writes the rows [r0, r1) of the Interleaved4 matrix w
// to tile row-major and returns them: whole groups block by block into
// their four rows (one pass over the group's bytes), rows of a group cut
// by r0 or r1 one by one.
func interleavedTile(w Matrix, r0, r1 int, tile []byte) []byte {
	wrow, f := w.RowBytes(), w.form()
	for r := r0; r < r1; {
		if r%interleaveRows != 0 || r+interleaveRows > r1 {
			g, j := r-r%interleaveRows, r%interleaveRows
			f.move(w.Data[g*wrow:(g+interleaveRows)*wrow], tile[(r-r0)*wrow:(r-r0+1)*wrow], wrow, j, j+1, true)
			r++
			continue
		}
		deinterleaveGroup(tile[(r-r0)*wrow:(r-r0+interleaveRows)*wrow], w.Data[r*wrow:(r+interleaveRows)*wrow], wrow, f)
		r += interleaveRows
	}
	return tile[:(r1-r0)*wrow]
}

// interleavedDecode returns the work of MatMul for the Interleaved4 matrix
// w and one activation row xq: whole groups through the group kernel, rows
// of a group split by a chunk bound (MatMulMulti after a matrix with an odd
// row count) one by one.
func interleavedDecode(w Matrix, xq []byte, out []float32) func(lo, hi int) {
	dot := dotFor(w)
	quad := groupKernel(w)
	if quad == nil {
		quad = quadFromDot(dot, w.form())
	}
	return func(lo, hi int) {
		wrow := w.RowBytes()
		// The whole groups in [lo, hi) in one call; the rows of a group
		// cut by a chunk bound one by one.
		g0 := min((lo+interleaveRows-1)/interleaveRows*interleaveRows, hi)
		g1 := max(hi/interleaveRows*interleaveRows, g0)
		if g1 > g0 {
			quad(w.Cols, w.Data[g0*wrow:g1*wrow], xq, out[g0:g1])
		}
		var row []byte
		one := func(r int) {
			if row == nil {
				row = make([]byte, wrow)
			}
			out[r] = dot(w.Cols, w.RowData(r, row), xq)
		}
		for r := lo; r < g0; r++ {
			one(r)
		}
		for r := g1; r < hi; r++ {
			one(r)
		}
	}
}

// quadFromDot is a group kernel made of dot for groups in form f, w
// exactly the groups' bytes: the reference of the group kernels, and the
// kernel for a matrix interleaved under another kernel set (a test
// switching sets).
func quadFromDot(dot dotFunc, f groupForm) quadFunc {
	return func(n int, w []byte, x []byte, out []float32) {
		groups := len(out) / interleaveRows
		if groups == 0 {
			return
		}
		wrow := len(w) / (groups * interleaveRows)
		gb := interleaveRows * wrow
		row := make([]byte, wrow)
		for i := range groups * interleaveRows {
			k, j := i/interleaveRows, i%interleaveRows
			f.move(w[k*gb:(k+1)*gb], row, wrow, j, j+1, true)
			out[i] = dot(n, row, x)
		}
	}
}
