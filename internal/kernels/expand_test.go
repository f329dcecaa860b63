package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// An expanded row holds exactly the values of the original: same
// dequantization, and the Q8_0 dot kernel gives the original kernel's
// result bit for bit.
func TestExpandQ5_0(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 7))
	for _, nb := range []int{0, 1, 3, 28} {
		n := 32 * nb
		w := quantRow(t, tensor.Q5_0, randVec(r, n))
		e := make([]byte, rowSize(t, tensor.Q8_0, n))
		expandQ5_0(n, w, e)
		if a, b := dequant(t, tensor.Q5_0, w, n), dequant(t, tensor.Q8_0, e, n); !slices.Equal(a, b) {
			t.Fatalf("nb=%d: expanded row dequantizes differently", nb)
		}
		xq := actRow(t, tensor.Q5_0, randVec(r, n))
		if a, b := VecDot(tensor.Q5_0, n, w, xq), VecDot(tensor.Q8_0, n, e, xq); a != b {
			t.Fatalf("nb=%d: dot %g, expanded %g", nb, a, b)
		}
	}
}
