//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// neonCases pairs every NEON dot kernel with the generic kernel it
// reproduces, and says whether it needs dotprod. The tolerance is zero:
// results must be bit-identical, for every length and alignment.
var neonCases = []struct {
	name      string
	typ       tensor.Type
	dotprod   bool
	asm, want dotFunc
}{
	{"Q8_0 sdot", tensor.Q8_0, true, dotQ8_0SDOTAsm, dotQ8_0Q8_0},
	{"Q8_0 neon", tensor.Q8_0, false, dotQ8_0NEONAsm, dotQ8_0Q8_0},
	{"F32", tensor.F32, false, dotF32RowAsm, dotF32Row},
	{"F16", tensor.F16, false, dotF16RowAsm, dotF16Row},
	{"BF16", tensor.BF16, false, dotBF16RowAsm, dotBF16Row},
	{"Q4_0 sdot", tensor.Q4_0, true, dotQ4_0SDOTAsm, dotQ4_0Q8_0},
	{"Q4_0 neon", tensor.Q4_0, false, dotQ4_0NEONAsm, dotQ4_0Q8_0},
	{"Q4_0 packed sdot", tensor.Q4_0, true, dotQ4_0PackedSDOTAsm, dotQ4_0Q8_0Packed},
	{"Q4_0 packed neon", tensor.Q4_0, false, dotQ4_0PackedNEONAsm, dotQ4_0Q8_0Packed},
	{"Q5_0 sdot", tensor.Q5_0, true, dotQ5_0SDOTAsm, dotQ5_0Q8_0},
	{"Q5_0 neon", tensor.Q5_0, false, dotQ5_0NEONAsm, dotQ5_0Q8_0},
	{"Q4_1 sdot", tensor.Q4_1, true, dotQ4_1SDOTAsm, dotQ4_1Q8_1},
	{"Q4_1 neon", tensor.Q4_1, false, dotQ4_1NEONAsm, dotQ4_1Q8_1},
	{"Q5_1 sdot", tensor.Q5_1, true, dotQ5_1SDOTAsm, dotQ5_1Q8_1},
	{"Q5_1 neon", tensor.Q5_1, false, dotQ5_1NEONAsm, dotQ5_1Q8_1},
	{"Q4_K sdot", tensor.Q4_K, true, dotQ4KSDOTAsm, dotQ4KQ8K},
	{"Q4_K neon", tensor.Q4_K, false, dotQ4KNEONAsm, dotQ4KQ8K},
	{"Q4_K packed sdot", tensor.Q4_K, true, dotQ4KPackedSDOTAsm, dotQ4KQ8KPacked},
	{"Q4_K packed neon", tensor.Q4_K, false, dotQ4KPackedNEONAsm, dotQ4KQ8KPacked},
	{"Q6_K sdot", tensor.Q6_K, true, dotQ6KSDOTAsm, dotQ6KQ8K},
	{"Q6_K neon", tensor.Q6_K, false, dotQ6KNEONAsm, dotQ6KQ8K},
	{"Q5_K sdot", tensor.Q5_K, true, dotQ5KSDOTAsm, dotQ5KQ8K},
	{"Q5_K neon", tensor.Q5_K, false, dotQ5KNEONAsm, dotQ5KQ8K},
}

// neonGuard surrounds operands so that out-of-bounds reads would change
// results visibly and out-of-bounds writes are detected.
const neonGuard = 0x7f

// neonPlaced copies b into a larger buffer at byte offset off, with guard
// bytes on both sides, and returns the sub-slice (capacity trimmed).
func neonPlaced(b []byte, off int) []byte {
	buf := make([]byte, off+len(b)+64)
	for i := range buf {
		buf[i] = neonGuard
	}
	copy(buf[off:], b)
	return buf[off : off+len(b) : off+len(b)]
}

