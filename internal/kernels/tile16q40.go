package kernels

import "github.com/plumewriter/plume/internal/tensor"

// The 16×16 tile of repacked Q4_0 prompt batches, for matrix units (AMX):
// llama.cpp's repacked Q4_0 arithmetic (gemm_q4_0_8x8_q8_0, see
// dotQ4_0Q8_0Packed) fuses each 32-quant block's exact int32 sum with one
// fmaf per output, so each block is one full-depth tile product (16 rows ×
// 32 quants by 32 × 16 activations) and 16 fused multiply-adds. The
// activations are the 16×16 Q8_0 tile's packing (packTile16: per block,
// row kk holds each activation's quants 4kk..4kk+3, as a 32-deep tile
// reads them); the weights are unpacked once per 16-row tile
// (packTile16Q40Weights).

// tile16Q40Weights is one 16-row tile of Q4_0 weights unpacked for the
// tile, its memory reused from tile to tile.
type tile16Q40Weights struct {
	nb int
	q  []byte    // [b][m][32]: the quants minus 8, as int8
	d  []float32 // [b][m]
}

// packTile16Q40Weights unpacks the 16 Q4_0 weight rows w (rowBytes
// apart, nb blocks each) into p.
func packTile16Q40Weights(p *tile16Q40Weights, w []byte, rowBytes, nb int) {
	p.nb = nb
	p.q = reuse(&p.q, nb*tile16*32)
	p.d = reuse(&p.d, nb*tile16)
	for m := range tile16 {
		row := w[m*rowBytes:]
		for b := range nb {
			wb := row[b*q4_0Bytes : (b+1)*q4_0Bytes]
			p.d[b*tile16+m] = half(wb)
			dst := p.q[(b*tile16+m)*32:][:32]
			for j := range 16 {
				dst[j] = byte(int8(wb[2+j]&0xf) - 8)
				dst[j+16] = byte(int8(wb[2+j]>>4) - 8)
			}
		}
	}
}

// tile16Q40Func computes out[a*ostride+m] = dotQ4_0Q8_0Packed of weight
// row m of wt and activation row a of one packed group (q, xs), for the
// rows real activation rows, bit for bit.
type tile16Q40Func func(wt *tile16Q40Weights, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16KScratch)

// tile16Q40Go is the tile in Go: the reference the matrix-unit kernel is
// tested against, and how the MatMul driver is tested on CPUs without one.
func tile16Q40Go(wt *tile16Q40Weights, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16KScratch) {
	clear(s.acc[:])
	for b := range wt.nb {
		xq := q[b*tile16QuantsPerBlock:]
		for m := range tile16 {
			wq := wt.q[(b*tile16+m)*32:][:32]
			for a := range tile16 {
				var sum int32
				for l := range 32 {
					sum += int32(int8(wq[l])) * int32(int8(xq[(l/4)*64+a*4+l%4]))
				}
				i := m*tile16 + a
				s.acc[i] = fmaf(float32(sum), wt.d[b*tile16+m]*xs[b*tile16+a], s.acc[i])
			}
		}
	}
	tile16KReduce(s, false, rows, out, ostride)
}

// tile16Q40For returns the tile kernel for w when its batch's activations
// are packed for the 16×16 tile (xt not nil): repacked Q4_0 matrices.
func tile16Q40For(w Matrix, xt *tile16Acts) tile16Q40Func {
	if xt == nil || active.tile16Q40 == nil || w.Type != tensor.Q4_0 || packedDot(w.Type, w.Rows) == nil {
		return nil
	}
	return active.tile16Q40
}

// matmulTile16Q40 is matmulCols4 for the repacked Q4_0 batches the tile
// takes (see matmulUnpackedTiles).
func matmulTile16Q40(w Matrix, a batchActs, n int, out []float32, lo, hi int, t16 tile16Q40Func, c4 cols4Func) {
	var wt tile16Q40Weights
	var s tile16KScratch
	matmulUnpackedTiles(w, a, n, out, lo, hi, c4, func(data []byte, r int) {
		packTile16Q40Weights(&wt, data, w.RowBytes(), w.Cols/32)
		for g := range a.xt.groups() {
			q, xs, rows := a.xt.group(g)
			t16(&wt, q, xs, rows, out[g*tile16*w.Rows+r:], w.Rows, &s)
		}
	})
}
