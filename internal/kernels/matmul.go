package kernels

import (
	"fmt"
	"math/bits"
	"sync"

	"github.com/plumewriter/plume/internal/tensor"
)

// Matrix is a row-major weight matrix: Rows rows of Cols elements of Type,
// each row RowSize(Type, Cols) bytes, as a GGUF tensor with
// Dims = [Cols, Rows] is stored.
type Matrix struct {
	Type       tensor.Type
	Rows, Cols int
	Data       []byte
	// Layout is how the rows are arranged in Data: RowMajor (the zero
	// value, as in the file) or, after Interleave, Interleaved4.
	Layout Layout
	// next is the Replacement Later gave the matrix, whose copy
	// MatMul, MatMulMulti and RowData take once published (Current); nil for a
	// matrix without one.
	next *Replacement
}

// Tiling and threading constants of MatMul.
const (
	// rowTile weight rows are kept hot in cache while every activation row
	// of an activation tile is multiplied with them (16 rows of a 4096-wide
	// Q8_0 matrix are ~70 KB, an L2-sized working set).
	rowTile = 16
	// actTile activation rows form one tile for n > 1 (64 Q8_0 rows of 4096
	// are ~280 KB, still within a typical L2).
	actTile = 64
	// minParallelMACs is the work (Rows*Cols*n multiply-adds) below which
	// MatMul stays on the calling goroutine: handing a job to the workers
	// costs a few microseconds, more than a tiny product takes.
	minParallelMACs = 1 << 15
	// chunksPerThread splits a product's rows finer than one chunk per
	// thread, claimed by whichever thread is free: on a shared machine a
	// descheduled thread's share is taken over instead of waited for.
	chunksPerThread = 4
	// chunkAlign keeps chunk bounds on whole groups of the four-row kernels.
	chunkAlign = 4
)

// MatrixF32 views rows*cols float32 values (row-major) as an F32 Matrix
// without copying, e.g. a KV cache for attention products. len(data) must be
// rows*cols (MatMul checks it).
func MatrixF32(rows, cols int, data []float32) Matrix {
	return Matrix{Type: tensor.F32, Rows: rows, Cols: cols, Data: f32bytes(data)}
}

// RowBytes returns the size of one row in bytes.
func (m Matrix) RowBytes() int {
	s, err := tensor.RowSize(m.Type, uint64(max(m.Cols, 0)))
	if err != nil {
		return 0
	}
	return int(s)
}

// Row returns the bytes of row r (0 <= r < Rows; the matrix must be valid
// and RowMajor: RowData reads any layout).
func (m Matrix) Row(r int) []byte {
	rb := m.RowBytes()
	return m.Data[r*rb : (r+1)*rb]
}

// Check validates the matrix: a supported type, non-negative dimensions,
// whole blocks per row and exactly Rows rows of data.
func (m Matrix) Check() error {
	if !Supported(m.Type) {
		return fmt.Errorf("matrix: %w %s", ErrUnsupported, m.Type)
	}
	if m.Rows < 0 || m.Cols < 0 {
		return fmt.Errorf("matrix: %w: negative dimensions %dx%d", ErrShape, m.Rows, m.Cols)
	}
	rb, err := tensor.RowSize(m.Type, uint64(m.Cols))
	if err != nil {
		return fmt.Errorf("matrix: %w: %w", ErrShape, err)
	}
	hi, size := bits.Mul64(rb, uint64(m.Rows))
	if hi != 0 || size != uint64(len(m.Data)) {
		return fmt.Errorf("matrix: %w: %d rows of %d %s elements need %d bytes, have %d",
			ErrShape, m.Rows, m.Cols, m.Type, size, len(m.Data))
	}
	return m.checkLayout()
}

