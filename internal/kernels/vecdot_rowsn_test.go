package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestF32RowsDotN: every output of F32RowsDotN, for 1 to 6 activations, is
// bitwise the generic Dot of its activation and the row, times scale, with
// the selected kernels (AVX-512's for four to six where the CPU has them:
// groups of eight rows, the rest on the AVX2 kernels) and the generic ones;
// rows around multiples of eight, n with and without a scalar tail, strides
// with gaps, and rows that overflow or cancel. Not in scripts/avx512's
// emulated run: with this test selected there (by name, or named TestZMM…),
// the test binary crashed under Bochs every time, in the testing package's
// matching of the next test's name after TestGoldenMatMul, before this
// test ran (a string of the run pattern overwritten with log text); without
// it, the same binary runs on. Not understood; natively it passes under
// every kernel cap.
func TestF32RowsDotN(t *testing.T) {
	shapes := []struct{ n, rows, gap int }{
		{128, 8, 0}, {128, 17, 128}, {64, 24, 448}, {32, 7, 0}, {96, 9, 3}, {33, 16, 1}, {0, 8, 2}, {256, 3, 0},
	}
	rng := rand.New(rand.NewPCG(11, 13))
	for _, set := range []*kernelSet{active, &genericKernels} {
		for _, sh := range shapes {
			for q := 1; q <= MaxF32Group; q++ {
				stride := sh.n + sh.gap
				w := make([]float32, (sh.rows-1)*stride+sh.n)
				for i := range w {
					w[i] = float32(rng.NormFloat64())
				}
				xs, outs := make([][]float32, q), make([][]float32, q)
				for k := range xs {
					xs[k], outs[k] = make([]float32, sh.n+k), make([]float32, sh.rows)
					for i := range xs[k] {
						xs[k][i] = float32(rng.NormFloat64())
					}
				}
				if sh.n > 3 && sh.rows > 9 { // a row that overflows, one that cancels, in a group of eight
					w[2*stride] = math.MaxFloat32
					xs[0][0] = 4
					w[9*stride+1] = -xs[q-1][1] * 1e30
				}
				old := active
				active = set
				err := F32RowsDotN(sh.n, w, stride, xs, -0.37, outs)
				active = old
				if err != nil {
					t.Fatal(err)
				}
				for k := range xs {
					for r := range sh.rows {
						want := dotF32Generic(xs[k][:sh.n], w[r*stride:r*stride+sh.n]) * -0.37
						if got := outs[k][r]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%s n=%d rows=%d stride=%d, %d activations: out[%d][%d] = %v, want %v",
								set.name, sh.n, sh.rows, stride, q, k, r, got, want)
						}
					}
				}
			}
		}
	}
}

func TestF32RowsDotNShapes(t *testing.T) {
	w, x, out := make([]float32, 64), make([]float32, 8), make([]float32, 4)
	for _, c := range []struct {
		name string
		xs   [][]float32
		outs [][]float32
	}{
		{"none", nil, nil},
		{"seven", make([][]float32, 7), make([][]float32, 7)},
		{"counts differ", [][]float32{x, x}, [][]float32{out}},
		{"outputs differ", [][]float32{x, x}, [][]float32{out, out[:3]}},
		{"short activation", [][]float32{x, x[:2]}, [][]float32{out, out}},
	} {
		if err := F32RowsDotN(8, w, 8, c.xs, 1, c.outs); !errors.Is(err, ErrShape) {
			t.Errorf("%s: %v, want ErrShape", c.name, err)
		}
	}
}

// BenchmarkF32RowsDotN times a Qwen2.5-1.5B attention group (six query
// heads over 2,048 cached positions): the scores (128-element key rows, 256
// apart) and the values (2,048-element rows of the transposed cache), time
// per query head, with the activations in turns of three and at once.
func BenchmarkF32RowsDotN(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 7))
	for _, bc := range []struct {
		name            string
		n, rows, stride int
	}{
		{"scores", 128, 2048, 256},
		{"values", 2048, 128, 2048},
	} {
		w := randVec(r, (bc.rows-1)*bc.stride+bc.n)
		xs, outs := make([][]float32, 6), make([][]float32, 6)
		for k := range xs {
			xs[k], outs[k] = randVec(r, bc.n), make([]float32, bc.rows)
		}
		for _, wide := range []bool{false, true} {
			if wide && !active.f32Wide {
				continue
			}
			b.Run(fmt.Sprintf("%s/six/wide=%v", bc.name, wide), func(b *testing.B) {
				b.SetBytes(int64(6 * 4 * bc.n * bc.rows))
				for b.Loop() {
					if wide {
						_ = F32RowsDotN(bc.n, w, bc.stride, xs, 0.5, outs)
					} else {
						f32RowsBy3(bc.n, w, bc.stride, xs, 0.5, outs)
					}
				}
			})
		}
	}
}
