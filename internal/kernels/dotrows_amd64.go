//go:build !purego

package kernels

// dotF16RowsAVX2 computes, for r < len(out),
//
//	out[r] = dotF16AVX2(w[r*stride:][:2n] as fp16, x[:2n] as fp16) * scale
//
// i.e. the F16 one-row kernel over len(out) rows stride bytes apart.
// len(w) >= (len(out)-1)*stride + 2n, len(x) >= 2n, stride >= 2n.
//
//go:noescape
func dotF16RowsAVX2(w []byte, stride int, x []byte, n int, out []float32, scale float32)

// dotF16RowsAsm is the bounds-checked entry of dotF16RowsAVX2.
func dotF16RowsAsm(n int, w []byte, stride int, x []byte, scale float32, out []float32) {
	if len(out) == 0 {
		return
	}
	if n > 0 {
		_ = w[(len(out)-1)*stride+2*n-1] // the last byte the assembly reads
		_ = x[2*n-1]
	}
	if n < 0 || stride < 2*n {
		panic("kernels: dotF16RowsAsm: rows overlap")
	}
	dotF16RowsAVX2(w, stride, x, n, out, scale)
}
