//go:build !purego

package kernels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// The assembly activation quantizer writes tensor.QuantizeQ8_0's bytes:
// random rows, rows with ties (x*id exactly halfway), all-zero blocks,
// denormal-scale blocks, and guard bytes after the row.
func TestAsmQuantQ8_0MatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(8, 1))
	for _, nb := range []int{0, 1, 2, 3, 17, 64} {
		for variant := range 4 {
			x := make([]float32, 32*nb)
			for i := range x {
				switch variant {
				case 0:
					x[i] = float32(r.NormFloat64() * 3)
				case 1: // ties: multiples of 0.5 with max 127
					x[i] = float32(r.IntN(255)-127) / 2
				case 2: // some zero blocks
					if (i/32)%2 == 0 {
						x[i] = float32(r.NormFloat64())
					}
				case 3: // tiny magnitudes (127/max must stay finite: max > 3.7e-37)
					x[i] = float32(r.NormFloat64() * 1e-30)
				}
			}
			if variant == 1 && nb > 0 {
				x[0] = 127
			}
			want := make([]byte, 34*nb)
			if err := tensor.QuantizeQ8_0(x, want); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 34*nb+8)
			for i := range got {
				got[i] = guardByte
			}
			quantQ8_0Asm(x, got[:34*nb])
			if !bytes.Equal(got[:34*nb], want) {
				t.Fatalf("nb=%d variant=%d: bytes differ", nb, variant)
			}
			if !bytes.Equal(got[34*nb:], bytes.Repeat([]byte{guardByte}, 8)) {
				t.Fatalf("nb=%d: wrote past the row", nb)
			}
		}
	}
}

// The fp16 conversion matches tensor.F32ToF16 on every rounding case:
// ties, overflow to infinity, half subnormals, float32 subnormals, NaN.
func TestAsmF32ToF16MatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(3, 3))
	special := []float32{0, 65504, 65520, 65519.99, 1e6, 6e-8, 3e-8, 2.98e-8, 1e-40, 1.0009765625, 1.00048828125,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), -2.5e-5}
	for _, n := range []int{0, 1, 7, 8, 9, 31, 100} {
		x := make([]float32, n)
		for i := range x {
			if r.IntN(3) == 0 {
				x[i] = special[r.IntN(len(special))]
			} else {
				x[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(12)-6)))
			}
		}
		got := make([]uint16, n+1)
		got[n] = 0xbeef
		f32ToF16Asm(x, got[:n])
		for i, v := range x {
			if want := tensor.F32ToF16(v); got[i] != want {
				t.Fatalf("n=%d: fp16(%g) = %#04x, want %#04x", n, v, got[i], want)
			}
		}
		if got[n] != 0xbeef {
			t.Fatalf("n=%d: wrote past the end", n)
		}
	}
}

// q8KBlock fills one 256-value block for the Q8_K equality table.
type q8KBlock func(r *rand.Rand, x []float32)