// MatMul computes out[i*w.Rows+r] = W row r · x row i for the n activation
// rows x[i*w.Cols:(i+1)*w.Cols]. Each activation row is converted to
// VecDotType(w.Type) once per call (into the pool's reusable scratch
// buffer), then the weight rows are split over the pool's threads. Every
// output is computed by one VecDot with a fixed summation order, so the
// result is bitwise identical for any thread count. p may be nil (single
// thread). Shape errors are reported, never panicked on.
//
// Each output equals VecDot(w.Type, w.Cols, row, x) bit for bit, except for
// Q4_0 and Q4_K matrices with a multiple of 8 rows: llama.cpp repacks those
// on AVX2 machines and sums them with other kernels, which MatMul then
// reproduces instead (see dot_repack_generic.go).
func MatMul(p *Pool, w Matrix, x []float32, n int, out []float32) error {
	w = w.current(n > 1)
	if err := checkMatMul(w, x, n, out); err != nil {
		return err
	}
	if n == 0 || w.Rows == 0 {
		return nil
	}
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	vt := VecDotType(w.Type)
	xrow, _ := tensor.RowSize(vt, uint64(w.Cols))
	xq, err := quantizeActivations(p, vt, x, n, w.Cols, int(xrow))
	if err != nil {
		return fmt.Errorf("matmul: %w", err)
	}
	a := prepareBatch(p, []Matrix{w}, vt, xq, int(xrow), n, w.Cols)
	runMatMul(p, w.Rows, w.Cols, n, a.align(), matmulWork(w, a, n, out))
	return nil
}

// checkMatMul validates w and the lengths of x (n rows of w.Cols) and out
// (n rows of w.Rows).
func checkMatMul(w Matrix, x []float32, n int, out []float32) error {
	if err := w.Check(); err != nil {
		return fmt.Errorf("matmul: %w", err)
	}
	if n < 0 || !productIs(n, w.Cols, len(x)) || !productIs(n, w.Rows, len(out)) {
		return fmt.Errorf("matmul: %w: %dx%d weights, n=%d, len(x)=%d, len(out)=%d",
			ErrShape, w.Rows, w.Cols, n, len(x), len(out))
	}
	return nil
}

// runMatMul runs work over the rows of a product of n activation rows of
// cols elements: on the calling goroutine when it is too small to hand to
// the pool (p.mu held), else in chunks over the pool's threads whose inner
// bounds are multiples of align.
func runMatMul(p *Pool, rows, cols, n, align int, work func(lo, hi int)) {
	if p == nil || uint64(rows)*uint64(cols)*uint64(n) < minParallelMACs {
		work(0, rows)
		return
	}
	p.runChunks(rows, chunksPerThread, align, work)
}

// batchActs are a product's activation rows as the kernels take them: the
// quantized rows xq (xrow bytes apart), their block scales for the 4×2
// tile (xs, tileActScales) and their packings for the 16×16 tiles (xt,
// tile16ActPack; xk, tile16KActPack); xs, xt and xk are nil where unused.
type batchActs struct {
	xq   []byte
	xrow int
	xs   []float32
	xt   *tile16Acts
	xk   *tile16KActs
}

// prepareBatch gives the n activation rows xq (of type vt, xrow bytes
// apart, cols elements) the forms the batch kernels of the matrices ws
// take: their scales for the 4×2 tile and their packings for the 16×16
// tiles, each where used.
func prepareBatch(p *Pool, ws []Matrix, vt tensor.Type, xq []byte, xrow, n, cols int) batchActs {
	return batchActs{xq, xrow, tileActScales(p, vt, xq, xrow, n, cols), tile16ActPack(p, vt, xq, xrow, n, cols),
		tile16KActPack(p, ws, vt, xq, xrow, n, cols)}
}

// align returns the row alignment of a product's chunks: whole tiles of
// 16 weight rows where the activations are packed for a 16×16 tile, else
// whole groups of the four-row kernels.
func (a batchActs) align() int {
	if a.xt != nil || a.xk != nil {
		return tile16
	}
	return chunkAlign
}

