package kernels

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// f16RowShapes are the F16 row shapes the strided-row tests run: n
// elements, rows rows, gap bytes between the end of a row and the next.
var f16RowShapes = []struct{ n, rows, gap int }{
	{64, 9, 256},
	{128, 1, 0},
	// Short heads and odd lengths run the float64 tail of the F16 kernel.
	{8, 33, 2},
	{16, 64, 0},
	{7, 5, 1},
	// Sixteen-row groups of short rows, with a tail, then four and one.
	{13, 35, 2},
	{20, 21, 0},
	{3, 16, 6},
	{40, 17, 6},
	{24, 13, 4},
	{47, 10, 2},
	{96, 3, 30},
}

// VecDotRows equals one VecDot per strided row times scale, bit for bit.
func TestVecDotRows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type rowCase struct {
		typ          tensor.Type
		n, rows, gap int // gap: bytes between the end of a row and the next
	}
	var tests []rowCase
	for _, c := range f16RowShapes {
		tests = append(tests, rowCase{tensor.F16, c.n, c.rows, c.gap})
	}
	tests = append(tests, rowCase{tensor.F32, 64, 5, 64}, rowCase{tensor.Q8_0, 64, 7, 34})
	for _, tc := range tests {
		rb := rowSize(t, tc.typ, tc.n)
		stride := rb + tc.gap
		// One byte of offset: the rows sit misaligned, as in a KV cache.
		w := make([]byte, (tc.rows-1)*stride+rb+1)[1:]
		for i := range tc.rows {
			if err := tensor.Quantize(tc.typ, randVec(r, tc.n), w[i*stride:i*stride+rb]); err != nil {
				t.Fatal(err)
			}
		}
		x := actRow(t, tc.typ, randVec(r, tc.n))
		out := make([]float32, tc.rows)
		const scale = 0.125
		if err := VecDotRows(tc.typ, tc.n, w, stride, x, scale, out); err != nil {
			t.Fatal(err)
		}
		for i := range out {
			want := VecDot(tc.typ, tc.n, w[i*stride:i*stride+rb], x) * scale
			if math.Float32bits(out[i]) != math.Float32bits(want) {
				t.Errorf("%s row %d: %g, VecDot %g", tc.typ, i, out[i], want)
			}
		}
		// One byte short of the last row is a shape error, not a panic.
		if err := VecDotRows(tc.typ, tc.n, w[:len(w)-1], stride, x, scale, out); !errors.Is(err, ErrShape) {
			t.Errorf("%s short weights: err = %v, want ErrShape", tc.typ, err)
		}
	}
}