// requireNEON skips where the CPU lacks what a kernel needs; the arm64 test
// script runs this package on emulated CPUs with and without dotprod, so
// every kernel runs in one of them.
func requireNEON(t testing.TB, dotprod bool) bool {
	t.Helper()
	if !hasNEON || (dotprod && !hasDotProd) {
		t.Logf("CPU lacks ASIMD%s: kernel not run here", map[bool]string{true: " dotprod"}[dotprod])
		return false
	}
	return true
}

func TestNEONDotMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for _, c := range neonCases {
		t.Run(c.name, func(t *testing.T) {
			if !requireNEON(t, c.dotprod) {
				return
			}
			lens := floatLens
			if bs := int(c.typ.BlockSize()); bs > 1 {
				lens = nil
				for _, nb := range []int{0, 1, 2, 3, 7, 8, 17, 33} {
					lens = append(lens, nb*bs)
				}
			}
			for _, n := range append([]int{0}, lens...) {
				for off := range 4 {
					w := neonPlaced(quantRow(t, c.typ, randVec(r, n)), off)
					xq := neonPlaced(actRow(t, c.typ, randVec(r, n)), 3-off)
					want, got := c.want(n, w, xq), c.asm(n, w, xq)
					if math.Float32bits(got) != math.Float32bits(want) {
						t.Errorf("n=%d off=%d: neon %.9g, generic %.9g (want bit-identical)", n, off, got, want)
					}
				}
			}
		})
	}
}

// TestNEONDotExtremeQuants uses random quant bytes (every Q4_0/Q5_0/Q4_1/Q5_1 bit
// pattern; every Q8_0 byte, -128 included: a hostile file's, whose 128·128
// products SMULL's 16 bits still hold), with large activations and several
// block scales, subnormal fp16 ones included.
func TestNEONDotExtremeQuants(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for _, c := range neonCases {
		if c.typ.BlockSize() != 32 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			if !requireNEON(t, c.dotprod) {
				return
			}
			for _, d := range []uint16{0x2c00, 0x3c00, 0x7bff, 0x0001, 0x8400} { // 0.0625, 1, 65504, min subnormal, -2^-14
				const n = 8 * 32
				w := quantRow(t, c.typ, randVec(r, n))
				for i := range w {
					w[i] = byte(r.Uint32())
				}
				for i := 0; i < len(w); i += c.typ.TypeSize() {
					w[i], w[i+1] = byte(d), byte(d>>8)
					if c.typ == tensor.Q4_1 || c.typ == tensor.Q5_1 {
						w[i+2], w[i+3] = byte(d), byte(d>>8) // m
					}
				}
				if c.typ == tensor.Q8_0 {
					w[2], w[3] = 0x80, 0x80 // -128 · -128
				}
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(1e4 * (r.Float64()*2 - 1))
				}
				xq := actRow(t, c.typ, x)
				xq[2] = 0x80
				if got, want := c.asm(n, w, xq), c.want(n, w, xq); math.Float32bits(got) != math.Float32bits(want) {
					t.Errorf("scale %#04x: neon %.9g, generic %.9g", d, got, want)
				}
			}
		})
	}
}

// TestNEONDotKRandomBits fills Q4_K, Q5_K and Q6_K super-blocks and their Q8_K
// activations with random bytes (every quant, scale, min and block sum bit
// pattern; the float scales are set finite), so that the integer lanes
// reach their extremes.
func TestNEONDotKRandomBits(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	for _, c := range neonCases {
		if c.typ != tensor.Q4_K && c.typ != tensor.Q5_K && c.typ != tensor.Q6_K {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			if !requireNEON(t, c.dotprod) {
				return
			}
			const n = 4 * tensor.QK_K
			for range 16 {
				w, x := make([]byte, rowSize(t, c.typ, n)), make([]byte, rowSize(t, tensor.Q8_K, n))
				for i := range w {
					w[i] = byte(r.Uint32())
				}
				for i := range x {
					x[i] = byte(r.Uint32())
				}
				for b := range n / tensor.QK_K {
					wb, xb := w[b*c.typ.TypeSize():], x[b*q8KBytes:]
					xb[0], xb[1], xb[2], xb[3] = 0, 0, 0x80, 0x3f // d = 1.0
					if c.typ == tensor.Q4_K || c.typ == tensor.Q5_K {
						wb[1] &^= 0x40 // d and dmin finite
						wb[3] &^= 0x40
					} else {
						wb[209] &^= 0x40
					}
				}
				if got, want := c.asm(n, w, x), c.want(n, w, x); math.Float32bits(got) != math.Float32bits(want) {
					t.Errorf("neon %.9g, generic %.9g", got, want)
				}
			}
		})
	}
}

