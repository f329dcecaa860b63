//go:build !purego

package kernels

// Float32 vector helpers of Softmax and RoPE on arm64 (vec_arm64.s).

// ropePairsNEON rotates the first 4*(len(cs)/8) pairs of x as RoPE does
// (x[a], x[b] = fma(x0, c, -(x1*s)), fma(x0, s, x1*c) with (a, b) = (2k,
// 2k+1), or (k, k+len(cs)/2) in neox mode) and returns how many it did.
// len(x) >= len(cs).
//
//go:noescape
func ropePairsNEON(x, cs []float32, neox bool) int

// ropePairsAsm is the bounds-checked entry of ropePairsNEON.
func ropePairsAsm(x, cs []float32, neox bool) int {
	return ropePairsNEON(x[:len(cs)], cs, neox)
}

// scaleGroupsNEON multiplies the whole groups of eight of x by s (x[i] *=
// s, rounded) and returns how many elements it did.
//
//go:noescape
func scaleGroupsNEON(x []float32, s float32) int

// maxGroupsNEON returns how many elements of x (whole groups of eight) it
// looked at and their maximum (-Inf for none; FMAX, which keeps a NaN).
//
//go:noescape
func maxGroupsNEON(x []float32) (int, float32)
