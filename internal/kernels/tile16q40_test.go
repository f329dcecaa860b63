package kernels

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// tile16Q40Case packs a 16-row Q4_0 tile with every nibble and n Q8_0
// activation rows with every int8 value.
func tile16Q40Case(t *testing.T, r *rand.Rand, nb, n int) (w, xq []byte, xrow int, wt *tile16Q40Weights, xt *tile16Acts) {
	cols := nb * 32
	for range tile16 {
		row := quantRow(t, tensor.Q4_0, randVec(r, cols))
		for b := range nb {
			for i := 2; i < q4_0Bytes; i++ {
				row[b*q4_0Bytes+i] = byte(r.IntN(256))
			}
		}
		w = append(w, row...)
	}
	xrow = nb * q8_0Bytes
	for range n {
		x := actRow(t, tensor.Q4_0, randVec(r, cols))
		for b := range nb {
			for i := 2; i < q8_0Bytes; i++ {
				x[b*q8_0Bytes+i] = byte(r.IntN(256))
			}
		}
		xq = append(xq, x...)
	}
	wt, xt = &tile16Q40Weights{}, &tile16Acts{}
	packTile16Q40Weights(wt, w, nb*q4_0Bytes, nb)
	packTile16(xt, xq, xrow, n, nb)
	return w, xq, xrow, wt, xt
}

// The Go tile and the packings give dotQ4_0Q8_0Packed bit for bit.
func TestTile16Q40GoMatchesDot(t *testing.T) {
	r := rand.New(rand.NewPCG(47, 48))
	for _, c := range []struct{ nb, n int }{{1, 16}, {3, 7}, {8, 33}} {
		w, xq, xrow, wt, xt := tile16Q40Case(t, r, c.nb, c.n)
		var s tile16KScratch
		for g := range xt.groups() {
			q, xs, rows := xt.group(g)
			out := make([]float32, tile16*tile16)
			tile16Q40Go(wt, q, xs, rows, out, tile16, &s)
			for a := range rows {
				for m := range tile16 {
					i := g*tile16 + a
					want := dotQ4_0Q8_0Packed(c.nb*32, w[m*c.nb*q4_0Bytes:(m+1)*c.nb*q4_0Bytes], xq[i*xrow:(i+1)*xrow])
					if got := out[a*tile16+m]; math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%+v weight row %d, activation %d: %.9g, want %.9g", c, m, i, got, want)
					}
				}
			}
		}
	}
}

// MatMul through the repacked Q4_0 tile (the Go one, in a copy of the
// active set) gives the set's own results bit for bit, and the tile is
// used: whole tiles and a remainder, 1 and 2 threads, row-major and
// interleaved weights.
func TestMatMulTile16Q40(t *testing.T) {
	base := active
	withTile := *base
	var calls atomic.Int64
	withTile.tile16Q40 = func(wt *tile16Q40Weights, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16KScratch) {
		calls.Add(1)
		tile16Q40Go(wt, q, xs, rows, out, ostride, s)
	}
	t.Cleanup(func() { active = base })
	r := rand.New(rand.NewPCG(49, 50))
	pools := []*Pool{nil, NewPool(2)}
	t.Cleanup(func() { pools[1].Close() })
	for _, c := range []struct{ rows, cols, n int }{{16, 64, 8}, {40, 256, 21}, {64, 128, 70}} {
		m := randMatrix(t, r, tensor.Q4_0, c.rows, c.cols)
		im := interleave(cloneMatrix(m))
		x := randVec(r, c.n*c.cols)
		for _, p := range pools {
			want := make([]float32, c.n*c.rows)
			active = base
			if err := MatMul(p, m, x, c.n, want); err != nil {
				t.Fatal(err)
			}
			active = &withTile
			before := calls.Load()
			got, gotI := make([]float32, c.n*c.rows), make([]float32, c.n*c.rows)
			if err := MatMul(p, m, x, c.n, got); err != nil {
				t.Fatal(err)
			}
			if err := MatMul(p, im, x, c.n, gotI); err != nil {
				t.Fatal(err)
			}
			active = base
			if calls.Load() == before {
				t.Fatalf("%+v threads=%v: the tile was not used", c, p != nil)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(gotI[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%+v threads=%v: output %d = %.9g (interleaved %.9g), want %.9g", c, p != nil, i, got[i], gotI[i], want[i])
				}
			}
		}
	}
}
