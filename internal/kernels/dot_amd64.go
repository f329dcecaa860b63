//go:build !purego

package kernels

// Assembly stubs (dot_amd64.s) and their bounds-checking wrappers. Each stub's
// doc comment names the reference loop it computes: the generic Go function
// of the same format, whose arithmetic (lanes, fused multiply-adds, reduction
// order) the assembly reproduces exactly. The wrappers re-slice every operand
// to the exact length the assembly reads, so a short slice panics in Go
// (like the generic code) instead of being read past its end. Dispatch
// (dispatch_amd64.go) only installs them when the CPU has AVX2, FMA and F16C.

// dotQ8_0AVX2 returns dotQ8_0Q8_0(32*nb, w, x): per block,
// acc[k] = fma(fp16(w.d)*fp16(x.d), Σ_{j=4k}^{4k+3} w.qs[j]*x.qs[j], acc[k])
// over eight lanes k, then reduce8(acc). len(w), len(x) >= 34*nb.
//
//go:noescape
func dotQ8_0AVX2(w, x []byte, nb int) float32

// dotQ5_0AVX2 returns dotQ5_0Q8_0(32*nb, w, x): as dotQ8_0AVX2 with the
// weight quants ((qs nibble | qh bit<<4) - 16). len(w) >= 22*nb, len(x) >= 34*nb.
//
//go:noescape
func dotQ5_0AVX2(w, x []byte, nb int) float32

// dotQ4KAVX2 computes ggml_vec_dot_q4_K_q8_K's AVX2 arithmetic over nb
// super-blocks: per block, sumi[k] = Σ_sub scale_sub·Σ_{j∈lane k} q4·q8 (8
// int32 lanes), acc = fma(y.d*x.d, sumi, acc); acc_m (4 lanes) =
// fma(-y.d*x.dmin, mins·(bsums pairs), acc_m); result hsum8(acc) +
// hsum4(acc_m). len(w) >= 144*nb, len(x) >= 292*nb.
//
//go:noescape
func dotQ4KAVX2(w, x []byte, nb int) float32

// dotQ6KAVX2 computes ggml_vec_dot_q6_K_q8_K's AVX2 arithmetic over nb
// super-blocks: per block sumi[k] = Σ scale·(q6·q8) - 32·Σ scale·bsum (8 int32
// lanes), acc = fma(y.d*x.d, sumi, acc); result hsum8(acc).
// len(w) >= 210*nb, len(x) >= 292*nb.
//
//go:noescape
func dotQ6KAVX2(w, x []byte, nb int) float32

// dotF32AVX2 returns dotF32Generic(a, b[:len(a)]): acc[i%32] = fma(a[i],
// b[i], acc[i%32]) over the first len(a)&^31 elements, reduce32(acc), then
// sum = fma(a[i], b[i], sum) for the rest. len(b) >= len(a).
//
//go:noescape
func dotF32AVX2(a, b []float32) float32

// dotF16AVX2 returns dotHalfRow(len(a), a, b, F16ToF32): as dotF32AVX2 on
// the converted values, then float64(reduce32) plus the leftover float32
// products added in float64, rounded to float32. len(b) >= len(a).
//
//go:noescape
func dotF16AVX2(a, b []uint16) float32

// axpyAVX2 computes axpyGeneric(alpha, x, y): y[i] = fma(alpha, x[i], y[i])
// for i < len(x). len(y) >= len(x).
//
//go:noescape
func axpyAVX2(alpha float32, x, y []float32)

func dotQ8_0Asm(n int, w, x []byte) float32 {
	nb := n / 32
	return dotQ8_0AVX2(w[:nb*q8_0Bytes], x[:nb*q8_0Bytes], nb)
}

func dotQ5_0Asm(n int, w, x []byte) float32 {
	nb := n / 32
	return dotQ5_0AVX2(w[:nb*q5_0Bytes], x[:nb*q8_0Bytes], nb)
}

func dotQ4KAsm(n int, w, x []byte) float32 {
	nb := n / 256
	return dotQ4KAVX2(w[:nb*q4KBytes], x[:nb*q8KBytes], nb)
}

func dotQ6KAsm(n int, w, x []byte) float32 {
	nb := n / 256
	return dotQ6KAVX2(w[:nb*q6KBytes], x[:nb*q8KBytes], nb)
}

