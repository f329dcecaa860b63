//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// requireI8MM skips where the CPU lacks SMMLA (and dotprod).
func requireI8MM(t testing.TB) bool {
	t.Helper()
	if !hasI8MM {
		t.Log("CPU lacks ASIMD i8mm: kernel not run here")
		return false
	}
	return true
}

// neonActRows returns four Q8 activation rows of n elements for weights of
// type typ, xBytes apart (a few guard bytes between them), placed at an odd
// offset.
func neonActRows(t *testing.T, r *rand.Rand, typ tensor.Type, n, rows int) (x []byte, xBytes int) {
	vt := VecDotType(typ)
	xr := rowSize(t, vt, n)
	xBytes = xr + r.IntN(5)
	buf := make([]byte, (rows-1)*xBytes+xr)
	for i := range buf {
		buf[i] = neonGuard
	}
	for a := range rows {
		copy(buf[a*xBytes:], actRow(t, typ, randVec(r, n)))
	}
	return neonPlaced(buf, 3), xBytes
}

// neonCols4Case is one cols4 kernel and the generic one-row kernel that
// each of its outputs must equal.
type neonCols4Case struct {
	name      string
	typ       tensor.Type
	dotprod   bool
	four      cols4Func
	one       dotFunc
	blockElem int
}

// neonCols4Cases are every arm64 cols4 kernel in both builds.
var neonCols4Cases = []neonCols4Case{
	{"Q6_K sdot", tensor.Q6_K, true, dotQ6KCols4SDOTAsm, dotQ6KQ8K, 256},
	{"Q6_K neon", tensor.Q6_K, false, dotQ6KCols4NEONAsm, dotQ6KQ8K, 256},
	{"Q4_K packed sdot", tensor.Q4_K, true, dotQ4KPackedCols4SDOTAsm, dotQ4KQ8KPacked, 256},
	{"Q4_K packed neon", tensor.Q4_K, false, dotQ4KPackedCols4NEONAsm, dotQ4KQ8KPacked, 256},
	{"Q4_0 packed sdot", tensor.Q4_0, true, dotQ4_0PackedCols4SDOTAsm, dotQ4_0Q8_0Packed, 32},
	{"Q4_0 packed neon", tensor.Q4_0, false, dotQ4_0PackedCols4NEONAsm, dotQ4_0Q8_0Packed, 32},
	{"Q4_K sdot", tensor.Q4_K, true, dotQ4KCols4SDOTAsm, dotQ4KQ8K, 256},
	{"Q4_K neon", tensor.Q4_K, false, dotQ4KCols4NEONAsm, dotQ4KQ8K, 256},
	{"Q5_K sdot", tensor.Q5_K, true, dotQ5KCols4SDOTAsm, dotQ5KQ8K, 256},
	{"Q5_K neon", tensor.Q5_K, false, dotQ5KCols4NEONAsm, dotQ5KQ8K, 256},
	{"Q4_0 sdot", tensor.Q4_0, true, dotQ4_0Cols4SDOTAsm, dotQ4_0Q8_0, 32},
	{"Q4_0 neon", tensor.Q4_0, false, dotQ4_0Cols4NEONAsm, dotQ4_0Q8_0, 32},
	{"Q4_1 sdot", tensor.Q4_1, true, dotQ4_1Cols4SDOTAsm, dotQ4_1Q8_1, 32},
	{"Q4_1 neon", tensor.Q4_1, false, dotQ4_1Cols4NEONAsm, dotQ4_1Q8_1, 32},
	{"Q5_1 sdot", tensor.Q5_1, true, dotQ5_1Cols4SDOTAsm, dotQ5_1Q8_1, 32},
	{"Q5_1 neon", tensor.Q5_1, false, dotQ5_1Cols4NEONAsm, dotQ5_1Q8_1, 32},
	// The float rows have no blocks: 37 elements a "block" gives lengths
	// with a head of whole 32-element chunks and a tail.
	{"F16 neon", tensor.F16, false, dotF16Cols4Asm, dotF16Row, 37},
	{"BF16 neon", tensor.BF16, false, dotBF16Cols4Asm, dotBF16Row, 37},
}

