//go:build !purego

package kernels

// dotQ8_0R4AVX2 computes out[r] = dotQ8_0Q8_0(32*nb, w[r*stride:], x) for
// r = 0..3 — four weight rows stride bytes apart times one activation row,
// each bit-identical to the one-row kernel (llamafile's tinyBLAS 4×1 tile).
// len(w) >= 3*stride + 34*nb, len(x) >= 34*nb, len(out) >= 4.
//
//go:noescape
func dotQ8_0R4AVX2(w []byte, stride int, x []byte, nb int, out []float32)

// dotQ8_0Rows4 is the bounds-checked entry of dotQ8_0R4AVX2: w holds four
// consecutive rows of n elements (rowBytes each).
func dotQ8_0Rows4(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	nb := n / 32
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = w[3*rowBytes+nb*q8_0Bytes-1] // the last byte the assembly reads
	_ = x[nb*q8_0Bytes-1]
	if rowBytes < nb*q8_0Bytes {
		panic("kernels: dotQ8_0Rows4: rows overlap")
	}
	dotQ8_0R4AVX2(w, rowBytes, x, nb, out[:])
}

// dotQ5_0R4AVX2 is dotQ8_0R4AVX2 for Q5_0 weight rows (dotQ5_0Q8_0 each).
// len(w) >= 3*stride + 22*nb, len(x) >= 34*nb, len(out) >= 4.
//
//go:noescape
func dotQ5_0R4AVX2(w []byte, stride int, x []byte, nb int, out []float32)

func dotQ5_0Rows4(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	nb := n / 32
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = w[3*rowBytes+nb*q5_0Bytes-1]
	_ = x[nb*q8_0Bytes-1]
	if rowBytes < nb*q5_0Bytes {
		panic("kernels: dotQ5_0Rows4: rows overlap")
	}
	dotQ5_0R4AVX2(w, rowBytes, x, nb, out[:])
}

// dotQ8_0R4C2AVX2 is the 4×2 tile: out[r] and out[4+r] are rows r = 0..3
// (stride bytes apart) times activation rows 0 and 1 (xstride bytes apart).
// len(w) >= 3*stride + 34*nb, len(x) >= xstride + 34*nb, len(out) >= 8.
//
//go:noescape
func dotQ8_0R4C2AVX2(w []byte, stride int, x []byte, xstride int, nb int, out []float32)

// dotQ8_0Tile42 computes the 4×2 tile with bounds checks: w holds four rows
// (rowBytes apart), x two activation rows (xBytes apart).
func dotQ8_0Tile42(n int, w []byte, rowBytes int, x []byte, xBytes int, out *[8]float32) {
	nb := n / 32
	if nb == 0 {
		*out = [8]float32{}
		return
	}
	_ = w[3*rowBytes+nb*q8_0Bytes-1]
	_ = x[xBytes+nb*q8_0Bytes-1]
	if rowBytes < nb*q8_0Bytes || xBytes < nb*q8_0Bytes {
		panic("kernels: dotQ8_0Tile42: rows overlap")
	}
	dotQ8_0R4C2AVX2(w, rowBytes, x, xBytes, nb, out[:])
}
