//go:build !purego

package kernels

//go:noescape
func dotQ6KC4AVX2(w []byte, x []byte, xstride int, nb int, acc []float32, out []float32)

// dotQ6KCols4 computes out[a] = dotQ6KQ8K(n, w, x[a*xBytes:]) for a = 0..3
// (one Q6_K weight row times four Q8_K activation rows), bit for bit.
func dotQ6KCols4(n int, w []byte, x []byte, xBytes int, out *[4]float32) {
	nb := n / 256
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = w[nb*q6KBytes-1] // the last bytes the assembly reads
	_ = x[3*xBytes+nb*q8KBytes-1]
	if xBytes < nb*q8KBytes {
		panic("kernels: dotQ6KCols4: rows overlap")
	}
	var acc [32]float32
	dotQ6KC4AVX2(w, x, xBytes, nb, acc[:], out[:])
}
