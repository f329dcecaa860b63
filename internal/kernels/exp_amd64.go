//go:build !purego

package kernels

import "math"

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

// maxAVX2 returns the largest element of x (len(x) a multiple of 8, at
// least 8); a NaN in x may be dropped.
//
//go:noescape
func maxAVX2(x []float32) float32

// scaleAVX2 multiplies x by s in place (len(x) a multiple of 8).
//
//go:noescape
func scaleAVX2(x []float32, s float32)

// maxGroups is kernelSet.maxGroups: the maximum of the whole groups of
// eight of x (-Inf if there are none) and how many elements they hold.
func maxGroups(x []float32) (int, float32) {
	n8 := len(x) &^ 7
	if n8 == 0 {
		return 0, float32(math.Inf(-1))
	}
	return n8, maxAVX2(x[:n8])
}

// scaleGroups is kernelSet.scaleGroups: x[i] *= s on the whole groups of
// eight; it returns how many elements it did.
func scaleGroups(x []float32, s float32) int {
	n8 := len(x) &^ 7
	scaleAVX2(x[:n8], s)
	return n8
}
