//go:build !purego

package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// asmCases pairs every assembly dot kernel with the generic kernel it
// reproduces. All of them follow llama.cpp's AVX2 arithmetic (lanes, fused
// multiply-adds, reduction order), so the tolerance is zero: results must be
// bit-identical, for every length and alignment.
var asmCases = []struct {
	name      string
	typ       tensor.Type
	asm, want dotFunc
}{
	{"Q8_0", tensor.Q8_0, dotQ8_0Asm, dotQ8_0Q8_0},
	{"Q5_0", tensor.Q5_0, dotQ5_0Asm, dotQ5_0Q8_0},
	{"Q4_K", tensor.Q4_K, dotQ4KAsm, dotQ4KQ8K},
	{"Q4_K packed", tensor.Q4_K, dotQ4KPackedAsm, dotQ4KQ8KPacked},
	{"Q6_K", tensor.Q6_K, dotQ6KAsm, dotQ6KQ8K},
	{"F32", tensor.F32, dotF32RowAsm, dotF32Row},
	{"F16", tensor.F16, dotF16RowAsm, dotF16Row},
	{"Q5_K", tensor.Q5_K, dotQ5KAsm, dotQ5KQ8K},
	{"Q4_0", tensor.Q4_0, dotQ4_0Asm, dotQ4_0Q8_0},
	{"Q4_0 packed", tensor.Q4_0, dotQ4_0PackedAsm, dotQ4_0Q8_0Packed},
	{"BF16", tensor.BF16, dotBF16RowAsm, dotBF16Row},
	{"Q4_1", tensor.Q4_1, dotQ4_1Asm, dotQ4_1Q8_1},
	{"Q5_1", tensor.Q5_1, dotQ5_1Asm, dotQ5_1Q8_1},
}

// guardByte surrounds operands so that out-of-bounds reads would change
// results visibly and out-of-bounds writes are detected.
const guardByte = 0x7f

func requireAVX2(t testing.TB) {
	t.Helper()
	if !hasAVX2 {
		t.Skip("CPU lacks AVX2+FMA+F16C; the assembly kernels are not used here")
	}
}

// placed copies b into a larger buffer at byte offset off, with guard bytes
// on both sides, and returns the sub-slice (capacity trimmed).
func placed(b []byte, off int) []byte {
	buf := make([]byte, off+len(b)+64)
	for i := range buf {
		buf[i] = guardByte
	}
	copy(buf[off:], b)
	return buf[off : off+len(b) : off+len(b)]
}

func TestAsmDotMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(7, 11))
	for _, c := range asmCases {
		lens := floatLens
		if bs := int(c.typ.BlockSize()); bs > 1 {
			lens = nil
			for _, nb := range []int{0, 1, 2, 3, 7, 8, 17, 33} {
				lens = append(lens, nb*bs)
			}
		}
		for _, n := range lens {
			for off := range 4 {
				x := randVec(r, n)
				w := placed(quantRow(t, c.typ, randVec(r, n)), off)
				xq := placed(actRow(t, c.typ, x), 3-off)
				want, got := c.want(n, w, xq), c.asm(n, w, xq)
				if math.Float32bits(got) != math.Float32bits(want) {
					t.Errorf("%s n=%d off=%d: asm %.9g, generic %.9g (want bit-identical)", c.name, n, off, got, want)
				}
			}
		}
	}
}

// TestAsmDotExtremeQuants uses the extreme quant values llama.cpp's own
// kernels are exact for (Q8_0 quants in [-127, 127], every Q5_0/Q4_K/Q6_K
// bit pattern) with large and tiny scales.
func TestAsmDotExtremeQuants(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(3, 5))
	for _, c := range asmCases {
		if c.typ.BlockSize() == 1 {
			continue
		}
		n := 8 * int(c.typ.BlockSize())
		w := quantRow(t, c.typ, randVec(r, n))
		for i := range w { // random quant bits, keep the (valid) scales
			if r.IntN(2) == 0 {
				w[i] ^= byte(r.Uint32())
			}
		}
		fixScales(c.typ, w)
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(1e4 * (r.Float64()*2 - 1))
		}
		xq := actRow(t, c.typ, x)
		if got, want := c.asm(n, w, xq), c.want(n, w, xq); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%s: asm %.9g, generic %.9g", c.name, got, want)
		}
	}
}