// TestNEONCols4MatchesOneRow checks the prompt-batch kernels (one weight row
// times four activation rows) against four calls of the generic one-row
// kernel, bit for bit, with odd offsets, guard bytes and the bounds checks.
func TestNEONCols4MatchesOneRow(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	for _, c := range neonCols4Cases {
		t.Run(c.name, func(t *testing.T) {
			if !requireNEON(t, c.dotprod) {
				return
			}
			for _, nb := range []int{0, 1, 2, 3, 5, 8} {
				n := c.blockElem * nb
				w := neonPlaced(quantRow(t, c.typ, randVec(r, n)), 1)
				x, xBytes := neonActRows(t, r, c.typ, n, 4)
				out := [4]float32{1, 2, 3, 4}
				c.four(n, w, x, xBytes, &out)
				xr := rowSize(t, VecDotType(c.typ), n)
				for a := range 4 {
					want := c.one(n, w, x[a*xBytes:a*xBytes+xr])
					if math.Float32bits(out[a]) != math.Float32bits(want) {
						t.Errorf("nb=%d activation %d: %.9g, want %.9g", nb, a, out[a], want)
					}
				}
			}
			n := 2 * c.blockElem
			wr, xr := rowSize(t, c.typ, n), rowSize(t, VecDotType(c.typ), n)
			for _, bad := range []struct {
				name string
				call func()
			}{
				{"short weights", func() { c.four(n, make([]byte, wr-1), make([]byte, 4*xr), xr, new([4]float32)) }},
				{"short activations", func() { c.four(n, make([]byte, wr), make([]byte, 4*xr-1), xr, new([4]float32)) }},
			} {
				func() {
					defer func() {
						if recover() == nil {
							t.Errorf("%s: no panic", bad.name)
						}
					}()
					bad.call()
				}()
			}
		})
	}
}

// TestI8MMCols8MatchesOneRow checks the SMMLA kernels of repacked Q4_0 and
// Q4_K (runs of weight rows times eight activations, odd row counts
// included) against the generic one-row kernel, bit for bit, that they
// write only their outputs, and their bounds checks.
func TestI8MMCols8MatchesOneRow(t *testing.T) {
	for _, c := range []struct {
		typ       tensor.Type
		blockElem int
		eight     cols8Func
		one       dotFunc
	}{
		{tensor.Q4_0, 32, dotQ4_0PackedCols8I8MMAsm, dotQ4_0Q8_0Packed},
		{tensor.Q4_K, 256, dotQ4KPackedCols8I8MMAsm, dotQ4KQ8KPacked},
	} {
		t.Run(c.typ.String(), func(t *testing.T) {
			if !requireI8MM(t) {
				return
			}
			r := rand.New(rand.NewPCG(3, 17))
			for _, nb := range []int{0, 1, 2, 7} {
				for _, rows := range []int{1, 2, 3, 8} {
					testI8MMCols8(t, r, c.typ, c.blockElem*nb, rows, c.eight, c.one)
				}
			}
			n := 2 * c.blockElem
			wr, xr := rowSize(t, c.typ, n), rowSize(t, VecDotType(c.typ), n)
			defer func() {
				if recover() == nil {
					t.Error("short activations: no panic")
				}
			}()
			c.eight(n, make([]byte, 2*wr), 2, make([]byte, 8*xr-1), xr, make([]float32, 16), 2, nil)
		})
	}
}

// testI8MMCols8 runs one cols8 kernel over rows weight rows of n elements
// and eight activations, with guard values around its outputs.
func testI8MMCols8(t *testing.T, r *rand.Rand, typ tensor.Type, n, rows int, eight cols8Func, one dotFunc) {
	t.Helper()
	wr := rowSize(t, typ, n)
	wbuf := make([]byte, 0, rows*wr)
	for range rows {
		wbuf = append(wbuf, quantRow(t, typ, randVec(r, n))...)
	}
	w := neonPlaced(wbuf, 5)
	x, xBytes := neonActRows(t, r, typ, n, 8)
	ostride := rows + 3
	out := make([]float32, 8*ostride)
	for i := range out {
		out[i] = -7
	}
	eight(n, w, rows, x, xBytes, out, ostride, nil)
	xr := rowSize(t, VecDotType(typ), n)
	for a := range 8 {
		for row := range ostride {
			got := out[a*ostride+row]
			if row >= rows {
				if got != -7 {
					t.Errorf("n=%d rows=%d: wrote out[%d] past the rows", n, rows, a*ostride+row)
				}
				continue
			}
			want := one(n, w[row*wr:(row+1)*wr], x[a*xBytes:a*xBytes+xr])
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("n=%d rows=%d: row %d activation %d: %.9g, want %.9g", n, rows, row, a, got, want)
			}
		}
	}
}

