package kernels

import "github.com/plumewriter/plume/internal/tensor"

// The 16×16 tile of repacked Q4_K prompt batches, for matrix units (AMX):
// 16 weight rows times 16 activation rows per call, every output
// bit-identical to dotQ4KQ8KPacked. Unlike the plain K-quant dots, the
// repacked arithmetic (llama.cpp's gemm_q4_K_8x8_q8_K) sums a whole
// super-block into one exact int32 per output, Σ_s scale_s·Σ_l q·x over
// its eight 32-quant sub-blocks, and fuses it with one fmaf: so each
// sub-block is one full-depth tile product (16 rows × 32 quants by
// 32 quants × 16 activations), scaled per weight row and summed exactly.
// The mins term is likewise one exact int32 per output and super-block.
//
// Both sides are packed in the layout a tile row is read from. The
// activations once per product (packTile16K): per group of 16 rows, per
// super-block and sub-block, 8 rows of 64 bytes (row kk: each
// activation's quants 4kk..4kk+3), the 16 scales, and the 16 sub-block
// sums of the min term. The weights once per 16-row tile
// (packTile16KWeights): per super-block and sub-block the 16 rows' 32
// quants unpacked to bytes, their scales and mins as int32, and d and
// dmin as float32.

// Sizes of one super-block of the packed Q4_K tile's operands.
const (
	tile16KSub       = 8                        // 32-quant sub-blocks of a super-block
	tile16KXQuants   = tile16KSub * 8 * 64      // activation tiles: 8 rows of 64 bytes each
	tile16KWQuants   = tile16KSub * tile16 * 32 // weight tiles: 16 rows of 32 bytes each
	tile16KSubScales = tile16KSub * tile16      // one int32 per sub-block and row
)

// tile16KActs holds a batch's Q8_K activation rows packed for the tile.
type tile16KActs struct {
	nb, n  int
	quants []byte    // group g at g*nb*tile16KXQuants: [b][s][kk][a][4]
	d      []float32 // group g at g*nb*16: [b][a]
	bsums  []int32   // group g at g*nb*tile16KSubScales: [b][s][a]
}

// groups returns the number of groups of 16 activation rows.
func (t *tile16KActs) groups() int { return (t.n + tile16 - 1) / tile16 }

// group returns group g's operands and how many of its rows are real.
func (t *tile16KActs) group(g int) (q []byte, d []float32, bs []int32, rows int) {
	qn, dn, bn := t.nb*tile16KXQuants, t.nb*tile16, t.nb*tile16KSubScales
	return t.quants[g*qn : (g+1)*qn], t.d[g*dn : (g+1)*dn], t.bsums[g*bn : (g+1)*bn], min(tile16, t.n-g*tile16)
}

// packTile16K packs the n Q8_K activation rows xq (xrow bytes apart, nb
// super-blocks each) into t, reusing t's memory; missing rows of the last
// group are zero.
func packTile16K(t *tile16KActs, xq []byte, xrow, n, nb int) {
	groups := (n + tile16 - 1) / tile16
	t.nb, t.n = nb, n
	t.quants = reuse(&t.quants, groups*nb*tile16KXQuants)
	t.d = reuse(&t.d, groups*nb*tile16)
	t.bsums = reuse(&t.bsums, groups*nb*tile16KSubScales)
	clear(t.quants)
	clear(t.d)
	clear(t.bsums)
	for i := range n {
		g, a := i/tile16, i%tile16
		q := t.quants[g*nb*tile16KXQuants:]
		for b := range nb {
			yd, qs, bs := q8K(xq[i*xrow+b*q8KBytes : i*xrow+(b+1)*q8KBytes])
			t.d[(g*nb+b)*tile16+a] = yd
			for s := range tile16KSub {
				// llama.cpp's min term takes each sub-block's sum as the
				// int16 sum of its two 16-quant sums (kMinProds).
				t.bsums[(g*nb+b)*tile16KSubScales+s*tile16+a] = int32(int16(bsum(bs, 2*s) + bsum(bs, 2*s+1)))
				sub := q[(b*tile16KSub+s)*512:]
				for kk := range 8 {
					copy(sub[kk*64+a*4:][:4], qs[32*s+4*kk:32*s+4*kk+4])
				}
			}
		}
	}
}