// fixScales rewrites every fp16 scale of a randomized row to a finite value
// and clamps Q8_0 quants to [-127, 127] (what every quantizer produces).
func fixScales(typ tensor.Type, w []byte) {
	const d = 0x2c00 // fp16 0.0625
	set := func(b []byte) { b[0], b[1] = d&0xff, d>>8 }
	switch typ {
	case tensor.Q8_0:
		for i := 0; i < len(w); i += q8_0Bytes {
			set(w[i:])
			for j := 2; j < q8_0Bytes; j++ {
				if w[i+j] == 0x80 {
					w[i+j] = 0x81
				}
			}
		}
	case tensor.Q5_0:
		for i := 0; i < len(w); i += q5_0Bytes {
			set(w[i:])
		}
	case tensor.Q4_K:
		for i := 0; i < len(w); i += q4KBytes {
			set(w[i:])
			set(w[i+2:])
		}
	case tensor.Q6_K:
		for i := 0; i < len(w); i += q6KBytes {
			set(w[i+208:])
		}
	case tensor.Q5_K: // d, dmin
		for i := 0; i < len(w); i += q5KBytes {
			set(w[i:])
			set(w[i+2:])
		}
	case tensor.Q4_0: // d (plain and repacked blocks alike)
		for i := 0; i < len(w); i += q4_0Bytes {
			set(w[i:])
		}
	case tensor.Q4_1: // d, m
		for i := 0; i < len(w); i += q4_1Bytes {
			set(w[i:])
			set(w[i+2:])
		}
	case tensor.Q5_1: // d, m
		for i := 0; i < len(w); i += q5_1Bytes {
			set(w[i:])
			set(w[i+2:])
		}
	}
}

func TestAsmAxpyMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range append([]int{0}, floatLens...) {
		for off := range 3 {
			x := randVec(r, n+off)[off:]
			y := randVec(r, n+off+2)
			want := append([]float32(nil), y...)
			alpha := float32(r.NormFloat64())
			axpyGeneric(alpha, x, want[off:off+n])
			axpyAsm(alpha, x, y[off:off+n])
			for i := range y {
				if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d off=%d: y[%d] = %g, want %g (guards at %d and %d)", n, off, i, y[i], want[i], off-1, off+n)
				}
			}
		}
	}
}

func TestAsmDotF32MatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(9, 9))
	for _, n := range append([]int{0}, floatLens...) {
		a, b := randVec(r, n+1)[1:], randVec(r, n+5)
		if got, want := dotF32Asm(a, b), dotF32Generic(a, b); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d: asm %.9g, generic %.9g", n, got, want)
		}
	}
}

func TestPathNamesAsm(t *testing.T) {
	if got, want := Path(), capKernels(os.Getenv(EnvKernels), thisCPU).name; got != want {
		t.Fatalf("Path() = %q, want %q (%s=%q)", got, want, EnvKernels, os.Getenv(EnvKernels))
	}
	spr := cpuSets{avx2: true, avx512: true, avxVNNI: true, avx512VNNI: true, amx: true} // Sapphire Rapids
	all := cpuSets{avx2: true, avx512: true, avxVNNI: true, avx512VNNI: true}            // Zen 5
	evex := cpuSets{avx2: true, avx512: true, avx512VNNI: true}                          // Ice Lake
	vex := cpuSets{avx2: true, avxVNNI: true}                                            // Alder Lake
	skx := cpuSets{avx2: true, avx512: true}                                             // Skylake-SP
	avx2 := cpuSets{avx2: true}
	for _, c := range []struct {
		limit string
		cpu   cpuSets
		want  string
	}{
		{"", spr, "amx+avx512vnni+avx2+fma"},
		{"amx", spr, "amx+avx512vnni+avx2+fma"},
		{"bogus", spr, "amx+avx512vnni+avx2+fma"},
		{"avx512vnni", spr, "avx512vnni+avx2+fma"},
		{"avxvnni", spr, "avxvnni+avx2+fma"},
		{"avx512", spr, "avx512+avx2+fma"},
		{"avx2", spr, "avx2+fma"},
		{"generic", spr, "generic"},
		{"amx", all, "avx512vnni+avx2+fma"},
		{"", cpuSets{avx2: true, amx: true}, "avx2+fma"}, // AMX without the VNNI set: never the AMX set
		{"", all, "avx512vnni+avx2+fma"},
		{"", evex, "avx512vnni+avx2+fma"},
		{"", vex, "avxvnni+avx2+fma"},
		{"", avx2, "avx2+fma"},
		{"", cpuSets{}, "generic"},
		{"", cpuSets{avxVNNI: true, avx512VNNI: true}, "generic"}, // no AVX2: never the VNNI sets
		{"avx2", all, "avx2+fma"},
		{"avx2", vex, "avx2+fma"},
		{"avx2", cpuSets{}, "generic"},
		{"generic", all, "generic"},
		{"avxvnni", all, "avxvnni+avx2+fma"},
		{"avxvnni", evex, "avx2+fma"},
		{"avxvnni", vex, "avxvnni+avx2+fma"},
		{"avxvnni", avx2, "avx2+fma"},
		{"avx512vnni", avx2, "avx2+fma"},
		{"avx512vnni", vex, "avxvnni+avx2+fma"},
		{"avx512vnni", all, "avx512vnni+avx2+fma"},
		{"bogus", all, "avx512vnni+avx2+fma"},
		{"", skx, "avx512+avx2+fma"},
		{"", cpuSets{avx512: true}, "generic"},
		{"avx512", all, "avx512+avx2+fma"},
		{"avx512", evex, "avx512+avx2+fma"},
		{"avx512", vex, "avx2+fma"},
		{"avx512", skx, "avx512+avx2+fma"},
		{"avx2", skx, "avx2+fma"},
		{"avxvnni", skx, "avx2+fma"},
		{"avx512vnni", skx, "avx512+avx2+fma"},
	} {
		t.Run(c.limit+"/"+c.want, func(t *testing.T) {
			if got := capKernels(c.limit, c.cpu).name; got != c.want {
				t.Errorf("capKernels(%q, %+v) = %q, want %q", c.limit, c.cpu, got, c.want)
			}
		})
	}
	checkCapNames(t, func(limit string) string { return capKernels(limit, spr).name })
}

