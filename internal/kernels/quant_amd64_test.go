//go:build !purego

package kernels

import (
	"bytes"
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
