package kernels

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// cloneMatrix returns m with its own copy of Data.
func cloneMatrix(m Matrix) Matrix {
	m.Data = bytes.Clone(m.Data)
	return m
}

// Interleaving moves every block and loses none: RowData gives back each
// row, and the group layout is the documented one.
func TestInterleaveRowData(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q4_0, tensor.Q4_K, tensor.Q6_K} {
		for _, c := range []struct{ rows, cols int }{{4, 256}, {8, 512}, {44, 768}, {8, 608}} {
			if c.cols%typ.BlockSize() != 0 {
				continue // 608: a short last run of Q8_0 (19 blocks)
			}
			w := randMatrix(t, r, typ, c.rows, c.cols)
			iw := interleave(cloneMatrix(w))
			if iw.Layout != Interleaved4 || iw.Check() != nil {
				t.Fatalf("%s %dx%d: layout %d, check %v", typ, c.rows, c.cols, iw.Layout, iw.Check())
			}
			wrow, bb := w.RowBytes(), w.blockBytes()
			buf := make([]byte, wrow)
			for row := range c.rows {
				if got := iw.RowData(row, buf); !bytes.Equal(got, w.Row(row)) {
					t.Fatalf("%s %dx%d: row %d differs after interleaving", typ, c.rows, c.cols, row)
				}
				g, j := row-row%4, row%4
				for b := 0; b*bb < wrow; b++ {
					nh, h, r := documentedAt(typ, b, j, wrow/bb)
					blk := w.Row(row)[b*bb : (b+1)*bb]
					h, r = g*wrow+h, g*wrow+r
					if !bytes.Equal(iw.Data[h:h+nh], blk[:nh]) || !bytes.Equal(iw.Data[r:r+bb-nh], blk[nh:]) {
						t.Fatalf("%s: block %d of row %d not at bytes %d and %d", typ, b, row, h, r)
					}
				}
			}
			if got := w.RowData(1, nil); !bytes.Equal(got, w.Row(1)) {
				t.Fatal("RowData of a row-major matrix is not its row")
			}
		}
	}
}

// documentedAt is where Interleaved4 puts block b of row j (0..3) in its
// group of rows nb blocks long, as its doc comment says: the first nh
// bytes at head, the others at rest. Q8_0 groups are in runs of eight
// blocks (the last one shorter), a run of k blocks its 4k scales then its
// 4k quant blocks, both block by block and row by row; a Q4_K
// super-block of the four rows is their 16-byte heads (d, dmin, scales),
// row by row, then their 128 bytes of quants; the other formats' blocks
// are whole, block by block.
func documentedAt(typ tensor.Type, b, j, nb int) (nh, head, rest int) {
	switch typ {
	case tensor.Q8_0:
	case tensor.Q4_K:
		return 16, 4*144*b + 16*j, 4*144*b + 64 + 128*j
	default:
		bb := typ.TypeSize()
		return 0, (4*b + j) * bb, (4*b + j) * bb
	}
	r0 := b / 8 * 8
	k, i := min(8, nb-r0), b-r0
	base := 4 * r0 * 34
	return 2, base + 2*(4*i+j), base + 2*4*k + 32*(4*i+j)
}

// Matrices that cannot be interleaved are returned as they are, and Check
// rejects layouts that do not fit the shape.
func TestInterleaveRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	odd := randMatrix(t, r, tensor.Q8_0, 6, 64)
	if got := interleave(cloneMatrix(odd)); got.Layout != RowMajor || !bytes.Equal(got.Data, odd.Data) {
		t.Fatal("6 rows were interleaved")
	}
	f := randMatrix(t, r, tensor.F32, 4, 64)
	if got := interleave(cloneMatrix(f)); got.Layout != RowMajor {
		t.Fatal("an F32 matrix was interleaved")
	}
	w := randMatrix(t, r, tensor.Q8_0, 8, 64)
	iw := interleave(cloneMatrix(w))
	if again := interleave(iw); !bytes.Equal(again.Data, iw.Data) {
		t.Fatal("an interleaved matrix was interleaved twice")
	}
	for _, bad := range []Matrix{
		{Type: tensor.Q8_0, Rows: 6, Cols: 64, Data: odd.Data, Layout: Interleaved4},
		{Type: tensor.F32, Rows: 4, Cols: 64, Data: f.Data, Layout: 7},
	} {
		if err := bad.Check(); !errors.Is(err, ErrShape) {
			t.Errorf("layout %d, %d rows: Check = %v, want ErrShape", bad.Layout, bad.Rows, err)
		}
	}
	if Interleaves(tensor.Q5_0) || Interleaves(tensor.F32) {
		t.Error("Interleaves reports a format with an expander or without blocks")
	}
}

// quadKernel is a group kernel with the generic dot it must equal.
type quadKernel struct {
	name string
	typ  tensor.Type
	quad quadFunc
	ref  dotFunc
}

