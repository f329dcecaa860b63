package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// rawQ8_0Rows returns rows Q8_0 rows of nb blocks, rowBytes apart, with
// random fp16 scales and quants over the whole int8 range (-128 included,
// which llama.cpp's quantizer never writes but a model file may hold).
func rawQ8_0Rows(r *rand.Rand, rows, nb, rowBytes int) []byte {
	b := make([]byte, rows*rowBytes)
	for i := range rows {
		for k := range nb {
			blk := b[i*rowBytes+k*q8_0Bytes:]
			binary.LittleEndian.PutUint16(blk, tensor.F32ToF16(float32(r.NormFloat64()*0.02)))
			for j := 2; j < q8_0Bytes; j++ {
				blk[j] = byte(r.IntN(256))
			}
		}
	}
	return b
}

// tile16Case runs one 16×16 tile kernel over every group of acts
// activation rows against dotQ8_0Q8_0, bit for bit; cells of out beyond
// the 16 rows keep their guard.
func tile16Case(t *testing.T, kernel tile16Func, r *rand.Rand, nb, acts int) {
	t.Helper()
	n := 32 * nb
	rb, xb := nb*q8_0Bytes+r.IntN(5), nb*q8_0Bytes+r.IntN(5)
	w := rawQ8_0Rows(r, tile16, nb, rb)
	x := rawQ8_0Rows(r, acts, nb, xb)
	var xt tile16Acts
	packTile16(&xt, x, xb, acts, nb)
	s := &tile16Scratch{ws: make([]float32, tile16*nb)}
	tile16Scales(w, rb, nb, s.ws)
	const guard = -7.25
	ostride := tile16 + 1 + r.IntN(3)
	out := make([]float32, acts*ostride)
	for i := range out {
		out[i] = guard
	}
	for g := range xt.groups() {
		q, xs, rows := xt.group(g)
		kernel(n, w, rb, s.ws, q, xs, rows, out[g*tile16*ostride:], ostride, s)
	}
	for a := range acts {
		for m := range ostride {
			got := out[a*ostride+m]
			if m >= tile16 {
				if got != guard {
					t.Fatalf("nb=%d acts=%d: cell %d of activation %d overwritten", nb, acts, m, a)
				}
				continue
			}
			want := dotQ8_0Q8_0(n, w[m*rb:], x[a*xb:])
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("nb=%d acts=%d: row %d activation %d = %.9g, want %.9g", nb, acts, m, a, got, want)
			}
		}
	}
}

// TestTile16GoMatchesDot checks the Go tile (the reference of the AMX
// kernel) with the activation packing against the generic dot, bit for
// bit, over partial and whole groups and odd and even block counts.
func TestTile16GoMatchesDot(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	for _, nb := range []int{1, 2, 3, 7, 64} {
		for _, acts := range []int{1, 5, 16, 17, 40} {
			tile16Case(t, tile16Go, r, nb, acts)
		}
	}
}

// TestMatMulTile16 runs MatMul through the 16×16 tile (the Go one, so on
// every CPU) and checks it against the active set without it, bit for bit:
// Q8_0, and Q5_0 expanded to Q8_0; row counts that leave a partial tile,
// batches that leave a partial group, one thread and two. It fails if the
// tile is never called.
func TestMatMulTile16(t *testing.T) {
	base := active
	withTile := *base
	var calls atomic.Int64 // the pool's threads call the tile concurrently
	withTile.tile16 = func(n int, w []byte, rowBytes int, ws []float32, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16Scratch) {
		calls.Add(1)
		tile16Go(n, w, rowBytes, ws, q, xs, rows, out, ostride, s)
	}
	withTile.name = base.name + "+tile16go"
	t.Cleanup(func() { active = base })
	r := rand.New(rand.NewPCG(3, 16))
	pools := []*Pool{nil, NewPool(2)}
	t.Cleanup(func() { pools[1].Close() })
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q5_0} {
		if typ != tensor.Q8_0 && (base.expand[typ] == nil || base.rows4[tensor.Q8_0] == nil) {
			t.Logf("%v: the %s set does not expand it to Q8_0: its batches never take the tile", typ, base.name)
			continue
		}
		for _, c := range []struct{ rows, cols, n int }{{16, 64, 8}, {40, 96, 20}, {64, 256, 70}, {33, 32, 16}} {
			w := make([]byte, 0)
			for range c.rows {
				w = append(w, quantRow(t, typ, randVec(r, c.cols))...)
			}
			m := Matrix{Type: typ, Rows: c.rows, Cols: c.cols, Data: w}
			x := randVec(r, c.n*c.cols)
			for _, p := range pools {
				want := make([]float32, c.n*c.rows)
				active = base
				if err := MatMul(p, m, x, c.n, want); err != nil {
					t.Fatal(err)
				}
				got := make([]float32, c.n*c.rows)
				active = &withTile
				before := calls.Load()
				if err := MatMul(p, m, x, c.n, got); err != nil {
					t.Fatal(err)
				}
				active = base
				if calls.Load() == before {
					t.Fatalf("%v %+v threads=%v: the tile was not used", typ, c, p != nil)
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v %+v threads=%v: output %d = %.9g, want %.9g", typ, c, p != nil, i, got[i], want[i])
					}
				}
			}
		}
	}
}