// q8KCases are the Q8_K equality cases; each fills every block of its row.
var q8KCases = []struct {
	name string
	fill q8KBlock
}{
	{"normal", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(r.NormFloat64() * 2)
		}
	}},
	{"zero", func(_ *rand.Rand, x []float32) { clear(x) }},
	{"negzero", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(math.Copysign(0, float64(r.IntN(2)-1)))
		}
	}},
	{"max-first", func(r *rand.Rand, x []float32) {
		fillSmall(r, x)
		x[0] = -3
	}},
	{"max-last", func(r *rand.Rand, x []float32) {
		fillSmall(r, x)
		x[255] = 3
	}},
	// ties between +a and -a: the first occurrence wins (its sign sets iscale)
	{"tie-0-255", tiePair(0, 255, 2.5)},
	{"tie-255-0", tiePair(255, 0, 2.5)}, // -a at 0 comes first
	{"tie-same-lane", tiePair(9, 8, 1.75)},
	{"tie-same-group", tiePair(13, 10, -1.75)},
	{"tie-across-chunks", tiePair(200, 31, 4)},
	{"tie-last-chunk", tiePair(255, 224, 4)},
	{"tie-many", func(r *rand.Rand, x []float32) {
		fillSmall(r, x)
		for i := 40; i < 256; i += 37 {
			x[i] = float32(2 * (r.IntN(2)*2 - 1))
		}
	}},
	// half-integer products: iscale = ∓1, ∓2, ties to even in nearest_int
	{"halves-127", halves(127, 2)},
	{"halves-neg127", halves(-127, 2)},
	{"quarters-63.5", halves(63.5, 4)},
	{"quarters-neg63.5", halves(-63.5, 4)},
	{"product-ties", productTies},
	{"tiny", scaled(1e-30)},
	{"huge", scaled(1e30)},
	{"maxfloat", func(r *rand.Rand, x []float32) {
		scaled(1)(r, x)
		x[r.IntN(256)] = -math.MaxFloat32
	}},
	// below 127/MaxFloat32 iscale overflows to ∓Inf; float32 subnormals
	{"iscale-overflow", scaled(1e-38)},
	{"subnormal", scaled(1e-43)},
	{"inf", special(float32(math.Inf(1)), float32(math.Inf(-1)))},
	{"nan", special(float32(math.NaN()), -float32(math.NaN()))},
	// NaN payloads whose mantissa exceeds 127 after nearest_int's subtraction
	{"nan-payload", special(math.Float32frombits(0x7fc12345), math.Float32frombits(0xff8000ff),
		math.Float32frombits(0x7f800001), math.Float32frombits(0x7fc0007f))},
	{"nan-only", func(_ *rand.Rand, x []float32) {
		for i := range x {
			x[i] = math.Float32frombits(0x7fc00000 | uint32(i))
		}
	}},
	{"nan-inf-mix", special(float32(math.NaN()), float32(math.Inf(-1)), math.Float32frombits(0xffc0abcd))},
	{"random-bits", func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = math.Float32frombits(r.Uint32())
		}
	}},
}

// fillSmall fills x with values of magnitude below 1.
func fillSmall(r *rand.Rand, x []float32) {
	for i := range x {
		x[i] = float32(r.Float64()*2 - 1)
	}
}

// tiePair puts a at index first and -a at index second over values below 1.
func tiePair(first, second int, a float32) q8KBlock {
	return func(r *rand.Rand, x []float32) {
		fillSmall(r, x)
		x[first], x[second] = a, -a
	}
}

// halves fills x with multiples of 1/den in [-|m|, |m|] and sets one value
// to m (the block maximum, so iscale*x lands on exact halves).
func halves(m float32, den int) q8KBlock {
	return func(r *rand.Rand, x []float32) {
		lim := int(math.Abs(float64(m)) * float64(den))
		for i := range x {
			x[i] = float32(r.IntN(2*lim+1)-lim) / float32(den)
		}
		x[r.IntN(256)] = m
	}
}

// productTies fills x with values whose float32 product with iscale is an
// exact half k+0.5 while the exact product is not: nearest_int of the rounded
// product ties to even, while a fused multiply-add (iscale*x + 1.5*2^23 in
// one rounding) would round the other way. The block maximum is x[0].
func productTies(r *rand.Rand, x []float32) {
	vmax := float32(100 + r.Float64())
	if r.IntN(2) == 0 {
		vmax = -vmax
	}
	iscale := -127 / vmax
	clear(x)
	x[0] = vmax
	i := 1
	for k := -126; k < 126 && i < len(x); k++ {
		t := float64(k) + 0.5
		x0 := float32(t / float64(iscale))
		for _, v := range []float32{x0, math.Nextafter32(x0, 0), math.Nextafter32(x0, 1e9), math.Nextafter32(x0, -1e9)} {
			if float64(float32(iscale*v)) == t && float64(iscale)*float64(v) != t && i < len(x) {
				x[i] = v
				i++
			}
		}
	}
}

// scaled fills x with normal values times s.
func scaled(s float64) q8KBlock {
	return func(r *rand.Rand, x []float32) {
		for i := range x {
			x[i] = float32(r.NormFloat64() * s)
		}
	}
}