// matmulWork returns the function computing the outputs of weight rows
// [lo, hi) of w for the n activation rows a (already of
// VecDotType(w.Type)).
func matmulWork(w Matrix, a batchActs, n int, out []float32) func(lo, hi int) {
	if w.Layout == Interleaved4 && n == 1 {
		return interleavedDecode(w, a.xq, out)
	}
	if t16 := tile16Q40For(w, a.xt); t16 != nil {
		c4 := cols4Kernel(w, n)
		return func(lo, hi int) { matmulTile16Q40(w, a, n, out, lo, hi, t16, c4) }
	}
	if t16 := tile16KFor(w, a.xk); t16 != nil {
		c4 := cols4Kernel(w, n)
		return func(lo, hi int) { matmulTile16K(w, a, n, out, lo, hi, t16, c4) }
	}
	if t16 := tile16For(w, a.xt, n); t16 != nil {
		r4 := rows4Kernel(w, n)
		return func(lo, hi int) { matmulTile16(w, a, n, out, lo, hi, t16, r4) }
	}
	if r4 := rows4Kernel(w, n); r4 != nil {
		return func(lo, hi int) { matmulRows4(w, a, n, out, lo, hi, r4) }
	}
	if c4 := cols4Kernel(w, n); c4 != nil {
		return func(lo, hi int) { matmulCols4(w, a.xq, a.xrow, n, out, lo, hi, c4) }
	}
	dot := dotFor(w)
	return func(lo, hi int) { matmulRows(w, a.xq, a.xrow, n, out, lo, hi, dot) }
}

// dotFor returns the one-row kernel MatMul takes for w's outputs: the
// packed one for matrices llama.cpp repacks (packedDot), else the plain
// one.
func dotFor(w Matrix) dotFunc {
	if pd := packedDot(w.Type, w.Rows); pd != nil {
		return pd
	}
	return active.dot[w.Type]
}

// quantizeActivations converts the n rows of x to type vt. F32 rows are used
// in place; other types go to the pool's scratch buffer (p.mu held).
func quantizeActivations(p *Pool, vt tensor.Type, x []float32, n, cols, xrow int) ([]byte, error) {
	if vt == tensor.F32 {
		return f32bytes(x), nil
	}
	var buf []byte
	if p != nil {
		buf = reuse(&p.scratch, n*xrow)
	} else {
		buf = make([]byte, n*xrow)
	}
	if n == 1 || p == nil {
		for i := range n {
			if err := QuantizeRow(vt, x[i*cols:(i+1)*cols], buf[i*xrow:(i+1)*xrow]); err != nil {
				return nil, err
			}
		}
		return buf, nil
	}
	// Rows are independent, so quantizing them in parallel changes nothing.
	// Lengths were validated by MatMul, so QuantizeRow cannot fail here.
	p.runLocked(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			_ = QuantizeRow(vt, x[i*cols:(i+1)*cols], buf[i*xrow:(i+1)*xrow])
		}
	})
	return buf, nil
}

// reuse returns (*s)[:n], growing *s first if its capacity is short.
func reuse[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	return (*s)[:n]
}

// tileActScales returns the block scales of the n Q8_0 activation rows xq
// as float32 (row i at [i*cols/32:]) for the 4×2 tile, from the pool's
// scratch (p.mu held); nil when the tile is not used (other activation
// types, single rows, no tile kernel).
func tileActScales(p *Pool, vt tensor.Type, xq []byte, xrow, n, cols int) []float32 {
	if vt != tensor.Q8_0 || n < 2 || active.tile42[tensor.Q8_0] == nil {
		return nil
	}
	nb := cols / 32
	var buf []float32
	if p != nil {
		buf = reuse(&p.scratchScales, n*nb)
	} else {
		buf = make([]float32, n*nb)
	}
	for i := range n {
		row := xq[i*xrow : i*xrow+nb*q8_0Bytes]
		for b := range nb {
			buf[i*nb+b] = half(row[b*q8_0Bytes:])
		}
	}
	return buf
}