func dotF32RowAsm(n int, w, x []byte) float32 {
	a, b := f32view(w)[:n], f32view(x)[:n]
	return dotF32AVX2(a, b)
}

func dotF16RowAsm(n int, w, x []byte) float32 {
	a, b := u16view(w)[:n], u16view(x)[:n]
	return dotF16AVX2(a, b)
}

func dotF32Asm(a, b []float32) float32 {
	n := min(len(a), len(b))
	return dotF32AVX2(a[:n], b[:n])
}

func axpyAsm(alpha float32, x, y []float32) {
	y = y[:len(x)]
	axpyAVX2(alpha, x, y)
}

// dotQ4KPackedAVX2 returns dotQ4KQ8KPacked(256*nb, w, x) (llama.cpp's
// repacked gemv arithmetic): per super-block, acc = fma(Σ scale·(q4·q8),
// x.d*y.d, acc) and accm = fma(Σ min·(bsum pairs), x.dmin*y.d, accm) with
// exact int32 sums; result acc - accm. len(w) >= 144*nb, len(x) >= 292*nb.
//
//go:noescape
func dotQ4KPackedAVX2(w, x []byte, nb int) float32

func dotQ4KPackedAsm(n int, w, x []byte) float32 {
	nb := n / 256
	return dotQ4KPackedAVX2(w[:nb*q4KBytes], x[:nb*q8KBytes], nb)
}

// dotQ4KPackedCols4AVX2 is dotQ4KPackedAVX2 for one weight row and four
// activation rows (xstride bytes apart); acc[a] - acc[4+a] is output a.
// len(w) >= 144*nb, len(x) >= 3*xstride + 292*nb, len(acc) >= 8.
//
//go:noescape
func dotQ4KPackedCols4AVX2(w []byte, x []byte, xstride int, nb int, acc []float32)

// dotQ4KPackedRows4AVX2 is dotQ4KPackedAVX2 for four weight rows (stride
// bytes apart) and one activation row; reference loop:
//
//	for r := 0; r < 4; r++ {
//		out[r] = dotQ4KQ8KPacked(256*nb, w[r*stride:], x)
//	}
//
// Each result is bit-identical to the one-row kernel (dotq4r4_amd64.s).
// len(w) >= 3*stride + 144*nb, len(x) >= 292*nb, len(out) >= 4.
//
//go:noescape
func dotQ4KPackedRows4AVX2(w []byte, stride int, x []byte, nb int, out []float32)

// dotQ4KPackedRows4Asm is the bounds-checked entry of dotQ4KPackedRows4AVX2: w
// holds four consecutive rows of n elements (rowBytes each).
var dotQ4KPackedRows4Asm = rows4Entry("dotQ4KPackedRows4Asm", dotQ4KPackedRows4AVX2, 256, q4KBytes, q8KBytes)

// dotQ4KPackedCols4Asm computes out[a] = dotQ4KQ8KPacked(n, w, x[a*xBytes:])
// for a = 0..3, bit for bit.
func dotQ4KPackedCols4Asm(n int, w []byte, x []byte, xBytes int, out *[4]float32) {
	nb := n / 256
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = w[nb*q4KBytes-1]
	_ = x[3*xBytes+nb*q8KBytes-1]
	if xBytes < nb*q8KBytes {
		panic("kernels: dotQ4KPackedCols4Asm: rows overlap")
	}
	var acc [8]float32
	dotQ4KPackedCols4AVX2(w, x, xBytes, nb, acc[:])
	for a := range out {
		out[a] = acc[a] - acc[4+a]
	}
}

// c8PreBytes is the scratch dotQ4KPackedCols8AVX2 needs per super-block (its
// activations' pairwise bsums and scales, prepared once per call).
const c8PreBytes = 160

// dotQ4KPackedCols8Asm computes out[a*ostride+r] = dotQ4KQ8KPacked(n,
// w[r*144*n/256:], x[a*xBytes:]) for rows weight rows r and eight activation
// rows a, bit for bit (the generated dotQ4KPackedCols8AVX2).
var dotQ4KPackedCols8Asm = cols8Entry(dotQ4KPackedCols8AVX2, c8PreBytes)

