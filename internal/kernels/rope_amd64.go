//go:build !purego

package kernels

// ropeNormAVX2 rotates the n pairs (x[2k], x[2k+1]) with (cs[2k], cs[2k+1])
// like RoPE's normal mode; n is a multiple of 4, len(x), len(cs) >= 2n.
//
//go:noescape
func ropeNormAVX2(x, cs []float32, n int)

// ropeNeoxAVX2 rotates the n pairs (x[k], x[k+half]) with (cs[2k],
// cs[2k+1]) like RoPE's neox mode; n is a multiple of 8, n <= half,
// len(x) >= half+n, len(cs) >= 2n.
//
//go:noescape
func ropeNeoxAVX2(x, cs []float32, n, half int)

// ropePairs is kernelSet.ropePairs: the whole groups of pairs of RoPE in
// assembly (four pairs at a time in normal mode, eight in neox mode); it
// returns how many pairs it rotated. len(x) >= len(cs), len(cs) even.
func ropePairs(x, cs []float32, neox bool) int {
	half := len(cs) / 2
	if neox {
		n := half &^ 7
		if n > 0 {
			_ = x[half+n-1]
			ropeNeoxAVX2(x, cs[:2*n], n, half)
		}
		return n
	}
	n := half &^ 3
	if n > 0 {
		ropeNormAVX2(x[:2*n], cs[:2*n], n)
	}
	return n
}