// matmulRows computes the outputs of weight rows [lo, hi) for all n
// activation rows with dot, tile by tile so that each weight row is read
// from memory once per tile of activation rows.
func matmulRows(w Matrix, xq []byte, xrow, n int, out []float32, lo, hi int, dot dotFunc) {
	wrow := w.RowBytes()
	cols, rows := w.Cols, w.Rows
	if n == 1 && w.Layout == RowMajor {
		for r := lo; r < hi; r++ {
			out[r] = dot(cols, w.Data[r*wrow:(r+1)*wrow], xq)
		}
		return
	}
	sc := chunkPool.Get().(*chunkScratch)
	defer chunkPool.Put(sc)
	tile := layoutTile(w, wrow, sc)
	for r0 := lo; r0 < hi; r0 += rowTile {
		r1 := min(r0+rowTile, hi)
		prefetchNextTile(w, tile, r1, hi)
		data := batchTile(w, r0, r1, nil, tile, wrow) // row r at data[(r-r0)*wrow:]
		for i0 := 0; i0 < n; i0 += actTile {
			i1 := min(i0+actTile, n)
			for r := r0; r < r1; r++ {
				wr := data[(r-r0)*wrow : (r-r0+1)*wrow]
				for i := i0; i < i1; i++ {
					out[i*rows+r] = dot(cols, wr, xq[i*xrow:(i+1)*xrow])
				}
			}
		}
	}
}

// prefetchNextTile has the row tile after [.., r1) of w loaded from
// memory while the current one is multiplied, where the rows are gathered
// into a tile (tile != nil): the gather then reads the cache, as the
// kernels would (the row-major paths leave it to the hardware).
func prefetchNextTile(w Matrix, tile []byte, r1, hi int) {
	if tile == nil || active.prefetch == nil || r1 >= hi {
		return
	}
	wrow := w.RowBytes()
	active.prefetch(w.Data[r1*wrow : min(r1+rowTile, hi)*wrow])
}

// layoutTile returns a row tile's buffer for batchTile where w is not
// RowMajor (its rows are gathered there), from s, else nil.
func layoutTile(w Matrix, erow int, s *chunkScratch) []byte {
	if w.Layout == RowMajor {
		return nil
	}
	return reuse(&s.tile, rowTile*erow)
}

// chunkScratch is the memory one chunk of a batch product works in besides
// its operands: a row tile gathered from an interleaved matrix or expanded
// to Q8_0, the tile's weight scales for the 4×2 tile, and the
// eight-activation kernels' scratch (the ZMM Q4_K one's is 2,208 bytes a
// super-block, 70 KB for an 8192-wide matrix). Chunks take one from
// chunkPool and give it back: made anew for every chunk they were
// garbage enough to raise a 128-token prompt's peak RSS by 10–19 MiB.
type chunkScratch struct {
	tile []byte
	ws   []float32
	c8   []byte
}

var chunkPool = sync.Pool{New: func() any { return new(chunkScratch) }}

// rows4Kernel returns the four-row kernel for w when MatMul would use the
// plain dot kernel of w.Type for every activation row, or the packed one for
// fewer than four activation rows (more go through cols4Kernel's kernel),
// else nil (and for decoding where the set decodes w.Type row by row).
// Formats with both (Q6_K with the ZMM kernels) take the four-row kernel
// for fewer than four activation rows too.
func rows4Kernel(w Matrix, n int) rows4Func {
	if int(w.Type) >= maxType || (n == 1 && active.oneRowDecode[w.Type]) {
		return nil
	}
	if packedDot(w.Type, w.Rows) != nil {
		if n < 4 {
			return active.packedRows4[w.Type]
		}
		return nil
	}
	if n >= 4 && active.cols4[w.Type] != nil {
		return nil // a prompt batch: the four-activation kernel (Q6_K)
	}
	return active.rows4[w.Type]
}