// cols8AsmFunc is the signature of an eight-activation packed Q4_K assembly
// kernel (see dotQ4KPackedCols8AVX2).
type cols8AsmFunc func(w []byte, rows int, x []byte, xstride int, nb int, pre []byte, out []float32, ostride int)

// cols8Entry returns the bounds-checked entry of an eight-activation packed
// Q4_K kernel, the cols8Func the kernel table holds, with its scratch of
// preBytes a super-block. kernel is called through a function value once
// per run of weight rows, never per block.
func cols8Entry(kernel cols8AsmFunc, preBytes int) cols8Func {
	return func(n int, w []byte, rows int, x []byte, xBytes int, out []float32, ostride int, scratch *[]byte) {
		if nb := cols8Blocks(n, w, rows, x, xBytes, out, ostride); nb > 0 {
			kernel(w, rows, x, xBytes, nb, reuse(scratch, nb*preBytes), out, ostride)
		}
	}
}

// cols8Blocks bounds-checks the operands of an eight-activation Q4_K call
// (see dotQ4KPackedCols8Asm) and returns the super-block count, or 0 when there
// is nothing for the assembly to do (outputs zeroed where there are rows but
// no blocks).
func cols8Blocks(n int, w []byte, rows int, x []byte, xBytes int, out []float32, ostride int) int {
	nb := n / 256
	if rows <= 0 {
		return 0
	}
	if nb == 0 {
		for a := range 8 {
			clear(out[a*ostride : a*ostride+rows])
		}
		return 0
	}
	_ = w[rows*nb*q4KBytes-1]
	_ = x[7*xBytes+nb*q8KBytes-1]
	_ = out[7*ostride+rows-1]
	if xBytes < nb*q8KBytes || ostride < rows {
		panic("kernels: dotQ4KPackedCols8Asm: rows overlap")
	}
	return nb
}

// expandQ5_0AVX2 is expandQ5_0 for nb blocks: the Q8_0 form of each Q5_0
// block (d copied, quants (nibble | high bit << 4) - 16).
// len(src) >= 22*nb, len(dst) >= 34*nb.
//
//go:noescape
func expandQ5_0AVX2(src, dst []byte, nb int)

func expandQ5_0Asm(n int, src, dst []byte) {
	nb := n / 32
	expandQ5_0AVX2(src[:nb*q5_0Bytes], dst[:nb*q8_0Bytes], nb)
}

// dotF32RowsAVX2 sets out[r] = dotF32AVX2(x[:n], w[r*stride:r*stride+n]) *
// scale for r < len(out): dotF32AVX2's lanes, reduction and tail for every
// row, then one float32 multiply. The caller checks that the rows fit in w
// and len(x) >= n.
//
//go:noescape
func dotF32RowsAVX2(n int, w []float32, stride int, x []float32, scale float32, out []float32)

func dotF32RowsAsm(n int, w []float32, stride int, x []float32, scale float32, out []float32) {
	dotF32RowsAVX2(n, w, stride, x[:n], scale, out)
}

// dotF32Rows2AVX2 is dotF32RowsAVX2 for two activations against the same
// rows (one read of each row): out1[r] = dotF32AVX2(x1[:n], row r) * scale
// and out2[r] likewise with x2, for r < len(out1) == len(out2).
//
//go:noescape
func dotF32Rows2AVX2(n int, w []float32, stride int, x1, x2 []float32, scale float32, out1, out2 []float32)

func dotF32Rows2Asm(n int, w []float32, stride int, x1, x2 []float32, scale float32, out1, out2 []float32) {
	dotF32Rows2AVX2(n, w, stride, x1[:n], x2[:n], scale, out1, out2[:len(out1)])
}

// dotF32Rows3AVX2 is dotF32Rows2AVX2 for three activations: out1[r],
// out2[r] and out3[r] are dotF32AVX2(xi[:n], row r) * scale, for r <
// len(out1) == len(out2) == len(out3).
//
//go:noescape
func dotF32Rows3AVX2(n int, w []float32, stride int, x1, x2, x3 []float32, scale float32, out1, out2, out3 []float32)

func dotF32Rows3Asm(n int, w []float32, stride int, x1, x2, x3 []float32, scale float32, out1, out2, out3 []float32) {
	dotF32Rows3AVX2(n, w, stride, x1[:n], x2[:n], x3[:n], scale, out1, out2[:len(out1)], out3[:len(out1)])
}