// TestNEONF16RowsX32 checks the attention rows (F16 rows a stride apart,
// the activation as fp16 values in float32) against the generic row loop,
// with guard bytes between the rows.
func TestNEONF16RowsX32(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(8, 1))
	for _, n := range append([]int{0}, floatLens...) {
		for _, rows := range []int{1, 3, 5} {
			stride := 2*n + 6
			w := make([]byte, rows*stride)
			for i := range w {
				w[i] = neonGuard
			}
			for i := range rows {
				copy(w[i*stride:], quantRow(t, tensor.F16, randVec(r, n)))
			}
			x := randVec(r, n)
			RoundF16(x, x)
			scale := float32(r.NormFloat64())
			got := make([]float32, rows)
			dotF16RowsX32Asm(n, w, stride, x, scale, got)
			for i := range rows {
				want := dotHalfRowX32(n, u16view(w[i*stride:i*stride+2*n]), x) * scale
				if math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Errorf("n=%d row %d/%d: neon %.9g, generic %.9g", n, i, rows, got[i], want)
				}
			}
		}
	}
}

func TestNEONDotF32MatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(2, 9))
	for _, n := range append([]int{0}, floatLens...) {
		a, b := randVec(r, n), randVec(r, n+3) // b longer: min length is used
		if got, want := dotF32Asm(a, b), dotF32Generic(a, b); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d: neon %.9g, generic %.9g", n, got, want)
		}
		if got, want := dotF32Asm(b, a), dotF32Generic(b, a); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d swapped: neon %.9g, generic %.9g", n, got, want)
		}
	}
}

func TestNEONAxpyMatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(4, 6))
	for _, n := range append([]int{0}, floatLens...) {
		x := randVec(r, n)
		y := randVec(r, n+2) // y[n:] are guards the kernel must not touch
		want := append([]float32(nil), y...)
		alpha := float32(r.NormFloat64())
		axpyGeneric(alpha, x, want[:n])
		axpyAsm(alpha, x, y)
		for i := range y {
			if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
				t.Errorf("n=%d: y[%d] = %.9g, want %.9g", n, i, y[i], want[i])
				break
			}
		}
	}
}

// TestPathNamesNEON checks the set chosen for this CPU and the caps of
// PLUME_KERNELS.
func TestPathNamesNEON(t *testing.T) {
	want := "generic"
	switch {
	case hasI8MM:
		want = "neon+dotprod+i8mm"
	case hasDotProd:
		want = "neon+dotprod"
	case hasNEON:
		want = "neon"
	}
	switch os.Getenv(EnvKernels) {
	case "generic":
		want = "generic"
	case "neon":
		if hasNEON {
			want = "neon"
		}
	case "dotprod", "neon+dotprod":
		if hasDotProd {
			want = "neon+dotprod"
		}
	}
	if Path() != want {
		t.Errorf("Path() = %q, want %q (ASIMD %v, dotprod %v, i8mm %v, %s=%q)", Path(), want, hasNEON, hasDotProd, hasI8MM, EnvKernels, os.Getenv(EnvKernels))
	}
	all := armSets{neon: true, dotprod: true, i8mm: true}
	dot := armSets{neon: true, dotprod: true}
	for _, c := range []struct {
		limit string
		cpu   armSets
		want  string
	}{
		{"", all, "neon+dotprod+i8mm"},
		{"", dot, "neon+dotprod"},
		{"", armSets{neon: true}, "neon"},
		{"", armSets{}, "generic"},
		{"i8mm", all, "neon+dotprod+i8mm"},
		{"i8mm", dot, "neon+dotprod"},
		{"dotprod", all, "neon+dotprod"},
		{"neon+dotprod", all, "neon+dotprod"},
		{"neon+dotprod", armSets{neon: true}, "neon"},
		{"neon", all, "neon"},
		{"neon", armSets{}, "generic"},
		{"generic", all, "generic"},
		{"bogus", all, "neon+dotprod+i8mm"},
	} {
		if got := capKernels(c.limit, c.cpu).name; got != c.want {
			t.Errorf("capKernels(%q, %+v) = %q, want %q", c.limit, c.cpu, got, c.want)
		}
	}
	checkCapNames(t, func(limit string) string { return capKernels(limit, all).name })
	if neonKernels.dot[tensor.Q8_0] == nil || dotProdKernels.dot[tensor.Q8_0] == nil || i8mmKernels.dot[tensor.Q8_0] == nil {
		t.Fatal("NEON sets lack the Q8_0 kernel")
	}
}