// BenchmarkVecDotRowsF16 times the attention shapes of a short-head model
// (TinyStories: heads of 16, KV rows 128 elements apart): the scores of one
// query against 64 cached keys, and 16 V rows of 64 probabilities; then
// heads of 64 against 64 keys and 64 V rows of 1024 probabilities; each with
// the activation as fp16 bytes (VecDotRows) and as float32 (F16RowsDot).
func BenchmarkVecDotRowsF16(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, bc := range []struct {
		name            string
		n, rows, stride int
	}{
		{"scores/n=16/rows=64", 16, 64, 256},
		{"values/n=64/rows=16", 64, 16, 1024},
		{"scores/n=64/rows=64", 64, 64, 1024},
		{"values/n=1024/rows=64", 1024, 64, 4096},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := make([]byte, (bc.rows-1)*bc.stride+2*bc.n)
			for i := range bc.rows {
				if err := tensor.Quantize(tensor.F16, randVec(r, bc.n), w[i*bc.stride:i*bc.stride+2*bc.n]); err != nil {
					b.Fatal(err)
				}
			}
			x := make([]byte, 2*bc.n)
			if err := tensor.Quantize(tensor.F16, randVec(r, bc.n), x); err != nil {
				b.Fatal(err)
			}
			out := make([]float32, bc.rows)
			b.SetBytes(int64(2 * bc.n * bc.rows))
			for b.Loop() {
				if err := VecDotRows(tensor.F16, bc.n, w, bc.stride, x, 1, out); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/x32", func(b *testing.B) {
			w := make([]byte, (bc.rows-1)*bc.stride+2*bc.n)
			x := make([]float32, bc.n)
			RoundF16(x, randVec(r, bc.n))
			out := make([]float32, bc.rows)
			b.SetBytes(int64(2 * bc.n * bc.rows))
			for b.Loop() {
				if err := F16RowsDot(bc.n, w, bc.stride, x, 1, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// F16RowsDot with the activation given as RoundF16 floats equals VecDotRows
// with it as fp16 bytes, bit for bit, on the shapes of TestVecDotRows (the
// assembly where present, and the generic loop directly).
func TestF16RowsDot(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	shapes := append(f16RowShapes[:len(f16RowShapes):len(f16RowShapes)], struct{ n, rows, gap int }{0, 3, 4})
	for _, tc := range shapes {
		rb := 2 * tc.n
		stride := rb + tc.gap
		w := make([]byte, (tc.rows-1)*stride+rb+1)[1:]
		for i := range tc.rows {
			if err := tensor.Quantize(tensor.F16, randVec(r, tc.n), w[i*stride:i*stride+rb]); err != nil {
				t.Fatal(err)
			}
		}
		xf := randVec(r, tc.n)
		xb := actRow(t, tensor.F16, xf)
		x := make([]float32, tc.n+1)[1:] // misaligned
		RoundF16(x, xf)
		const scale = 0.125
		want := make([]float32, tc.rows)
		if err := VecDotRows(tensor.F16, tc.n, w, stride, xb, scale, want); err != nil {
			t.Fatal(err)
		}
		got := make([]float32, tc.rows)
		if err := F16RowsDot(tc.n, w, stride, x, scale, got); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			generic := dotHalfRowX32(tc.n, u16view(w[i*stride:i*stride+rb]), x) * scale
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(generic) != math.Float32bits(want[i]) {
				t.Errorf("n=%d row %d: F16RowsDot %g, generic %g, VecDotRows %g", tc.n, i, got[i], generic, want[i])
			}
		}
		if err := F16RowsDot(tc.n, w[:len(w)-1], stride, x, scale, got); tc.n > 0 && !errors.Is(err, ErrShape) {
			t.Errorf("n=%d short weights: err = %v, want ErrShape", tc.n, err)
		}
		if err := F16RowsDot(tc.n+1, w, stride+2, x, scale, got); !errors.Is(err, ErrShape) {
			t.Errorf("n=%d short activation: err = %v, want ErrShape", tc.n, err)
		}
	}
}

// RoundF16 equals tensor.F16ToF32(tensor.F32ToF16(x)) bit for bit: every
// fp16 value (kept as is), values between them, out-of-range, subnormal,
// ±Inf and NaN, at every length up to 19 (groups of eight and the tail).
func TestRoundF16(t *testing.T) {
	var in []float32
	for h := range 1 << 16 {
		v := tensor.F16ToF32(uint16(h))
		in = append(in, v, math.Nextafter32(v, float32(math.Inf(1))))
	}
	in = append(in, 65520, -65520, 1e10, 1e-10, 5.96e-8, 2.98e-8, float32(math.Inf(-1)), float32(math.NaN()))
	r := rand.New(rand.NewPCG(9, 10))
	for range 1000 {
		in = append(in, math.Float32frombits(r.Uint32()))
	}
	check := func(src []float32) {
		dst := make([]float32, len(src)+1)[1:]
		RoundF16(dst, src)
		for i, v := range src {
			want := tensor.F16ToF32(tensor.F32ToF16(v))
			if math.Float32bits(dst[i]) != math.Float32bits(want) {
				t.Fatalf("RoundF16(%g = %#x) = %#x, want %#x", v, math.Float32bits(v), math.Float32bits(dst[i]), math.Float32bits(want))
			}
		}
	}
	check(in)
	for n := range 20 {
		check(in[len(in)-n:])
	}
	x := []float32{1.0001, 3}
	RoundF16(x, x) // in place
	if x[0] != 1 || x[1] != 3 {
		t.Errorf("in place: %v", x)
	}
}

// TestF32RowsDot: every row of F32RowsDot is bitwise the generic Dot of the
// activation and the row, times scale, for head-sized and odd lengths,
// strides with gaps, the selected kernel set (the CI runs this test under
// every PLUME_KERNELS cap, Bochs and qemu) and the generic one, and values
// that overflow (Inf) or cancel.
func TestF32RowsDot(t *testing.T) {
	shapes := []struct{ n, rows, gap int }{
		{64, 9, 448}, {128, 33, 0}, {0, 3, 2}, {1, 5, 0}, {7, 5, 1},
		{31, 4, 1}, {32, 2, 0}, {33, 17, 3}, {100, 6, 28}, {257, 3, 5},
	}
	rng := rand.New(rand.NewPCG(7, 9))
	for _, set := range []*kernelSet{active, &genericKernels} {
		for _, sh := range shapes {
			for _, scale := range []float32{1, 0.125, -0.37} {
				stride := sh.n + sh.gap
				w := make([]float32, (sh.rows-1)*stride+sh.n)
				x := make([]float32, sh.n+3) // longer than n: only n are read
				for i := range w {
					w[i] = float32(rng.NormFloat64())
				}
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				if sh.n > 3 { // one row that overflows, one that cancels
					w[0] = math.MaxFloat32
					x[0] = 4
					w[stride%len(w)] = -x[1] * 1e30
				}
				x2, x3 := make([]float32, sh.n), make([]float32, sh.n+1) // more queries: F32RowsDot2 and 3
				for i := range x2 {
					x2[i], x3[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
				}
				outs := make([][]float32, 6)
				for i := range outs {
					outs[i] = make([]float32, sh.rows)
				}
				out, out1, out2 := outs[0], outs[1], outs[2]
				old := active
				active = set
				err := F32RowsDot(sh.n, w, stride, x, scale, out)
				err2 := F32RowsDot2(sh.n, w, stride, x, x2, scale, out1, out2)
				err3 := F32RowsDot3(sh.n, w, stride, x2, x, x3, scale, outs[3], outs[4], outs[5])
				active = old
				if err != nil || err2 != nil || err3 != nil {
					t.Fatal(err, err2, err3)
				}
				for r := range out {
					row := w[r*stride : r*stride+sh.n]
					want, want2 := dotF32Generic(x[:sh.n], row)*scale, dotF32Generic(x2, row)*scale
					want3 := dotF32Generic(x3[:sh.n], row) * scale
					for _, c := range []struct {
						what      string
						got, want float32
					}{
						{"rows", out[r], want}, {"rows2 x1", out1[r], want}, {"rows2 x2", out2[r], want2},
						{"rows3 x1", outs[3][r], want2}, {"rows3 x2", outs[4][r], want}, {"rows3 x3", outs[5][r], want3},
					} {
						if math.Float32bits(c.got) != math.Float32bits(c.want) {
							t.Fatalf("%s %s n=%d stride=%d scale=%v row %d: %v, want %v", set.name, c.what, sh.n, stride, scale, r, c.got, c.want)
						}
					}
				}
			}
		}
	}
}

func TestF32RowsDotShapes(t *testing.T) {
	w, x, out := make([]float32, 10), make([]float32, 4), make([]float32, 3)
	for _, c := range []struct {
		name      string
		n, stride int
		x         []float32
	}{
		{"rows past w", 4, 4, x},
		{"stride below n", 4, 3, x},
		{"short activation", 5, 5, x[:2]},
		{"negative n", -1, 2, x},
	} {
		if err := F32RowsDot(c.n, w, c.stride, c.x, 1, out); !errors.Is(err, ErrShape) {
			t.Errorf("%s: %v, want ErrShape", c.name, err)
		}
		if err := F32RowsDot2(c.n, w, c.stride, x, c.x, 1, out, out); !errors.Is(err, ErrShape) {
			t.Errorf("%s (two activations): %v, want ErrShape", c.name, err)
		}
		if err := F32RowsDot3(c.n, w, c.stride, x, x, c.x, 1, out, out, out); !errors.Is(err, ErrShape) {
			t.Errorf("%s (three activations): %v, want ErrShape", c.name, err)
		}
	}
	if err := F32RowsDot2(4, w, 4, x, x, 1, out, out[:2]); !errors.Is(err, ErrShape) {
		t.Errorf("outputs of different lengths: %v, want ErrShape", err)
	}
	if err := F32RowsDot3(4, w, 4, x, x, x, 1, out, out, out[:2]); !errors.Is(err, ErrShape) {
		t.Errorf("three outputs of different lengths: %v, want ErrShape", err)
	}
}

// BenchmarkF32RowsDot times attention over a float32 KV cache on a
// Qwen2.5-1.5B head (128 elements, KV rows 256 apart) at a 2,048-token
// context: the scores of one query against every key, and the 128 rows of
// transposed values against the probabilities; as one F32RowsDot call
// ("rows") and as one Dot per row ("dot"), which it replaced.
func BenchmarkF32RowsDot(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 7))
	for _, bc := range []struct {
		name            string
		n, rows, stride int
	}{
		{"scores/n=128/rows=2048", 128, 2048, 256},
		{"values/n=2048/rows=128", 2048, 128, 2048},
	} {
		w := randVec(r, (bc.rows-1)*bc.stride+bc.n)
		x := randVec(r, bc.n)
		out := make([]float32, bc.rows)
		b.Run(bc.name+"/rows", func(b *testing.B) {
			b.SetBytes(int64(4 * bc.n * bc.rows))
			for b.Loop() {
				if err := F32RowsDot(bc.n, w, bc.stride, x, 0.5, out); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/rows2", func(b *testing.B) { // two queries: time per query
			out2, x2 := make([]float32, bc.rows), randVec(r, bc.n)
			b.SetBytes(int64(8 * bc.n * bc.rows))
			for b.Loop() {
				if err := F32RowsDot2(bc.n, w, bc.stride, x, x2, 0.5, out, out2); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/rows3", func(b *testing.B) { // three queries: time per query
			out2, out3, x2, x3 := make([]float32, bc.rows), make([]float32, bc.rows), randVec(r, bc.n), randVec(r, bc.n)
			b.SetBytes(int64(12 * bc.n * bc.rows))
			for b.Loop() {
				if err := F32RowsDot3(bc.n, w, bc.stride, x, x2, x3, 0.5, out, out2, out3); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/dot", func(b *testing.B) {
			b.SetBytes(int64(4 * bc.n * bc.rows))
			for b.Loop() {
				for i := range out {
					out[i] = Dot(x, w[i*bc.stride:i*bc.stride+bc.n]) * 0.5
				}
			}
		})
	}
}
