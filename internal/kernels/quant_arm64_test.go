//go:build !purego

package kernels

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// TestNEONQuantQ8_0MatchesGeneric checks that the NEON activation quantizer
// writes tensor.QuantizeQ8_0's bytes: random rows, ties (x*id exactly
// halfway), all-zero blocks, tiny blocks (127/amax overflowing to +Inf
// included), blocks with an infinity or a NaN, and guard bytes after the
// row.
func TestNEONQuantQ8_0MatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(8, 1))
	for _, nb := range []int{0, 1, 2, 3, 17, 64} {
		for variant := range 6 {
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
				case 3: // tiny magnitudes
					x[i] = float32(r.NormFloat64() * 1e-30)
				case 4: // 127/amax = +Inf, some zeros
					if r.IntN(3) > 0 {
						x[i] = float32(r.NormFloat64() * 1e-39)
					}
				case 5: // hostile: an infinity or a NaN in some blocks
					x[i] = float32(r.NormFloat64())
					if i%32 == 5 && (i/32)%3 == 1 {
						x[i] = float32(math.Inf(1 - 2*(i/32%2)))
					} else if i%32 == 9 && (i/32)%3 == 2 {
						x[i] = float32(math.NaN())
					}
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
				got[i] = neonGuard
			}
			quantQ8_0Asm(x, got[:34*nb])
			if !bytes.Equal(got[:34*nb], want) {
				t.Errorf("nb=%d variant=%d: bytes differ\n got %x\nwant %x", nb, variant, got[:min(len(want), 68)], want[:min(len(want), 68)])
			}
			if !bytes.Equal(got[34*nb:], bytes.Repeat([]byte{neonGuard}, 8)) {
				t.Errorf("nb=%d: wrote past the row", nb)
			}
		}
	}
}

// TestNEONQuantQ8_KMatchesGeneric checks the Q8_K quantizer against
// tensor.QuantizeQ8_K: random rows, ties of the rounding, equal magnitudes
// of both signs (the first one sets the sign of the scale), zero blocks,
// tiny blocks (iscale = ±Inf), infinities, NaNs, and guard bytes.
func TestNEONQuantQ8_KMatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(9, 2))
	const qk = tensor.QK_K
	for _, nb := range []int{0, 1, 2, 5} {
		for variant := range 7 {
			x := make([]float32, qk*nb)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 3)
				switch variant {
				case 1:
					x[i] = float32(r.IntN(255)-127) / 2
				case 2:
					if (i/qk)%2 == 0 {
						x[i] = 0
					}
				case 3:
					x[i] = float32(r.NormFloat64() * 1e-39)
				case 4:
					if i%qk == 7 {
						x[i] = float32(math.Inf(1 - 2*(i/qk%2)))
					}
				case 5:
					if i%5 == 0 {
						x[i] = float32(math.NaN())
					}
					if i%qk < 32 && (i/qk)%2 == 1 {
						x[i] = float32(math.NaN())
					}
				case 6: // ±max: the first occurrence's sign wins
					if i%qk == 3 {
						x[i] = 9
					} else if i%qk == 200 {
						x[i] = -9
					}
				}
			}
			if variant == 1 && nb > 0 {
				x[0] = -127
			}
			if variant == 5 && nb > 1 { // an all-NaN block
				for i := qk; i < 2*qk; i++ {
					x[i] = float32(math.NaN())
				}
			}
			want := make([]byte, q8KBytes*nb)
			if err := tensor.QuantizeQ8_K(x, want); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, q8KBytes*nb+8)
			for i := range got {
				got[i] = neonGuard
			}
			quantQ8_KAsm(x, got[:q8KBytes*nb])
			if !bytes.Equal(got[:q8KBytes*nb], want) {
				for i := range want {
					if got[i] != want[i] {
						t.Errorf("nb=%d variant=%d: byte %d = %#x, want %#x", nb, variant, i, got[i], want[i])
						break
					}
				}
			}
			if !bytes.Equal(got[q8KBytes*nb:], bytes.Repeat([]byte{neonGuard}, 8)) {
				t.Errorf("nb=%d: wrote past the row", nb)
			}
		}
	}
}

// TestNEONF16ConversionMatchesGeneric checks the fp16 conversion and the
// fp16 rounding against tensor.F32ToF16 on every rounding case: ties,
// overflow to infinity, half subnormals, float32 subnormals, NaNs (with
// payloads), infinities, and the element past the end.
func TestNEONF16ConversionMatchesGeneric(t *testing.T) {
	if !requireNEON(t, false) {
		return
	}
	r := rand.New(rand.NewPCG(3, 3))
	special := []float32{0, float32(math.Copysign(0, -1)), 65504, 65520, 65519.99, 1e6, 6e-8, 3e-8, 2.98e-8, 1e-40,
		1.0009765625, 1.00048828125, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.Float32frombits(0x7f800001), math.Float32frombits(0xffc12345), -2.5e-5}
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
		rounded := make([]float32, n+1)
		rounded[n] = 42
		roundF16Asm(rounded[:n], x)
		for i, v := range x {
			want := tensor.F32ToF16(v)
			if got[i] != want {
				t.Errorf("n=%d: fp16(%g) = %#04x, want %#04x", n, v, got[i], want)
			}
			if w := tensor.F16ToF32(want); math.Float32bits(rounded[i]) != math.Float32bits(w) {
				t.Errorf("n=%d: round(%g) = %#08x, want %#08x", n, v, math.Float32bits(rounded[i]), math.Float32bits(w))
			}
		}
		if got[n] != 0xbeef || rounded[n] != 42 {
			t.Errorf("n=%d: wrote past the end", n)
		}
		inPlace := append([]float32(nil), x...)
		roundF16Asm(inPlace, inPlace)
		for i := range x {
			if math.Float32bits(inPlace[i]) != math.Float32bits(rounded[i]) {
				t.Errorf("n=%d: in place, element %d differs", n, i)
			}
		}
	}
}