// Every group kernel of the active set, and the portable one, gives each
// row's dot product (the generic kernel's, plain or packed as the table
// says) bit for bit, over every byte value, odd block counts and group
// counts that do and do not divide into streams.
func TestQuadMatchesDot(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	ks := []quadKernel{{"portable", tensor.Q8_0, quadFromDot(dotQ8_0Q8_0, q8_0Form), dotQ8_0Q8_0}}
	for typ := range tensor.Type(maxType) {
		if q := active.quad[typ]; q != nil {
			ks = append(ks, quadKernel{active.name, typ, q, genericKernels.dot[typ]})
		}
		if q := active.packedQuad[typ]; q != nil {
			ks = append(ks, quadKernel{active.name + " packed", typ, q, genericKernels.packed[typ]})
		}
	}
	if len(ks) == 1 {
		t.Logf("%s has no group kernel: the portable one only", active.name)
	}
	ks = append(ks, otherQuads()...)
	for _, k := range ks {
		block := k.typ.BlockSize()
		// one to three groups in one call, and the streams of the stream
		// kernels: whole (4, 8 groups) or with groups left over (5, 11)
		for _, c := range []struct{ blocks, groups int }{{1, 1}, {3, 2}, {8, 3}, {17, 4}, {9, 5}, {2, 8}, {5, 11}} {
			cols := c.blocks * block
			rows := interleaveRows * c.groups
			w := randMatrix(t, r, k.typ, rows, cols)
			if k.typ == tensor.Q8_0 {
				for i := range w.Data { // every int8 value, scales kept
					if i%q8_0Bytes >= 2 {
						w.Data[i] = byte(r.IntN(256))
					}
				}
			}
			x := actRow(t, k.typ, randVec(r, cols))
			iw := interleave(cloneMatrix(w))
			out := make([]float32, rows+1)
			out[rows] = -9.5 // a guard
			k.quad(cols, iw.Data, x, out[:rows])
			for j := range rows {
				want := k.ref(cols, w.Row(j), x)
				if math.Float32bits(out[j]) != math.Float32bits(want) {
					t.Fatalf("%s %s cols=%d row %d of %d: %g, dot %g", k.name, k.typ, cols, j, rows, out[j], want)
				}
			}
			if out[rows] != -9.5 {
				t.Fatalf("%s %s: wrote past its %d outputs", k.name, k.typ, rows)
			}
		}
		t.Logf("%s %s: bit-identical", k.name, k.typ)
	}
}

// MatMul gives the same bits on an interleaved matrix as on the row-major
// one: decoding (the group kernels, or the portable one) and batches
// (de-interleaved row tiles through every batch kernel: the 4×2 tile, the
// four-row, four- and eight-activation kernels, expansion to Q8_0 and,
// where there is one, the AMX tile), for every block format, repacked
// (Q4_0, Q4_K with a multiple of 8 rows) or not, on 1 and 2 threads,
// single matrices and MatMulMulti, also after a matrix of 6 rows (chunk
// bounds inside a group).
func TestMatMulInterleaved(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	shapes := []struct{ rows, cols, n int }{
		{4, 256, 1}, {16, 256, 1}, {132, 512, 1}, {40, 256, 2}, {36, 256, 3},
		{64, 256, 8}, {68, 512, 17}, {48, 256, 70},
	}
	for _, threads := range []int{1, 2} {
		p := NewPool(threads)
		for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q4_K, tensor.Q6_K, tensor.Q4_0, tensor.Q5_0, tensor.Q5_K} {
			for _, c := range shapes {
				w := randMatrix(t, r, typ, c.rows, c.cols)
				iw := interleave(cloneMatrix(w))
				odd := randMatrix(t, r, typ, 6, c.cols)
				x := randVec(r, c.n*c.cols)
				want := make([]float32, c.n*c.rows)
				if err := MatMul(p, w, x, c.n, want); err != nil {
					t.Fatal(err)
				}
				got := make([]float32, c.n*c.rows)
				if err := MatMul(p, iw, x, c.n, got); err != nil {
					t.Fatal(err)
				}
				multi := make([]float32, c.n*c.rows)
				if err := MatMulMulti(p, []Matrix{odd, iw}, x, c.n, [][]float32{make([]float32, c.n*6), multi}); err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(multi[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s %d threads %dx%d n=%d: out[%d] = %g (MatMulMulti %g), row-major %g",
							typ, threads, c.rows, c.cols, c.n, i, got[i], multi[i], want[i])
					}
				}
			}
		}
		p.Close()
	}
}

// The assembly gather and scatter of the Q8_0 and Q4_K forms agree with
// their Go moves, both ways, for whole groups, rows moved a few at a time
// and a short last run.
func TestGroupFormMoves(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	for _, f := range []groupForm{q8_0Form, q4KForm} {
		for _, nb := range []int{1, 7, 8, 19, 64} {
			testGroupFormMoves(t, r, f, nb)
		}
	}
}

func testGroupFormMoves(t *testing.T, r *rand.Rand, f groupForm, nb int) {
	wrow := nb * f.bb
	rows := make([]byte, interleaveRows*wrow)
	for i := range rows {
		rows[i] = byte(r.Uint32())
	}
	want := make([]byte, len(rows))
	f.move(want, rows, wrow, 0, interleaveRows, false)
	for name, scatter := range map[string]func(dst []byte){
		"interleave": func(dst []byte) { interleaveGroup(dst, rows, wrow, f) },
		"move (2 rows)": func(dst []byte) {
			f.move(dst, rows, wrow, 0, 2, false)
			f.move(dst, rows[2*wrow:], wrow, 2, 4, false)
		},
	} {
		got := make([]byte, len(rows))
		scatter(got)
		if !bytes.Equal(got, want) {
			t.Fatalf("%v nb=%d: %s laid the group out differently from move", f, nb, name)
		}
	}
	back := make([]byte, len(rows))
	f.move(want, back, wrow, 0, interleaveRows, true)
	if !bytes.Equal(back, rows) {
		t.Fatalf("%v nb=%d: move does not gather back what it laid out", f, nb)
	}
	for name, gather := range map[string]func(dst []byte){
		"deinterleave": func(dst []byte) { deinterleaveGroup(dst, want, wrow, f) },
		"row 3":        func(dst []byte) { copy(dst, rows[:3*wrow]); f.move(want, dst[3*wrow:], wrow, 3, 4, true) },
	} {
		got := make([]byte, len(rows))
		gather(got)
		if !bytes.Equal(got, rows) {
			t.Fatalf("%v nb=%d: %s did not give the rows back", f, nb, name)
		}
	}
}