// cols4Kernel returns the four-activation kernel for a batch that MatMul
// multiplies with the packed dot kernel (repacked matrices) or with the
// plain one (formats with a cols4 kernel), else nil.
func cols4Kernel(w Matrix, n int) cols4Func {
	if n < 4 || int(w.Type) >= maxType {
		return nil
	}
	if packedDot(w.Type, w.Rows) != nil {
		return active.packedCols4[w.Type]
	}
	return active.cols4[w.Type]
}

// matmulCols4 is matmulRows with a four-activation kernel: each weight row
// is unpacked once per four activation rows (per eight where there is an
// eight-activation kernel). The activation rows of a kernel call are the
// outer loop, the weight rows of the row tile the inner one, so that the
// activations (a few KB) are read from L1 rather than L2.
func matmulCols4(w Matrix, xq []byte, xrow, n int, out []float32, lo, hi int, c4 cols4Func) {
	dot := packedDot(w.Type, w.Rows)
	var c8 cols8Func
	if dot == nil {
		dot = active.dot[w.Type]
	} else {
		c8 = active.packedCols8[w.Type]
	}
	wrow := w.RowBytes()
	cols, rows := w.Cols, w.Rows
	sc := chunkPool.Get().(*chunkScratch)
	defer chunkPool.Put(sc)
	tile := layoutTile(w, wrow, sc)
	var o [4]float32
	for r0 := lo; r0 < hi; r0 += rowTile {
		r1 := min(r0+rowTile, hi)
		prefetchNextTile(w, tile, r1, hi)
		data := batchTile(w, r0, r1, nil, tile, wrow) // row r at data[(r-r0)*wrow:]
		for i0 := 0; i0 < n; i0 += actTile {
			i1 := min(i0+actTile, n)
			i := i0
			for ; c8 != nil && i+8 <= i1; i += 8 {
				c8(cols, data, r1-r0, xq[i*xrow:], xrow, out[i*rows+r0:], rows, &sc.c8)
			}
			// Activation rows outside, weight rows inside: the four
			// activations stay in L1 while the row tile goes past.
			for ; i+4 <= i1; i += 4 {
				for r := r0; r < r1; r++ {
					c4(cols, data[(r-r0)*wrow:(r-r0+1)*wrow], xq[i*xrow:(i+4)*xrow], xrow, &o)
					for a, v := range o {
						out[(i+a)*rows+r] = v
					}
				}
			}
			for r := r0; r < r1; r++ {
				wr := data[(r-r0)*wrow : (r-r0+1)*wrow]
				for j := i; j < i1; j++ { // the last one to three
					out[j*rows+r] = dot(cols, wr, xq[j*xrow:(j+1)*xrow])
				}
			}
		}
	}
}