// BenchmarkDotKernels compares each assembly kernel with its generic
// version on one 4096-element row; SetBytes counts the weight bytes, so the
// MB/s column is the weight bandwidth a matmul would reach on one thread
// with the row in cache.
func BenchmarkDotKernels(b *testing.B) {
	requireAVX2(b)
	r := rand.New(rand.NewPCG(1, 1))
	const n = 4096
	for _, c := range asmCases {
		w := quantRow(b, c.typ, randVec(r, n))
		xq := actRow(b, c.typ, randVec(r, n))
		for _, impl := range []struct {
			name string
			dot  dotFunc
		}{{"generic", c.want}, {"avx2", c.asm}} {
			b.Run(c.name+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				var s float32
				for b.Loop() {
					s += impl.dot(n, w, xq)
				}
				_ = s
			})
		}
	}
}

// TestAsmRows4MatchesOneRow checks the four-row kernels (Q8_0, Q5_0, and
// repacked Q4_K for decoding) against four calls of their generic one-row
// kernel, bit for bit, with rows at odd offsets and padding between them.
func TestAsmRows4MatchesOneRow(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(5, 8))
	for _, c := range []struct {
		typ   tensor.Type
		four  rows4Func
		one   dotFunc
		block int   // elements per block
		nbs   []int // block counts tried
	}{
		{tensor.Q8_0, dotQ8_0Rows4Asm, dotQ8_0Q8_0, 32, []int{0, 1, 2, 3, 7, 8, 17, 33}},
		{tensor.Q5_0, dotQ5_0Rows4Asm, dotQ5_0Q8_0, 32, []int{0, 1, 2, 3, 7, 8, 17, 33}},
		{tensor.Q4_K, dotQ4KPackedRows4Asm, dotQ4KQ8KPacked, 256, []int{0, 1, 2, 5, 16, 31, 32, 33, 70}},
	} {
		for _, nb := range c.nbs {
			n := c.block * nb
			rb := rowSize(t, c.typ, n) + r.IntN(5)
			buf := make([]byte, 4*rb)
			for i := range 4 {
				copy(buf[i*rb:], quantRow(t, c.typ, randVec(r, n)))
			}
			w := placed(buf, 1)
			xq := placed(actRow(t, c.typ, randVec(r, n)), 3)
			var out [4]float32
			c.four(n, w, rb, xq, &out)
			for i := range 4 {
				want := c.one(n, w[i*rb:], xq)
				if math.Float32bits(out[i]) != math.Float32bits(want) {
					t.Errorf("%s nb=%d row %d: %.9g, want %.9g", c.typ, nb, i, out[i], want)
				}
			}
		}
	}
}

