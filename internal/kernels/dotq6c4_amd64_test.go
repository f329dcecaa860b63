//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// One Q6_K row times four activation rows equals four one-row dot products
// (generic and assembly), bit for bit, for quantized and for random bytes
// (every scale, quant and high-bit pattern), at misaligned offsets.
func TestAsmQ6KCols4MatchesOneRow(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(6, 11))
	for _, tc := range []struct {
		nb  int
		raw bool // random weight bytes instead of a quantized row
	}{{0, false}, {1, false}, {2, true}, {3, false}, {5, true}, {8, false}} {
		n := 256 * tc.nb
		xb := tc.nb*q8KBytes + r.IntN(3)
		x := make([]byte, 4*xb)
		for i := range 4 {
			copy(x[i*xb:], actRow(t, tensor.Q6_K, randVec(r, n)))
		}
		w := quantRow(t, tensor.Q6_K, randVec(r, n))
		if tc.raw {
			for i := range w {
				w[i] = byte(r.Uint32())
			}
			fixScales(tensor.Q6_K, w)
		}
		w, x = placed(w, 3), placed(x, 1)
		for _, k := range []struct {
			name string
			has  bool
			f    cols4Func
		}{{"avx2", true, dotQ6KCols4Asm}, {"zmm-vnni", hasAVX512ZMM, dotQ6KCols4ZMMVNNIAsm}, {"zmm", hasAVX512, dotQ6KCols4ZMMAsm}} {
			if !k.has {
				t.Logf("%s: not on this CPU (scripts/avx512/run.sh runs it emulated)", k.name)
				continue
			}
			var out [4]float32
			k.f(n, w, x, xb, &out)
			for a := range 4 {
				want := dotQ6KQ8K(n, w, x[a*xb:])
				asm := dotQ6KAsm(n, w, x[a*xb:])
				if math.Float32bits(out[a]) != math.Float32bits(want) || math.Float32bits(asm) != math.Float32bits(want) {
					t.Errorf("%s nb=%d act %d: cols4 %.9g, one-row asm %.9g, generic %.9g", k.name, tc.nb, a, out[a], asm, want)
				}
			}
		}
	}
}
