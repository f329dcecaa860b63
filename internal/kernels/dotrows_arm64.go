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

// The entries of the four-row kernels, as dispatch_arm64.go installs them.
var (
	dotQ8_0Rows4SDOTAsm = rows4Entry("dotQ8_0Rows4SDOTAsm", dotQ8_0Rows4SDOT, 32, q8_0Bytes, q8_0Bytes)
	dotQ8_0Rows4NEONAsm = rows4Entry("dotQ8_0Rows4NEONAsm", dotQ8_0Rows4NEON, 32, q8_0Bytes, q8_0Bytes)
	dotQ5_0Rows4SDOTAsm = rows4Entry("dotQ5_0Rows4SDOTAsm", dotQ5_0Rows4SDOT, 32, q5_0Bytes, q8_0Bytes)
	dotQ5_0Rows4NEONAsm = rows4Entry("dotQ5_0Rows4NEONAsm", dotQ5_0Rows4NEON, 32, q5_0Bytes, q8_0Bytes)
)