// BenchmarkQ8_0Rows4 compares one-row and four-row Q8_0 kernels over a
// 64-row, 4096-column matrix (weights in L2).
func BenchmarkQ8_0Rows4(b *testing.B) {
	requireAVX2(b)
	r := rand.New(rand.NewPCG(1, 3))
	const n, rows = 4096, 64
	rb := n / 32 * q8_0Bytes
	w := make([]byte, 0, rows*rb)
	for range rows {
		w = append(w, quantRow(b, tensor.Q8_0, randVec(r, n))...)
	}
	xq := actRow(b, tensor.Q8_0, randVec(r, n))
	out := make([]float32, rows)
	b.Run("rows1", func(b *testing.B) {
		b.SetBytes(int64(len(w)))
		for b.Loop() {
			for i := range rows {
				out[i] = dotQ8_0Asm(n, w[i*rb:(i+1)*rb], xq)
			}
		}
	})
	b.Run("rows4", func(b *testing.B) {
		b.SetBytes(int64(len(w)))
		for b.Loop() {
			for i := 0; i < rows; i += 4 {
				dotQ8_0Rows4Asm(n, w[i*rb:], rb, xq, (*[4]float32)(out[i:i+4]))
			}
		}
	})
}

// withTileScales makes the AVX2 set the active one until t ends:
// tileActScales, which the tile tests take the activation scales from,
// gives them only where the active set has a tile42, and PLUME_KERNELS=generic
// would leave it none. Tests that call it must not run in parallel.
func withTileScales(t *testing.T) {
	old := active
	active = &avx2Kernels
	t.Cleanup(func() { active = old })
}

// TestAsmTile42MatchesOneRow checks the 4×2 tile over several pairs of
// activation rows, fed with the scales of q8_0Scales4Asm and tileActScales,
// against the generic one-row kernel bit for bit; output cells between the
// rows' four keep their guard value. q8_0Scales4Asm is checked against
// tensor.F16ToF32 (and must not write past its output).
func TestAsmTile42MatchesOneRow(t *testing.T) {
	requireAVX2(t)
	withTileScales(t)
	r := rand.New(rand.NewPCG(5, 9))
	const guard = -7.25
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
		w, x = placed(w, 1), placed(x, 2)
		ws := fill(make([]float32, 4*nb+3), guard)
		q8_0Scales4Asm(n, w, rb, ws)
		for b := range nb {
			for i := range 4 {
				want := half(w[i*rb+b*q8_0Bytes:])
				if math.Float32bits(ws[4*b+i]) != math.Float32bits(want) {
					t.Fatalf("nb=%d scale of row %d block %d: %g, want %g", nb, i, b, ws[4*b+i], want)
				}
			}
		}
		for _, v := range ws[4*nb:] {
			if v != guard {
				t.Fatalf("nb=%d: q8_0Scales4Asm wrote past its output", nb)
			}
		}
		xs := tileActScales(nil, tensor.Q8_0, x, xb, acts, n)
		ostride := 4 + r.IntN(3)
		out := fill(make([]float32, acts*ostride+2), guard)
		dotQ8_0Tile42Asm(n, w, rb, ws[:4*nb], x, xb, xs, pairs, out, ostride)
		for i := range acts {
			for k := 0; k < ostride; k++ {
				got := out[i*ostride+k]
				if k >= 4 {
					if got != guard {
						t.Errorf("nb=%d pairs=%d: cell %d of act %d overwritten", nb, pairs, k, i)
					}
					continue
				}
				want := dotQ8_0Q8_0(n, w[k*rb:], x[i*xb:])
				if math.Float32bits(got) != math.Float32bits(want) {
					t.Errorf("nb=%d pairs=%d row %d act %d: %.9g, want %.9g", nb, pairs, k, i, got, want)
				}
			}
		}
		if out[len(out)-1] != guard || out[len(out)-2] != guard {
			t.Errorf("nb=%d pairs=%d: wrote past the last row", nb, pairs)
		}
	}
}

// fill sets every element of s to v and returns s.
func fill(s []float32, v float32) []float32 {
	for i := range s {
		s[i] = v
	}
	return s
}

func TestAsmQ4KPackedCols4MatchesOneRow(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(5, 10))
	for _, nb := range []int{0, 1, 2, 5} {
		n := 256 * nb
		xb := nb*q8KBytes + r.IntN(3)
		x := make([]byte, 4*xb)
		for i := range 4 {
			copy(x[i*xb:], actRow(t, tensor.Q4_K, randVec(r, n)))
		}
		w, x := placed(quantRow(t, tensor.Q4_K, randVec(r, n)), 3), placed(x, 1)
		var out [4]float32
		dotQ4KPackedCols4Asm(n, w, x, xb, &out)
		for a := range 4 {
			want := dotQ4KQ8KPacked(n, w, x[a*xb:])
			if math.Float32bits(out[a]) != math.Float32bits(want) {
				t.Errorf("nb=%d act %d: %.9g, want %.9g", nb, a, out[a], want)
			}
		}
	}
}

