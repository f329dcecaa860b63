//go:build !purego

package kernels

// Prompt-batch (cols4) kernels of the legacy formats on arm64 that are not
// expanded to Q8_0 (dotlc4_arm64.s): Q4_0 matrices that are not repacked
// (a row count that is not a multiple of eight), Q4_1 and Q5_1. One weight
// row times four activation rows, each weight block decoded once; every
// output is the one-row kernel's (dotQ4_0SDOT, dotQ4_1SDOT, dotQ5_1SDOT)
// bit for bit.

// dotQ4_0Cols4SDOT sets out[a] = dotQ4_0Q8_0(32*nb, w, x[a*xBytes:]) for
// a < 4: per block d = fp16(w.d)*fp16(x.d), acc[k] = fma(d, Σ_{j=4k}^{4k+3}
// q_w[j]·q_x[j], acc[k]) over eight lanes k (lane k < 4: elements 4k..4k+3
// of the low nibbles; k >= 4: of the high ones), then reduce8(acc); q_w =
// nibble - 8. len(w) >= 18*nb, len(x) >= 3*xBytes + 34*nb, xBytes >= 34*nb.
// Needs dotprod.
//
//go:noescape
func dotQ4_0Cols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)

// dotQ4_0Cols4NEON is dotQ4_0Cols4SDOT without dotprod.
//
//go:noescape
func dotQ4_0Cols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)

// dotQ4_1Cols4SDOT sets out[a] = dotQ4_1Q8_1(32*nb, w, x[a*xBytes:]) for
// a < 4: dotQ4_0Cols4SDOT's lanes with the unsigned nibbles (no offset),
// per block summs = fma(fp16(w.m), fp16(x.s), summs); result reduce8(acc) +
// summs. len(w) >= 20*nb, len(x) >= 3*xBytes + 36*nb, xBytes >= 36*nb.
// Needs dotprod.
//
//go:noescape
func dotQ4_1Cols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)

// dotQ4_1Cols4NEON is dotQ4_1Cols4SDOT without dotprod.
//
//go:noescape
func dotQ4_1Cols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)

// dotQ5_1Cols4SDOT sets out[a] = dotQ5_1Q8_1(32*nb, w, x[a*xBytes:]) for
// a < 4: dotQ4_1Cols4SDOT with the quants nibble | (qh>>j&1)<<4.
// len(w) >= 24*nb, len(x) >= 3*xBytes + 36*nb, xBytes >= 36*nb. Needs
// dotprod.
//
//go:noescape
func dotQ5_1Cols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)

// dotQ5_1Cols4NEON is dotQ5_1Cols4SDOT without dotprod.
//
//go:noescape
func dotQ5_1Cols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)

// The bounds-checked entries, as dispatch_arm64.go installs them.
var (
	dotQ4_0Cols4SDOTAsm = legacyCols4Asm("dotQ4_0Cols4SDOTAsm", dotQ4_0Cols4SDOT, q4_0Bytes, q8_0Bytes)
	dotQ4_0Cols4NEONAsm = legacyCols4Asm("dotQ4_0Cols4NEONAsm", dotQ4_0Cols4NEON, q4_0Bytes, q8_0Bytes)
	dotQ4_1Cols4SDOTAsm = legacyCols4Asm("dotQ4_1Cols4SDOTAsm", dotQ4_1Cols4SDOT, q4_1Bytes, q8_1Bytes)
	dotQ4_1Cols4NEONAsm = legacyCols4Asm("dotQ4_1Cols4NEONAsm", dotQ4_1Cols4NEON, q4_1Bytes, q8_1Bytes)
	dotQ5_1Cols4SDOTAsm = legacyCols4Asm("dotQ5_1Cols4SDOTAsm", dotQ5_1Cols4SDOT, q5_1Bytes, q8_1Bytes)
	dotQ5_1Cols4NEONAsm = legacyCols4Asm("dotQ5_1Cols4NEONAsm", dotQ5_1Cols4NEON, q5_1Bytes, q8_1Bytes)
)
