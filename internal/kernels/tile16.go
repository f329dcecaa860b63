package kernels

import "github.com/plumewriter/plume/internal/tensor"

// The 16×16 tile of Q8_0 prompt batches, for matrix units (AMX on x86):
// 16 weight rows times 16 activation rows per kernel call, every output
// bit-identical to dotQ8_0Q8_0. The generic dot sums each block in eight
// lanes of four products (llama.cpp's AVX2 order) and fuses each lane into
// its own float32 accumulator, so the tile's integer products are taken
// four deep, one lane of one block at a time: a 16×4 by 4×16 product of
// signed bytes whose 256 int32 sums are exact, fused into 8×256
// accumulators in the generic order and reduced with reduce8.
//
// The activations are packed once per product (packTile16), the layout a
// matrix unit reads one tile row from: per group of 16 activation rows,
// per block and lane, the 16 rows' four quants (64 bytes); and per group
// and block their 16 scales as float32. Missing rows of the last group
// are zero.

// tile16 is the tile's side: 16 weight rows by 16 activation rows (AMX's
// largest tile: 16 rows of 64 bytes).
const tile16 = 16

// Sizes of one group of packed activations per 32-element block.
const (
	tile16QuantsPerBlock = 8 * tile16 * 4 // 8 lanes × 16 rows × 4 quants
	tile16ScalesPerBlock = tile16
)

// tile16Acts holds a batch's activation rows packed for the 16×16 tile.
type tile16Acts struct {
	nb     int       // blocks per row
	n      int       // activation rows
	quants []byte    // group g at g*nb*tile16QuantsPerBlock
	scales []float32 // group g at g*nb*tile16ScalesPerBlock
}

// groups returns the number of groups of 16 activation rows.
func (t *tile16Acts) groups() int { return (t.n + tile16 - 1) / tile16 }

// group returns group g's quants and scales and how many of its rows are
// real.
func (t *tile16Acts) group(g int) (q []byte, s []float32, rows int) {
	qn, sn := t.nb*tile16QuantsPerBlock, t.nb*tile16ScalesPerBlock
	return t.quants[g*qn : (g+1)*qn], t.scales[g*sn : (g+1)*sn], min(tile16, t.n-g*tile16)
}

// tile16Scratch is a kernel call's working memory, reused across calls by
// one goroutine: two int32 tiles and the 8×16×16 float32 lane
// accumulators.
type tile16Scratch struct {
	c   [2 * tile16 * tile16]int32
	acc [8 * tile16 * tile16]float32
	ws  []float32 // the weight rows' scales, block-major (tile16Scales)
}

// tile16Func computes out[a*ostride+m] = dotQ8_0Q8_0(n, w[m*rowBytes:],
// x_a) for the 16 weight rows m (Q8_0, rowBytes apart) and the rows
// activation rows a of one packed group (q, xs), bit for bit. ws holds the
// weight rows' scales as tile16Scales gives them.
type tile16Func func(n int, w []byte, rowBytes int, ws []float32, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16Scratch)

// packTile16 packs the n Q8_0 activation rows xq (xrow bytes apart, nb
// blocks each) for the tile into t, reusing t's memory.
func packTile16(t *tile16Acts, xq []byte, xrow, n, nb int) {
	groups := (n + tile16 - 1) / tile16
	t.nb, t.n = nb, n
	t.quants = reuse(&t.quants, groups*nb*tile16QuantsPerBlock)
	t.scales = reuse(&t.scales, groups*nb*tile16ScalesPerBlock)
	clear(t.quants)
	clear(t.scales)
	for i := range n {
		g, a := i/tile16, i%tile16
		row := xq[i*xrow : i*xrow+nb*q8_0Bytes]
		q := t.quants[g*nb*tile16QuantsPerBlock:]
		s := t.scales[g*nb*tile16ScalesPerBlock:]
		for b := range nb {
			blk := row[b*q8_0Bytes : (b+1)*q8_0Bytes]
			s[b*tile16+a] = half(blk)
			for k := range 8 {
				copy(q[b*tile16QuantsPerBlock+k*64+a*4:][:4], blk[2+4*k:2+4*k+4])
			}
		}
	}
}

// tile16Scales converts the block scales of 16 Q8_0 weight rows (rowBytes
// apart, nb blocks) to float32, block-major: ws[16*b+m].
func tile16Scales(w []byte, rowBytes, nb int, ws []float32) {
	for m := range tile16 {
		row := w[m*rowBytes:]
		for b := range nb {
			ws[b*tile16+m] = half(row[b*q8_0Bytes:])
		}
	}
}