// tile16KWeights is one 16-row tile of Q4_K weights unpacked for the tile
// (see packTile16KWeights), its memory reused from tile to tile.
type tile16KWeights struct {
	nb       int
	q        []byte    // [b][s][m][32]: the quants, one per byte (0..15)
	sc, mins []int32   // [b][s][m]
	dd       []float32 // [b][2][m]: d, then dmin
}

// packTile16KWeights unpacks the 16 Q4_K weight rows w (rowBytes apart, nb
// super-blocks each) into p.
func packTile16KWeights(p *tile16KWeights, w []byte, rowBytes, nb int) {
	p.nb = nb
	p.q = reuse(&p.q, nb*tile16KWQuants)
	p.sc = reuse(&p.sc, nb*tile16KSubScales)
	p.mins = reuse(&p.mins, nb*tile16KSubScales)
	p.dd = reuse(&p.dd, nb*2*tile16)
	for m := range tile16 {
		row := w[m*rowBytes:]
		for b := range nb {
			wb := row[b*q4KBytes : (b+1)*q4KBytes]
			p.dd[b*2*tile16+m], p.dd[b*2*tile16+tile16+m] = half(wb), half(wb[2:])
			sc, mins := kScalesMins(wb[4:16])
			for s := range tile16KSub {
				p.sc[(b*tile16KSub+s)*tile16+m] = sc[s]
				p.mins[(b*tile16KSub+s)*tile16+m] = mins[s]
				qq := wb[16+32*(s/2) : 48+32*(s/2)]
				dst := p.q[((b*tile16KSub+s)*tile16+m)*32:][:32]
				for l := range 32 {
					if s%2 == 0 {
						dst[l] = qq[l] & 0xf
					} else {
						dst[l] = qq[l] >> 4
					}
				}
			}
		}
	}
}

// tile16KScratch is a kernel call's working memory, of the Q4_K and the
// Q4_0 tiles: one int32 tile and the two float32 accumulators of every
// output (the Q4_0 tile uses acc only).
type tile16KScratch struct {
	c         [tile16 * tile16]int32
	acc, accm [tile16 * tile16]float32 // [m][a]
}

// tile16KFunc computes out[a*ostride+m] = dotQ4KQ8KPacked of weight row m
// of wt and activation row a of one packed group (q, d, bs), for the rows
// real activation rows, bit for bit.
type tile16KFunc func(wt *tile16KWeights, q []byte, d []float32, bs []int32, rows int, out []float32, ostride int, s *tile16KScratch)

// tile16KReduce writes out[a*ostride+m] = acc - accm for the rows real
// activation rows, or acc where withMins is false (the Q4_0 tile, which
// has no min term).
func tile16KReduce(s *tile16KScratch, withMins bool, rows int, out []float32, ostride int) {
	for a := range rows {
		o := out[a*ostride : a*ostride+tile16]
		for m := range tile16 {
			if withMins {
				o[m] = s.acc[m*tile16+a] - s.accm[m*tile16+a]
			} else {
				o[m] = s.acc[m*tile16+a]
			}
		}
	}
}

// tile16KGo is the tile in Go: the reference the matrix-unit kernel is
// tested against, and how the MatMul driver is tested on CPUs without one.
func tile16KGo(wt *tile16KWeights, q []byte, d []float32, bs []int32, rows int, out []float32, ostride int, s *tile16KScratch) {
	clear(s.acc[:])
	clear(s.accm[:])
	for b := range wt.nb {
		for m := range tile16 {
			for a := range tile16 {
				var sumi, msum int32
				for sb := range tile16KSub {
					k := (b*tile16KSub + sb) * tile16
					wq := wt.q[(k+m)*32:][:32]
					xq := q[(b*tile16KSub+sb)*512:]
					var dot int32
					for l := range 32 {
						dot += int32(wq[l]) * int32(int8(xq[(l/4)*64+a*4+l%4]))
					}
					sumi += wt.sc[k+m] * dot
					msum += wt.mins[k+m] * bs[k+a]
				}
				i := m*tile16 + a
				s.acc[i] = fmaf(float32(sumi), wt.dd[b*2*tile16+m]*d[b*tile16+a], s.acc[i])
				s.accm[i] = fmaf(float32(msum), wt.dd[b*2*tile16+tile16+m]*d[b*tile16+a], s.accm[i])
			}
		}
	}
	tile16KReduce(s, true, rows, out, ostride)
}

