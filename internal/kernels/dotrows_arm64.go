//go:build !purego

package kernels

// dotQ8_0Rows4SDOT sets out[r] = dotQ8_0Q8_0(32*nb, w[r*rowBytes:], x) for
// r < 4 (the decode kernel: the activation's blocks are loaded once for
// four rows), each row's arithmetic that of dotQ8_0SDOT.
// len(w) >= 3*rowBytes + 34*nb, rowBytes >= 34*nb, len(x) >= 34*nb,
// len(out) >= 4. Needs dotprod.
//
//go:noescape
func dotQ8_0Rows4SDOT(w []byte, rowBytes int, x []byte, nb int, out []float32)

// dotQ8_0Rows4NEON is dotQ8_0Rows4SDOT without dotprod.
//
//go:noescape
func dotQ8_0Rows4NEON(w []byte, rowBytes int, x []byte, nb int, out []float32)

func dotQ8_0Rows4SDOTAsm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	if nb := rows4Blocks("dotQ8_0Rows4SDOTAsm", n, w, rowBytes, x, 32, q8_0Bytes, q8_0Bytes, out); nb > 0 {
		dotQ8_0Rows4SDOT(w, rowBytes, x, nb, out[:])
	}
}

func dotQ8_0Rows4NEONAsm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	if nb := rows4Blocks("dotQ8_0Rows4NEONAsm", n, w, rowBytes, x, 32, q8_0Bytes, q8_0Bytes, out); nb > 0 {
		dotQ8_0Rows4NEON(w, rowBytes, x, nb, out[:])
	}
}

// dotQ5_0Rows4SDOT is dotQ8_0Rows4SDOT for Q5_0 weight rows: out[r] =
// dotQ5_0Q8_0(32*nb, w[r*rowBytes:], x) for r < 4. len(w) >= 3*rowBytes +
// 22*nb, rowBytes >= 22*nb, len(x) >= 34*nb, len(out) >= 4. Needs dotprod.
//
//go:noescape
func dotQ5_0Rows4SDOT(w []byte, rowBytes int, x []byte, nb int, out []float32)

// dotQ5_0Rows4NEON is dotQ5_0Rows4SDOT without dotprod.
//
//go:noescape
func dotQ5_0Rows4NEON(w []byte, rowBytes int, x []byte, nb int, out []float32)

func dotQ5_0Rows4SDOTAsm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	if nb := rows4Blocks("dotQ5_0Rows4SDOTAsm", n, w, rowBytes, x, 32, q5_0Bytes, q8_0Bytes, out); nb > 0 {
		dotQ5_0Rows4SDOT(w, rowBytes, x, nb, out[:])
	}
}

func dotQ5_0Rows4NEONAsm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	if nb := rows4Blocks("dotQ5_0Rows4NEONAsm", n, w, rowBytes, x, 32, q5_0Bytes, q8_0Bytes, out); nb > 0 {
		dotQ5_0Rows4NEON(w, rowBytes, x, nb, out[:])
	}
}