// matmulRows4 is matmulRows with a four-row kernel: weight rows are taken
// four at a time (the remainder one by one with the plain kernel), which
// shares activation loads and overlaps four accumulation chains. Each output
// is still one dot product with the plain kernel's arithmetic. Pairs of
// activation rows go through the 4×2 tile where there is one (xs are their
// scales, see tileActScales).
func matmulRows4(w Matrix, a batchActs, n int, out []float32, lo, hi int, r4 rows4Func) {
	xq, xrow, xs := a.xq, a.xrow, a.xs
	dot := dotFor(w)
	wrow := w.RowBytes()
	cols, rows, nb := w.Cols, w.Rows, w.Cols/32
	// Decoding row-major weights (one activation row) needs no scratch: no
	// expansion, gathering or 4×2 tile; it is not taken on that hot path.
	var sc *chunkScratch
	if n > 1 || w.Layout != RowMajor {
		sc = chunkPool.Get().(*chunkScratch)
		defer chunkPool.Put(sc)
	}
	// For batches, formats with an expander are converted to Q8_0 one row
	// tile at a time and multiplied with the Q8_0 kernels (bit-identical).
	var expand expandFunc
	var tile []byte
	erow := wrow
	t42, sc4 := active.tile42[w.Type], active.scales4[w.Type]
	if n >= expandMinRows && active.expand[w.Type] != nil && active.rows4[tensor.Q8_0] != nil {
		expand, r4, dot = active.expand[w.Type], active.rows4[tensor.Q8_0], active.dot[tensor.Q8_0]
		t42, sc4 = active.tile42[tensor.Q8_0], active.scales4[tensor.Q8_0]
		erow = cols / 32 * q8_0Bytes
		tile = reuse(&sc.tile, rowTile*erow)
	} else {
		tile = layoutTile(w, erow, sc)
	}
	var ws []float32 // weight block scales of the row tile's four-row groups
	if t42 == nil || sc4 == nil || xs == nil || n < 2 {
		t42 = nil
	} else {
		ws = reuse(&sc.ws, rowTile*nb)
	}
	var o [4]float32
	for r0 := lo; r0 < hi; r0 += rowTile {
		r1 := min(r0+rowTile, hi)
		if n > 1 && active.prefetch != nil && r1 < hi {
			// A batch takes long over each row tile: have the next one
			// loaded from memory meanwhile.
			active.prefetch(w.Data[r1*wrow : min(r1+rowTile, hi)*wrow])
		}
		data := batchTile(w, r0, r1, expand, tile, erow) // row r at data[(r-r0)*erow:]
		if t42 != nil {
			for r := r0; r+4 <= r1; r += 4 {
				sc4(cols, data[(r-r0)*erow:(r-r0+4)*erow], erow, ws[(r-r0)*nb:(r-r0+4)*nb])
			}
		}
		for i0 := 0; i0 < n; i0 += actTile {
			i1 := min(i0+actTile, n)
			r := r0
			for ; r+4 <= r1; r += 4 {
				wr := data[(r-r0)*erow : (r-r0+4)*erow]
				i := i0
				if pairs := (i1 - i0) / 2; t42 != nil && pairs > 0 {
					t42(cols, wr, erow, ws[(r-r0)*nb:(r-r0+4)*nb], xq[i*xrow:], xrow, xs[i*nb:], pairs, out[i*rows+r:], rows)
					i += 2 * pairs
				}
				for ; i < i1; i++ {
					r4(cols, wr, erow, xq[i*xrow:(i+1)*xrow], &o)
					copy(out[i*rows+r:i*rows+r+4], o[:])
				}
			}
			for ; r < r1; r++ {
				wr := data[(r-r0)*erow : (r-r0+1)*erow]
				for i := i0; i < i1; i++ {
					out[i*rows+r] = dot(cols, wr, xq[i*xrow:(i+1)*xrow])
				}
			}
		}
	}
}

// batchTile returns the weight rows [r0, r1) of w as the batch kernels
// take them: w's own bytes, those rows de-interleaved into tile (an
// Interleaved4 w), or where expand is set those rows converted to Q8_0
// into tile (erow bytes a row). Row r is at [(r-r0)*erow:] either way
// (erow is w's row size when expand is nil).
func batchTile(w Matrix, r0, r1 int, expand expandFunc, tile []byte, erow int) []byte {
	wrow := w.RowBytes()
	if w.Layout == Interleaved4 {
		if expand == nil {
			return interleavedTile(w, r0, r1, tile)
		}
		row := make([]byte, wrow)
		for r := r0; r < r1; r++ {
			expand(w.Cols, w.RowData(r, row), tile[(r-r0)*erow:(r-r0+1)*erow])
		}
		return tile[:(r1-r0)*erow]
	}
	if expand == nil {
		return w.Data[r0*wrow : r1*wrow]
	}
	for r := r0; r < r1; r++ {
		expand(w.Cols, w.Data[r*wrow:(r+1)*wrow], tile[(r-r0)*erow:(r-r0+1)*erow])
	}
	return tile[:(r1-r0)*erow]
}

// productIs reports whether a*b == want without overflow (a, b >= 0).
func productIs(a, b, want int) bool {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	return hi == 0 && lo == uint64(want)
}
