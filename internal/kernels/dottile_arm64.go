//go:build !purego

package kernels

// dotQ8_0Tile42SDOT sets out[i*ostride+r] = dotQ8_0Q8_0(32*nb,
// w[r*rowBytes:], x[i*xBytes:]) for the four weight rows r < 4 and the
// 2*pairs activation rows i, each with dotQ8_0SDOT's arithmetic: per block
// acc[k] = fma(float32(Σ_{j=4k}^{4k+3} w.qs[j]*x.qs[j]), ws[4b+r]*xs[i*nb+b],
// acc[k]), then reduce8(acc); ws and xs hold the rows' fp16 block scales
// as float32 (q8_0Scales4Go, tileActScales). len(w) >= 3*rowBytes + 34*nb,
// len(ws) >= 4*nb, len(x) >= (2*pairs-1)*xBytes + 34*nb, len(xs) >=
// 2*pairs*nb, len(out) >= (2*pairs-1)*ostride + 4; rowBytes, xBytes >=
// 34*nb, ostride >= 4. Needs dotprod.
//
//go:noescape
func dotQ8_0Tile42SDOT(w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, nb, pairs int, out []float32, ostride int)

// dotQ8_0Tile42NEON is dotQ8_0Tile42SDOT without dotprod.
//
//go:noescape
func dotQ8_0Tile42NEON(w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, nb, pairs int, out []float32, ostride int)

// The bounds-checked entries of the 4×2 tiles (tile42Entry).
var (
	dotQ8_0Tile42SDOTAsm = tile42Entry(dotQ8_0Tile42SDOT)
	dotQ8_0Tile42NEONAsm = tile42Entry(dotQ8_0Tile42NEON)
)

// q8_0Scales4Go is the scales4 kernel of Q8_0 (scales4Func): out[4*b+r] is
// the fp16 scale of block b of weight row r (rows rowBytes apart) as
// float32, for the 4×2 tile.
func q8_0Scales4Go(n int, w []byte, rowBytes int, out []float32) {
	nb := n / 32
	out = out[:4*nb]
	for r := range 4 {
		row := w[r*rowBytes : r*rowBytes+nb*q8_0Bytes]
		for b := range nb {
			out[4*b+r] = half(row[b*q8_0Bytes:])
		}
	}
}