// tile16Reduce writes the outputs of a tile from its lane accumulators
// acc[k*256+m*16+a]: out[a*ostride+m] = reduce8 of the eight lanes.
func tile16Reduce(acc *[8 * tile16 * tile16]float32, rows int, out []float32, ostride int) {
	for a := range rows {
		o := out[a*ostride : a*ostride+tile16]
		for m := range tile16 {
			var l [8]float32
			for k := range 8 {
				l[k] = acc[k*tile16*tile16+m*tile16+a]
			}
			o[m] = reduce8(&l)
		}
	}
}

// tile16Go is the tile in Go: the reference the matrix-unit kernels are
// tested against, and how the MatMul driver is tested on CPUs without one.
func tile16Go(n int, w []byte, rowBytes int, ws []float32, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16Scratch) {
	nb := n / 32
	acc := &s.acc
	clear(acc[:])
	for k := range 8 {
		for b := range nb {
			xq := q[b*tile16QuantsPerBlock+k*64:]
			for m := range tile16 {
				wq := w[m*rowBytes+b*q8_0Bytes+2+4*k:][:4]
				for a := range tile16 {
					var sum int32
					for t := range 4 {
						sum += int32(int8(wq[t])) * int32(int8(xq[a*4+t]))
					}
					d := ws[b*tile16+m] * xs[b*tile16+a]
					i := k*tile16*tile16 + m*tile16 + a
					acc[i] = fmaf(d, float32(sum), acc[i])
				}
			}
		}
	}
	tile16Reduce(acc, rows, out, ostride)
}

// tile16For returns the tile kernel for a batch of n activation rows
// packed in xt (nil: none) times w, or nil: Q8_0 matrices, and formats
// that matmulRows4 expands to Q8_0 for batches.
func tile16For(w Matrix, xt *tile16Acts, n int) tile16Func {
	if xt == nil || active.tile16 == nil || int(w.Type) >= maxType || packedDot(w.Type, w.Rows) != nil {
		return nil
	}
	if w.Type == tensor.Q8_0 || (n >= expandMinRows && active.expand[w.Type] != nil && active.rows4[tensor.Q8_0] != nil) {
		return active.tile16
	}
	return nil
}

// tile16ActPack packs the n Q8_0 activation rows xq (xrow bytes apart,
// cols elements) for the 16×16 tile, into the pool's scratch (p.mu held);
// nil where the tile is not used (no tile kernel, other activation types,
// batches under tile16MinActs).
func tile16ActPack(p *Pool, vt tensor.Type, xq []byte, xrow, n, cols int) *tile16Acts {
	if (active.tile16 == nil && active.tile16Q40 == nil) || vt != tensor.Q8_0 || n < tile16MinActs {
		return nil
	}
	t := &tile16Acts{}
	if p != nil {
		t = &p.scratchTile16
	}
	packTile16(t, xq, xrow, n, cols/32)
	return t
}

// tile16MinActs is the smallest batch given to the tile: half its
// columns. Below that the four-row kernels waste less. (A guess from the
// operation counts: the AMX kernel could not be timed on hardware yet.)
const tile16MinActs = 8

// matmulTile16 is matmulRows4 for the batches the 16×16 tile takes:
// weight rows in tiles of 16 (expanded to Q8_0 first where the format has
// an expander), each times every group of 16 activation rows. The rows
// short of a last whole tile go through matmulRows4 with r4 (matmulRows
// where r4 is nil).
func matmulTile16(w Matrix, a batchActs, n int, out []float32, lo, hi int, t16 tile16Func, r4 rows4Func) {
	wrow := w.RowBytes()
	cols, rows, nb := w.Cols, w.Rows, w.Cols/32
	var expand expandFunc
	var tile []byte
	erow := wrow
	if w.Type != tensor.Q8_0 {
		expand, erow = active.expand[w.Type], nb*q8_0Bytes
		tile = make([]byte, tile16*erow)
	} else if w.Layout != RowMajor {
		tile = make([]byte, tile16*erow) // its rows gathered by batchTile
	}
	s := &tile16Scratch{ws: make([]float32, tile16*nb)}
	r := lo
	for ; r+tile16 <= hi; r += tile16 {
		if active.prefetch != nil && r+tile16 < hi {
			// The next tile is read from memory while this one is multiplied.
			active.prefetch(w.Data[(r+tile16)*wrow : min(r+2*tile16, hi)*wrow])
		}
		data := batchTile(w, r, r+tile16, expand, tile, erow)
		tile16Scales(data, erow, nb, s.ws)
		for g := range a.xt.groups() {
			q, xs, ra := a.xt.group(g)
			t16(cols, data, erow, s.ws, q, xs, ra, out[g*tile16*rows+r:], rows, s)
		}
	}
	switch {
	case r == hi:
	case r4 != nil:
		matmulRows4(w, a, n, out, r, hi, r4)
	default:
		matmulRows(w, a.xq, a.xrow, n, out, r, hi, active.dot[w.Type])
	}
}
