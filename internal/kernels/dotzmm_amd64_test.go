//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// requireZMM skips t on CPUs without the ZMM kernels' features
// (scripts/avx512/run.sh runs these tests in an emulated Ice Lake).
func requireZMM(t testing.TB) {
	t.Helper()
	if !hasAVX512ZMM {
		t.Skip("no AVX-512 F/BW/VNNI on this CPU (scripts/avx512/run.sh runs these tests in an emulated Ice Lake)")
	}
}

// TestZMMRows4MatchesYMM checks the ZMM four-row kernels against the YMM
// (AVX2 and AVX-512 VNNI) ones bit for bit on arbitrary bytes (every int8,
// -128 included, where the sign emulation differs from VPSIGNB in form) and
// against the generic one-row kernel on quantized rows, with odd block
// counts, row padding and misaligned operands.
func TestZMMRows4MatchesYMM(t *testing.T) {
	requireZMM(t)
	r := rand.New(rand.NewPCG(11, 4))
	for _, c := range []struct {
		typ      tensor.Type
		zmm, ymm rows4Func
		one      dotFunc
		wBlock   int
	}{
		{tensor.Q8_0, dotQ8_0Rows4ZMMAsm, dotQ8_0Rows4Asm, dotQ8_0Q8_0, q8_0Bytes},
	} {
		for _, nb := range []int{0, 1, 2, 3, 7, 8, 17, 33, 128} {
			for _, hostile := range []bool{false, true} {
				t.Run(c.typ.String(), func(t *testing.T) {
					n := 32 * nb
					rb := nb*c.wBlock + r.IntN(5)
					var w, x []byte
					if hostile {
						w, x = randBytes(r, 4*rb), randBytes(r, nb*q8_0Bytes)
						for i := range 4 {
							setHalves(r, w[i*rb:i*rb+nb*c.wBlock], c.wBlock)
						}
						setHalves(r, x, q8_0Bytes)
					} else {
						w = make([]byte, 4*rb)
						for i := range 4 {
							copy(w[i*rb:], quantRow(t, c.typ, randVec(r, n)))
						}
						x = actRow(t, c.typ, randVec(r, n))
					}
					w, x = placed(w, 3), placed(x, 1)
					var got, want [4]float32
					c.zmm(n, w, rb, x, &got)
					c.ymm(n, w, rb, x, &want)
					for i := range 4 {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Errorf("nb=%d hostile=%v row %d: ZMM %.9g, YMM %.9g", nb, hostile, i, got[i], want[i])
						}
						if ref := c.one(n, w[i*rb:], x); !hostile && math.Float32bits(got[i]) != math.Float32bits(ref) {
							t.Errorf("nb=%d row %d: ZMM %.9g, generic %.9g", nb, i, got[i], ref)
						}
					}
				})
			}
		}
	}
}

// BenchmarkRows4ZMM compares the YMM (AVX-512 VNNI) and ZMM four-row Q8_0
// kernels in one run over a 64-row, 4096-column matrix (weights in L2),
// the A/B that decides whether the ZMM kernel is dispatched.
func BenchmarkRows4ZMM(b *testing.B) {
	requireZMM(b)
	r := rand.New(rand.NewPCG(1, 3))
	const n, rows = 4096, 64
	rb := n / 32 * q8_0Bytes
	w := make([]byte, 0, rows*rb)
	for range rows {
		w = append(w, quantRow(b, tensor.Q8_0, randVec(r, n))...)
	}
	xq := actRow(b, tensor.Q8_0, randVec(r, n))
	out := make([]float32, rows)
	for _, k := range []struct {
		name string
		f    rows4Func
	}{{"ymm", dotQ8_0Rows4VNNIAsm}, {"zmm", dotQ8_0Rows4ZMMAsm}} {
		b.Run("Q8_0/"+k.name, func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				for i := 0; i < rows; i += 4 {
					k.f(n, w[i*rb:], rb, xq, (*[4]float32)(out[i:i+4]))
				}
			}
		})
	}
}
