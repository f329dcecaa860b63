//go:build !purego

package kernels

// Assembly stubs (dot5_amd64.s) for the Q5_K, Q4_0, Q4_1, Q5_1 and BF16 dot
// products, and their bounds-checking wrappers. As in dot_amd64.go, each
// stub's doc comment is the reference loop it computes (the generic Go
// kernel of the same format, whose lanes, fused multiply-adds and reduction
// order the assembly reproduces exactly), and each wrapper re-slices the
// operands to the exact length the assembly reads, so a short slice panics in
// Go instead of being read past its end. dispatch_amd64.go installs them only
// when the CPU has AVX2, FMA and F16C.

// dotQ5KAVX2 returns dotQ5KQ8K(256*nb, w, x): per super-block, with
// d = y.d*x.d and dmin = -y.d*x.dmin,
//
//	summs = fma(dmin, Σ_k mins[2k]·q8s[2k] + mins[2k+1]·q8s[2k+1], summs)
//	        (q8s[j] = int16(bsums[2j] + bsums[2j+1]))
//	sumi[k] = Σ_sub scale_sub · Σ_{j∈lane k} (nibble | qh bit << 4)·q8[j]
//	acc[k] = fma(d, float32(sumi[k]), acc[k])     k = 0..7
//
// then reduce8(acc) + summs. len(w) >= 176*nb, len(x) >= 292*nb.
//
//go:noescape
func dotQ5KAVX2(w, x []byte, nb int) float32

// dotQ4_0AVX2 returns dotQ4_0Q8_0(32*nb, w, x): per block,
//
//	acc[k] = fma(fp16(w.d)*fp16(x.d), Σ_{j=4k}^{4k+3} (q[j]-8)·x.qs[j], acc[k])
//
// over eight lanes k (q = the 16 low nibbles, then the 16 high nibbles), then
// reduce8(acc). len(w) >= 18*nb, len(x) >= 34*nb.
//
//go:noescape
func dotQ4_0AVX2(w, x []byte, nb int) float32

// dotQ4_0PackedAVX2 returns dotQ4_0Q8_0Packed(32*nb, w, x) (llama.cpp's
// repacked Q4_0 gemv arithmetic): per block,
//
//	acc = fma(float32(Σ_j (q[j]-8)·x.qs[j]), fp16(w.d)*fp16(x.d), acc)
//
// with one float32 accumulator. len(w) >= 18*nb, len(x) >= 34*nb.
//
//go:noescape
func dotQ4_0PackedAVX2(w, x []byte, nb int) float32

// dotQ4_1AVX2 returns dotQ4_1Q8_1(32*nb, w, x): per block,
//
//	summs = fma(fp16(w.m), fp16(x.s), summs)
//	acc[k] = fma(fp16(w.d)*fp16(x.d), Σ_{j=4k}^{4k+3} q[j]·x.qs[j], acc[k])
//
// (q unsigned nibbles, low then high), then reduce8(acc) + summs.
// len(w) >= 20*nb, len(x) >= 36*nb.
//
//go:noescape
func dotQ4_1AVX2(w, x []byte, nb int) float32

// dotQ5_1AVX2 returns dotQ5_1Q8_1(32*nb, w, x): as dotQ4_1AVX2 with the
// weight quants (nibble | qh bit << 4). len(w) >= 24*nb, len(x) >= 36*nb.
//
//go:noescape
func dotQ5_1AVX2(w, x []byte, nb int) float32

// dotBF16AVX2 returns dotBF16Row(len(a), a, b): with bf16(v) = v << 16 as
// float32,
//
//	acc[i%32] = fma(bf16(a[i]), bf16(b[i]), acc[i%32])   i < len(a)&^31
//	c[l] = (acc[l] + acc[16+l]) + (acc[8+l] + acc[24+l])
//	sum = float64(reduce8(c)) + Σ_rest float64(bf16(a[i]) * bf16(b[i]))
//
// rounded to float32. len(b) >= len(a).
//
//go:noescape
func dotBF16AVX2(a, b []uint16) float32

func dotQ5KAsm(n int, w, x []byte) float32 {
	nb := n / 256
	return dotQ5KAVX2(w[:nb*q5KBytes], x[:nb*q8KBytes], nb)
}

func dotQ4_0Asm(n int, w, x []byte) float32 {
	nb := n / 32
	return dotQ4_0AVX2(w[:nb*q4_0Bytes], x[:nb*q8_0Bytes], nb)
}

func dotQ4_0PackedAsm(n int, w, x []byte) float32 {
	nb := n / 32
	return dotQ4_0PackedAVX2(w[:nb*q4_0Bytes], x[:nb*q8_0Bytes], nb)
}

func dotQ4_1Asm(n int, w, x []byte) float32 {
	nb := n / 32
	return dotQ4_1AVX2(w[:nb*q4_1Bytes], x[:nb*q8_1Bytes], nb)
}

func dotQ5_1Asm(n int, w, x []byte) float32 {
	nb := n / 32
	return dotQ5_1AVX2(w[:nb*q5_1Bytes], x[:nb*q8_1Bytes], nb)
}

func dotBF16RowAsm(n int, w, x []byte) float32 {
	a, b := u16view(w)[:n], u16view(x)[:n]
	return dotBF16AVX2(a, b)
}