// The assembly Q5_0 → Q8_0 expander writes the same bytes as expandQ5_0,
// for random blocks (every qh bit pattern is random) at misaligned offsets,
// and leaves the bytes after the last block alone.
func TestAsmExpandQ5_0MatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(8, 1))
	for _, nb := range []int{0, 1, 2, 7, 28} {
		n := 32 * nb
		src := make([]byte, nb*q5_0Bytes+1)[1:]
		for i := range src {
			src[i] = byte(r.Uint32())
		}
		want := make([]byte, nb*q8_0Bytes)
		expandQ5_0(n, src, want)
		got := make([]byte, nb*q8_0Bytes+3)[1:]
		got[len(got)-1] = 0xa5 // guard
		expandQ5_0Asm(n, src, got)
		if !bytes.Equal(got[:len(want)], want) || got[len(got)-1] != 0xa5 {
			t.Errorf("nb=%d: asm expansion differs from expandQ5_0", nb)
		}
	}
}

// TestAsmQ4KPackedCols8MatchesOneRow checks the eight-activation packed Q4_K
// kernel over several consecutive weight rows against the generic packed
// kernel, bit for bit; output cells between the strided results keep their
// guard value.
func TestAsmQ4KPackedCols8MatchesOneRow(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(5, 12))
	const guard = -3.5
	for _, c := range []struct{ nb, rows int }{{0, 1}, {0, 3}, {1, 1}, {2, 3}, {5, 1}, {8, 2}, {3, 16}} {
		n, rb := 256*c.nb, c.nb*q4KBytes
		xb := c.nb*q8KBytes + r.IntN(5)
		x := make([]byte, 8*xb)
		for i := range 8 {
			copy(x[i*xb:], actRow(t, tensor.Q4_K, randVec(r, n)))
		}
		w := make([]byte, c.rows*rb)
		for i := range c.rows {
			copy(w[i*rb:], quantRow(t, tensor.Q4_K, randVec(r, n)))
		}
		w, x = placed(w, 3), placed(x, 1)
		ostride := c.rows + r.IntN(4)
		out := fill(make([]float32, 8*ostride+1), guard)
		var scratch []byte
		dotQ4KPackedCols8Asm(n, w, c.rows, x, xb, out, ostride, &scratch)
		for i, got := range out {
			a, k := i/ostride, i%ostride
			if k >= c.rows || a >= 8 {
				if got != guard {
					t.Errorf("nb=%d rows=%d: cell %d overwritten", c.nb, c.rows, i)
				}
				continue
			}
			want := dotQ4KQ8KPacked(n, w[k*rb:], x[a*xb:])
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("nb=%d rows=%d row %d act %d: %.9g, want %.9g", c.nb, c.rows, k, a, got, want)
			}
		}
	}
}

// BenchmarkQ4KPackedRows4 times the four-row repacked Q4_K decode kernel
// over 2048-column rows: 16 rows (18 KB, in L1) and 256 (in L2), the
// compute speed that decode's memory stream has to keep up with, and 131072
// rows (151 MB, from DRAM) on one and two goroutines, the stream itself.
func BenchmarkQ4KPackedRows4(b *testing.B) {
	requireAVX2(b)
	r := rand.New(rand.NewPCG(1, 4))
	const n = 2048
	rb := n / 256 * q4KBytes
	xq := actRow(b, tensor.Q4_K, randVec(r, n))
	row := quantRow(b, tensor.Q4_K, randVec(r, n))
	for _, c := range []struct{ rows, threads int }{{16, 1}, {256, 1}, {1 << 17, 1}, {1 << 17, 2}} {
		w := make([]byte, 0, c.rows*rb)
		for range c.rows {
			w = append(w, row...)
		}
		part := func(lo, hi int) {
			var out [4]float32
			for i := lo; i < hi; i += 4 {
				dotQ4KPackedRows4Asm(n, w[i*rb:], rb, xq, &out)
			}
		}
		b.Run(fmt.Sprintf("rows=%d/threads=%d", c.rows, c.threads), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				if c.threads == 1 {
					part(0, c.rows)
					continue
				}
				done := make(chan struct{})
				go func() { part(0, c.rows/2); close(done) }()
				part(c.rows/2, c.rows)
				<-done
			}
		})
	}
}
