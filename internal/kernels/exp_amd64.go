//go:build !purego

package kernels

// softmaxExpAVX2 is the exponentiation pass of Softmax on whole groups of
// eight: x[i] = vexpf(x[i] - m[0]) and the return value is the float64 sum,
// group by group, of reduce8 of each group. len(x)%8 == 0, len(m) >= 8 (all
// equal to the maximum).
//
//go:noescape
func softmaxExpAVX2(x []float32, m []float32) float64

// siluMulAVX2 is SiLUMul on whole groups of eight: gate[i] =
// (gate[i] / (1 + vexpf(0-gate[i]))) * up[i]. len(gate)%8 == 0,
// len(up) >= len(gate).
//
//go:noescape
func siluMulAVX2(gate, up []float32)

// softmaxGroups runs softmaxExpAVX2 over the whole groups of x (bounds
// checked) and returns the number of elements done and their sum.
func softmaxGroups(x []float32, m float32) (int, float64) {
	n8 := len(x) &^ 7
	mv := [8]float32{m, m, m, m, m, m, m, m}
	return n8, softmaxExpAVX2(x[:n8], mv[:])
}

// siluMulGroups runs siluMulAVX2 over the whole groups of gate and returns
// the number of elements done.
func siluMulGroups(gate, up []float32) int {
	n8 := len(gate) &^ 7
	siluMulAVX2(gate[:n8], up[:n8])
	return n8
}