// tile16KFor returns the tile kernel for w when its batch's activations
// are packed for it (xk not nil): repacked Q4_K matrices.
func tile16KFor(w Matrix, xk *tile16KActs) tile16KFunc {
	if xk == nil || active.tile16K == nil || w.Type != tensor.Q4_K || packedDot(w.Type, w.Rows) == nil {
		return nil
	}
	return active.tile16K
}

// tile16KActPack packs the n Q8_K activation rows xq (xrow bytes apart,
// cols elements) for the repacked Q4_K tile into the pool's scratch (p.mu
// held), where one of the matrices ws takes it; else nil (no tile kernel,
// other activation types, batches under tile16MinActs).
func tile16KActPack(p *Pool, ws []Matrix, vt tensor.Type, xq []byte, xrow, n, cols int) *tile16KActs {
	if active.tile16K == nil || vt != tensor.Q8_K || n < tile16MinActs {
		return nil
	}
	used := false
	for _, w := range ws {
		used = used || (w.Type == tensor.Q4_K && packedDot(w.Type, w.Rows) != nil)
	}
	if !used {
		return nil
	}
	t := &tile16KActs{}
	if p != nil {
		t = &p.scratchTile16K
	}
	packTile16K(t, xq, xrow, n, cols/tensor.QK_K)
	return t
}

// matmulTile16K is matmulCols4 for the repacked Q4_K batches the tile
// takes (see matmulUnpackedTiles).
func matmulTile16K(w Matrix, a batchActs, n int, out []float32, lo, hi int, t16 tile16KFunc, c4 cols4Func) {
	var wt tile16KWeights
	var s tile16KScratch
	matmulUnpackedTiles(w, a, n, out, lo, hi, c4, func(data []byte, r int) {
		packTile16KWeights(&wt, data, w.RowBytes(), w.Cols/tensor.QK_K)
		for g := range a.xk.groups() {
			q, d, bs, rows := a.xk.group(g)
			t16(&wt, q, d, bs, rows, out[g*tile16*w.Rows+r:], w.Rows, &s)
		}
	})
}

// matmulUnpackedTiles is the loop of the repacked formats' tiles: weight
// rows in tiles of 16, each handed to tile (its rows row-major in data,
// the first being row r), which unpacks them once and multiplies them by
// every group of 16 activation rows. The rows short of a last whole tile
// go through matmulCols4 (c4; matmulRows where it is nil).
func matmulUnpackedTiles(w Matrix, a batchActs, n int, out []float32, lo, hi int, c4 cols4Func, tile func(data []byte, r int)) {
	wrow := w.RowBytes()
	sc := chunkPool.Get().(*chunkScratch)
	defer chunkPool.Put(sc)
	buf := layoutTile(w, wrow, sc) // interleaved rows gathered here
	r := lo
	for ; r+tile16 <= hi; r += tile16 {
		if active.prefetch != nil && r+tile16 < hi {
			active.prefetch(w.Data[(r+tile16)*wrow : min(r+2*tile16, hi)*wrow])
		}
		tile(batchTile(w, r, r+tile16, nil, buf, wrow), r)
	}
	switch {
	case r == hi:
	case c4 != nil:
		matmulCols4(w, a.xq, a.xrow, n, out, r, hi, c4)
	default:
		matmulRows(w, a.xq, a.xrow, n, out, r, hi, packedDot(w.Type, w.Rows))
	}
}