// special fills x with normal values and scatters vals over a quarter of it.
func special(vals ...float32) q8KBlock {
	return func(r *rand.Rand, x []float32) {
		scaled(1)(r, x)
		for range 64 {
			x[r.IntN(256)] = vals[r.IntN(len(vals))]
		}
	}
}

// The assembly Q8_K quantizer writes tensor.QuantizeQ8_K's bytes for every
// case (ties, zero blocks, extreme scales, NaN and Inf), on rows of 1, 2 and
// 5 blocks, one case per row or alternating with normal blocks, and leaves
// the bytes after the row alone.
func TestAsmQuantQ8_KMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(8, 11))
	const guard = 64
	for _, tc := range q8KCases {
		for _, nb := range []int{0, 1, 2, 5} {
			for _, mixed := range []bool{false, true} {
				x := make([]float32, nb*tensor.QK_K)
				for b := range nb {
					xb := x[b*tensor.QK_K : (b+1)*tensor.QK_K]
					if mixed && b%2 == 1 {
						q8KCases[0].fill(r, xb)
					} else {
						tc.fill(r, xb)
					}
				}
				n := nb * q8KBytes
				want := make([]byte, n)
				if err := tensor.QuantizeQ8_K(x, want); err != nil {
					t.Fatal(err)
				}
				got := bytes.Repeat([]byte{guardByte}, n+guard)
				quantQ8_KAsm(x, got[:n])
				if i := firstDiff(got[:n], want); i >= 0 {
					t.Fatalf("%s nb=%d mixed=%v: byte %d (block %d offset %d) = %#02x, want %#02x",
						tc.name, nb, mixed, i, i/q8KBytes, i%q8KBytes, got[i], want[i])
				}
				if !bytes.Equal(got[n:], bytes.Repeat([]byte{guardByte}, guard)) {
					t.Fatalf("%s nb=%d: wrote past the row", tc.name, nb)
				}
			}
		}
	}
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// The test table really exercises what it claims: a tie case takes the sign
// of the first occurrence (d > 0 when -a comes first, since iscale = -127/vmax),
// the overflow case gives d = -0 or +0, and productTies finds enough values.
func TestQuantQ8_KCasesShape(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, tensor.QK_K)
	out := make([]byte, q8KBytes)
	for _, c := range []struct {
		fill  q8KBlock
		wantD func(d float32) bool
	}{
		{tiePair(255, 0, 2.5), func(d float32) bool { return d > 0 }}, // vmax = x[0] = -2.5
		{tiePair(0, 255, 2.5), func(d float32) bool { return d < 0 }}, // vmax = x[0] = 2.5
		{tiePair(9, 8, 1.75), func(d float32) bool { return d > 0 }},  // vmax = x[8] = -1.75
		{scaled(1e-38), func(d float32) bool { return d == 0 }},
	} {
		c.fill(r, x)
		if err := tensor.QuantizeQ8_K(x, out); err != nil {
			t.Fatal(err)
		}
		if d := math.Float32frombits(binary.LittleEndian.Uint32(out)); !c.wantD(d) {
			t.Errorf("unexpected d = %g", d)
		}
	}
	productTies(r, x)
	if n := len(x) - count(x, 0); n < 100 {
		t.Errorf("productTies found only %d values", n)
	}
}

// count returns how many elements of x equal v.
func count(x []float32, v float32) int {
	n := 0
	for _, e := range x {
		if e == v {
			n++
		}
	}
	return n
}

// BenchmarkQuantQ8_K compares the Go reference with the assembly quantizer.
func BenchmarkQuantQ8_K(b *testing.B) {
	requireAVX2(b)
	for _, n := range []int{2048, 8192} {
		r := rand.New(rand.NewPCG(5, uint64(n)))
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		dst := make([]byte, n/tensor.QK_K*q8KBytes)
		b.Run(fmt.Sprintf("go/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				if err := tensor.QuantizeQ8_K(x, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("asm/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				quantQ8_KAsm(x, dst)
			}
		})
	}
}