// TestNEONRows4MatchesOneRow checks the four-row decode kernels against
// four calls of the generic one-row kernel, bit for bit, with rows at odd
// offsets and guard bytes between them, and their bounds checks.
func TestNEONRows4MatchesOneRow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for _, c := range []struct {
		name      string
		typ       tensor.Type
		dotprod   bool
		four      rows4Func
		one       dotFunc
		blockElem int
	}{
		{"Q8_0 sdot", tensor.Q8_0, true, dotQ8_0Rows4SDOTAsm, dotQ8_0Q8_0, 32},
		{"Q8_0 neon", tensor.Q8_0, false, dotQ8_0Rows4NEONAsm, dotQ8_0Q8_0, 32},
		{"Q5_0 sdot", tensor.Q5_0, true, dotQ5_0Rows4SDOTAsm, dotQ5_0Q8_0, 32},
		{"Q5_0 neon", tensor.Q5_0, false, dotQ5_0Rows4NEONAsm, dotQ5_0Q8_0, 32},
		{"Q4_K packed sdot", tensor.Q4_K, true, dotQ4KPackedRows4SDOTAsm, dotQ4KQ8KPacked, 256},
		{"Q4_K packed neon", tensor.Q4_K, false, dotQ4KPackedRows4NEONAsm, dotQ4KQ8KPacked, 256},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !requireNEON(t, c.dotprod) {
				return
			}
			for _, nb := range []int{0, 1, 2, 3, 7, 8, 17, 33} {
				n := c.blockElem * nb
				rb := rowSize(t, c.typ, n) + r.IntN(5)
				buf := make([]byte, 4*rb)
				for i := range buf {
					buf[i] = neonGuard
				}
				for i := range 4 {
					copy(buf[i*rb:], quantRow(t, c.typ, randVec(r, n)))
				}
				w := neonPlaced(buf[:3*rb+rowSize(t, c.typ, n)], 1)
				xq := neonPlaced(actRow(t, c.typ, randVec(r, n)), 3)
				out := [4]float32{1, 2, 3, 4}
				c.four(n, w, rb, xq, &out)
				for i := range 4 {
					want := c.one(n, w[i*rb:i*rb+rowSize(t, c.typ, n)], xq)
					if math.Float32bits(out[i]) != math.Float32bits(want) {
						t.Errorf("nb=%d row %d: %.9g, want %.9g", nb, i, out[i], want)
					}
				}
			}
			n2 := 2 * c.blockElem
			rb2, xr2 := rowSize(t, c.typ, n2), rowSize(t, VecDotType(c.typ), n2)
			for _, bad := range []struct {
				name string
				call func()
			}{
				{"short weights", func() { c.four(n2, make([]byte, 3*rb2+rb2-1), rb2, make([]byte, xr2), new([4]float32)) }},
				{"short activation", func() { c.four(n2, make([]byte, 4*rb2), rb2, make([]byte, xr2-1), new([4]float32)) }},
				{"overlapping rows", func() { c.four(n2, make([]byte, 4*rb2), rb2-1, make([]byte, xr2), new([4]float32)) }},
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