// TestArmMatMulBatches runs MatMul on prompt-sized batches through the
// active set (every kernel shape: rows4, the 4×2 tile, cols4, packed cols4
// and cols8, Q5_0 expansion) and checks each output against the generic one-row
// kernel, bit for bit. scripts/arm64/run.sh runs it under every
// PLUME_KERNELS level.
func TestArmMatMulBatches(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 34))
	const cols = 512
	p := NewPool(2)
	defer p.Close()
	for _, c := range []struct {
		typ  tensor.Type
		rows int
	}{
		{tensor.Q8_0, 42}, {tensor.Q5_0, 42}, {tensor.Q4_0, 40}, {tensor.Q4_0, 42},
		{tensor.Q4_K, 40}, {tensor.Q4_K, 42}, {tensor.Q6_K, 42},
		{tensor.Q5_K, 42}, {tensor.Q4_1, 42}, {tensor.Q5_1, 42},
		{tensor.F16, 42}, {tensor.BF16, 42},
	} {
		ref := genericKernels.dot[c.typ]
		if c.rows%repackRows == 0 && genericKernels.packed[c.typ] != nil {
			ref = genericKernels.packed[c.typ]
		}
		w := randMatrix(t, r, c.typ, c.rows, cols)
		for _, n := range []int{3, 4, 7, 8, 13, 19} {
			x := randVec(r, n*cols)
			out := make([]float32, n*c.rows)
			if err := MatMul(p, w, x, n, out); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				xq := actRow(t, c.typ, x[i*cols:(i+1)*cols])
				for row := range c.rows {
					want := ref(cols, w.Row(row), xq)
					if got := out[i*c.rows+row]; math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%s rows=%d n=%d (%s): out[%d,%d] = %.9g, want %.9g", c.typ, c.rows, n, Path(), i, row, got, want)
					}
				}
			}
		}
	}
}

// TestNEONTile42MatchesOneRow checks the 4×2 tile over several pairs of
// activation rows, fed with the scales of q8_0Scales4Go and tileActScales,
// against the generic one-row kernel bit for bit; output cells between the
// rows' four keep their guard value, and q8_0Scales4Go writes only its
// output.
func TestNEONTile42MatchesOneRow(t *testing.T) {
	const guard = -7.25
	fill := func(s []float32) []float32 {
		for i := range s {
			s[i] = guard
		}
		return s
	}
	for _, k := range []struct {
		name    string
		dotprod bool
		tile    tile42Func
	}{{"sdot", true, dotQ8_0Tile42SDOTAsm}, {"neon", false, dotQ8_0Tile42NEONAsm}} {
		t.Run(k.name, func(t *testing.T) {
			if !requireNEON(t, k.dotprod) {
				return
			}
			r := rand.New(rand.NewPCG(5, 9))
			for _, c := range []struct{ nb, pairs int }{{0, 1}, {1, 1}, {2, 3}, {5, 1}, {18, 4}, {3, 7}} {
				nb, pairs := c.nb, c.pairs
				n, acts := 32*nb, 2*pairs
				rb, xb := nb*q8_0Bytes+r.IntN(3), nb*q8_0Bytes+r.IntN(3)
				w, x := make([]byte, 4*rb), make([]byte, acts*xb)
				for i := range 4 {
					copy(w[i*rb:], quantRow(t, tensor.Q8_0, randVec(r, n)))
				}
				for i := range acts {
					copy(x[i*xb:], actRow(t, tensor.Q8_0, randVec(r, n)))
				}
				w, x = neonPlaced(w, 1), neonPlaced(x, 2)
				ws := fill(make([]float32, 4*nb+3))
				q8_0Scales4Go(n, w, rb, ws)
				for _, v := range ws[4*nb:] {
					if v != guard {
						t.Fatalf("nb=%d: q8_0Scales4Go wrote past its output", nb)
					}
				}
				xs := tileActScales(nil, tensor.Q8_0, x, xb, acts, n)
				ostride := 4 + r.IntN(3)
				out := fill(make([]float32, acts*ostride+2))
				k.tile(n, w, rb, ws[:4*nb], x, xb, xs, pairs, out, ostride)
				for i := range acts {
					for row := range ostride {
						got := out[i*ostride+row]
						if row >= 4 {
							if got != guard {
								t.Errorf("nb=%d pairs=%d: cell %d of act %d overwritten", nb, pairs, row, i)
							}
							continue
						}
						want := dotQ8_0Q8_0(n, w[row*rb:], x[i*xb:])
						if math.Float32bits(got) != math.Float32bits(want) {
							t.Errorf("nb=%d pairs=%d row %d act %d: %.9g, want %.9g", nb, pairs, row, i, got, want)
						}
					}
				}
				if out[len(out)-1] != guard || out[len(out)-2] != guard {
					t.Errorf("nb=%d pairs=%d: wrote past the last row", nb, pairs)
				}
			}
		})
	}
}
