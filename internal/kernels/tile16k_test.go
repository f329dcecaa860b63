package kernels

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// randQ4KTile returns rows random Q4_K rows of nb super-blocks whose
// quants cover every nibble and whose scales and mins cover 0..63.
func randQ4KTile(t testing.TB, r *rand.Rand, rows, nb int) []byte {
	t.Helper()
	w := make([]byte, 0, rows*nb*q4KBytes)
	for range rows {
		row := quantRow(t, tensor.Q4_K, randVec(r, nb*tensor.QK_K))
		for b := range nb {
			blk := row[b*q4KBytes:]
			for i := 4; i < q4KBytes; i++ { // scales, mins and quants: any bytes
				blk[i] = byte(r.IntN(256))
			}
		}
		w = append(w, row...)
	}
	return w
}

// tile16KCase packs a 16-row Q4_K tile and n Q8_K activation rows.
func tile16KCase(t *testing.T, r *rand.Rand, nb, n int) (w []byte, xq []byte, xrow int, wt *tile16KWeights, xk *tile16KActs) {
	w = randQ4KTile(t, r, tile16, nb)
	cols := nb * tensor.QK_K
	xrow = nb * q8KBytes
	for range n {
		xq = append(xq, actRow(t, tensor.Q4_K, randVec(r, cols))...)
	}
	wt, xk = &tile16KWeights{}, &tile16KActs{}
	packTile16KWeights(wt, w, nb*q4KBytes, nb)
	packTile16K(xk, xq, xrow, n, nb)
	return w, xq, xrow, wt, xk
}

// The Go tile and the packings give dotQ4KQ8KPacked bit for bit: 1 to 3
// super-blocks, whole and partial groups of activation rows, any scale,
// min and nibble; rows past the real ones are left alone.
func TestTile16KGoMatchesDot(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, c := range []struct{ nb, n int }{{1, 16}, {2, 5}, {3, 33}} {
		w, xq, xrow, wt, xk := tile16KCase(t, r, c.nb, c.n)
		cols := c.nb * tensor.QK_K
		var s tile16KScratch
		for g := range xk.groups() {
			q, d, bs, rows := xk.group(g)
			out := make([]float32, tile16*tile16)
			for i := range out {
				out[i] = -7 // guard
			}
			tile16KGo(wt, q, d, bs, rows, out, tile16, &s)
			for a := range tile16 {
				for m := range tile16 {
					got := out[a*tile16+m]
					if a >= rows {
						if got != -7 {
							t.Fatalf("%+v group %d: row %d past the real ones written", c, g, a)
						}
						continue
					}
					i := g*tile16 + a
					want := dotQ4KQ8KPacked(cols, w[m*c.nb*q4KBytes:(m+1)*c.nb*q4KBytes], xq[i*xrow:(i+1)*xrow])
					if math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%+v weight row %d, activation %d: %.9g, want %.9g", c, m, i, got, want)
					}
				}
			}
		}
	}
}

// MatMul through the repacked Q4_K tile (the Go one, in a copy of the
// active set) gives the set's own results bit for bit: whole tiles and a
// remainder, 8 to 70 activation rows, 1 and 2 threads, a single matrix,
// MatMulMulti with a Q6_K matrix beside it (whose activations the tile's
// packing shares) and an interleaved matrix; and the tile is used.
func TestMatMulTile16K(t *testing.T) {
	base := active
	withTile := *base
	var calls atomic.Int64 // the pool's threads call the tile concurrently
	withTile.tile16K = func(wt *tile16KWeights, q []byte, d []float32, bs []int32, rows int, out []float32, ostride int, s *tile16KScratch) {
		calls.Add(1)
		tile16KGo(wt, q, d, bs, rows, out, ostride, s)
	}
	withTile.name = base.name + "+tile16kgo"
	t.Cleanup(func() { active = base })
	r := rand.New(rand.NewPCG(43, 44))
	pools := []*Pool{nil, NewPool(2)}
	t.Cleanup(func() { pools[1].Close() })
	for _, c := range []struct{ rows, cols, n int }{{16, 256, 8}, {40, 512, 20}, {64, 256, 70}} {
		m := Matrix{Type: tensor.Q4_K, Rows: c.rows, Cols: c.cols, Data: randQ4KTile(t, r, c.rows, c.cols/tensor.QK_K)}
		q6 := randMatrix(t, r, tensor.Q6_K, 12, c.cols)
		im := interleave(cloneMatrix(m))
		x := randVec(r, c.n*c.cols)
		for _, p := range pools {
			want := make([]float32, c.n*c.rows)
			want6 := make([]float32, c.n*12)
			active = base
			if err := MatMul(p, m, x, c.n, want); err != nil {
				t.Fatal(err)
			}
			if err := MatMul(p, q6, x, c.n, want6); err != nil {
				t.Fatal(err)
			}
			active = &withTile
			before := calls.Load()
			got := make([]float32, c.n*c.rows)
			if err := MatMul(p, m, x, c.n, got); err != nil {
				t.Fatal(err)
			}
			got6, gotI := make([]float32, c.n*12), make([]float32, c.n*c.rows)
			if err := MatMulMulti(p, []Matrix{q6, im}, x, c.n, [][]float32{got6, gotI}); err != nil {
				t.Fatal(err)
			}
			active = base
			if calls.Load() == before {
				t.Fatalf("%+v threads=%v: the tile was not used", c, p != nil)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(gotI[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%+v threads=%v: output %d = %.9g (interleaved, after Q6_K: %.9g), want %.9g", c, p != nil, i, got[i], gotI[i], want[i])
				}
			}
			for i := range want6 {
				if math.Float32bits(got6[i]) != math.Float32bits(want6[i]) {
					t.Fatalf("%+v threads=%v: Q6_K output %d = %.9g, want %.9g", c, p != nil, i, got6[i], want6[i])
				}
			}
		}
	}
}
