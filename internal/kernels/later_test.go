package kernels

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/tensor"
)

// A matrix from Later reads its own bytes until a replacement is
// published, then the replacement's (interleaved elsewhere in memory):
// MatMul, MatMulMulti and RowData give the same bits throughout, copies of
// the matrix see the replacement too, a batch waits for a copy under way
// (which it asks to give way) where one row does not, and a second or
// misshapen replacement is refused.
func TestLater(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	const rows, cols, n = 16, 256, 3
	w := randMatrix(t, r, tensor.Q8_0, rows, cols)
	x := make([]float32, n*cols)
	for i := range x {
		x[i] = r.Float32()*2 - 1
	}
	product := func(m Matrix) []float32 {
		out := make([]float32, n*rows)
		if err := MatMul(nil, m, x, n, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := product(w)
	lw, rep := w.Later()
	held := lw // a copy taken before the publication, as a model's weights hold one
	same := func(stage string) {
		t.Helper()
		if got := product(held); !slices.EqualFunc(got, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Fatalf("%s: MatMul differs", stage)
		}
		outs := [][]float32{make([]float32, n*rows), make([]float32, n*rows)}
		if err := MatMulMulti(nil, []Matrix{held, w}, x, n, outs); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(outs[0], outs[1]) || !slices.Equal(outs[0], want) {
			t.Fatalf("%s: MatMulMulti differs", stage)
		}
		buf := make([]byte, w.RowBytes())
		for row := range rows {
			if !bytes.Equal(held.RowData(row, buf), w.Row(row)) {
				t.Fatalf("%s: RowData of row %d differs", stage, row)
			}
		}
	}
	same("before")
	if cur := held.Current(); !sameBytes(cur.Data, w.Data) {
		t.Fatal("Current before a publication is not the matrix itself")
	}
	if err := rep.Publish(randMatrix(t, r, tensor.Q8_0, rows-4, cols)); err == nil {
		t.Fatal("a replacement of another shape was published")
	}
	if err := rep.Begin(); err != nil {
		t.Fatal(err)
	}
	// A decoded token's product and a row read the matrix meanwhile; a
	// batch's asks the copy to give way and waits.
	if !bytes.Equal(held.RowData(3, nil), w.Row(3)) || !sameBytes(held.Current().Data, w.Data) {
		t.Fatal("a read during the copy is not the matrix's")
	}
	one := make([]float32, rows)
	if err := MatMul(nil, held, x[:cols], 1, one); err != nil || !slices.Equal(one, want[:rows]) {
		t.Fatalf("a product of one row during the copy: %v", err)
	}
	read := make(chan Matrix)
	go func() { read <- held.current(true) }()
	select {
	case <-read:
		t.Fatal("a batch's product went on while a copy was under way")
	case <-time.After(20 * time.Millisecond):
	}
	if !rep.Yielded() {
		t.Fatal("the batch did not ask the copy to give way")
	}
	c := interleave(cloneMatrix(w))
	if err := rep.Publish(c); err != nil {
		t.Fatal(err)
	}
	if cur := <-read; cur.Layout != Interleaved4 || !sameBytes(cur.Data, c.Data) {
		t.Fatalf("Current after the publication: layout %d, the replacement's bytes %v", cur.Layout, sameBytes(cur.Data, c.Data))
	}
	same("after")
	if err := rep.Publish(c); !errors.Is(err, ErrReplaced) {
		t.Fatalf("a second replacement: %v", err)
	}
	if w.Current().Layout != RowMajor {
		t.Fatal("the matrix Later was called on changed")
	}
}

// A product of a batch asks a copy under way to give way, waits until it
// has, then reads the original; a new copy can begin after.
func TestLaterYield(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	const rows, cols, n = 8, 64, 2
	w := randMatrix(t, r, tensor.Q8_0, rows, cols)
	x := make([]float32, n*cols)
	for i := range x {
		x[i] = r.Float32()
	}
	want := make([]float32, n*rows)
	if err := MatMul(nil, w, x, n, want); err != nil {
		t.Fatal(err)
	}
	lw, rep := w.Later()
	if err := rep.Begin(); err != nil {
		t.Fatal(err)
	}
	got, errc := make([]float32, n*rows), make(chan error)
	go func() { errc <- MatMul(nil, lw, x, n, got) }()
	for !rep.Yielded() {
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-errc:
		t.Fatalf("the batch ran before the copy gave way: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	rep.Abandon()
	if err := <-errc; err != nil || !slices.Equal(got, want) {
		t.Fatalf("batch after the copy gave way: %v, equal %v", err, slices.Equal(got, want))
	}
	if err := rep.Begin(); err != nil || rep.Yielded() {
		t.Fatalf("a second copy: %v, yielded %v", err, rep.Yielded())
	}
}

// sameBytes reports whether a and b are the same bytes in memory.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
