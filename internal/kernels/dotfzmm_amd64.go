//go:build !purego

package kernels

// The AVX-512 float32 rows kernels for four to six activations
// (dotfzmm_amd64.s): each is F32RowsDot of every activation, bit for bit,
// for rows a multiple of eight and n a multiple of 32 (the caller,
// f32RowsWide, gives the rest to the AVX2 kernels). A grouped-query
// attention group of four (Llama 3) or six (Qwen2.5 1.5B) query heads reads
// its keys and values once.
//
// Reference, for q activations: out[k][r] = dotF32Generic(x[k][:n], w[r*stride:r*stride+n]) * scale.

//go:noescape
func dotF32Rows4AVX512(n int, w []float32, stride int, rows int, x *[6]*float32, out *[6]*float32, scale float32)

//go:noescape
func dotF32Rows5AVX512(n int, w []float32, stride int, rows int, x *[6]*float32, out *[6]*float32, scale float32)

//go:noescape
func dotF32Rows6AVX512(n int, w []float32, stride int, rows int, x *[6]*float32, out *[6]*float32, scale float32)

// f32RowsWide is F32RowsDotN's loop on a set with f32Wide (AVX-512; shapes
// checked, 4 ≤ len(xs) ≤ 6): the whole groups of eight rows on the
// ZMM-register kernels when n is a multiple of 32, everything else on the
// AVX2 kernels, three activations at a time. A direct call (not a kernelSet
// function value), so that the callers' slices of slices stay on their
// stacks.
func f32RowsWide(n int, w []float32, stride int, xs [][]float32, scale float32, outs [][]float32) {
	rows := len(outs[0])
	full := rows &^ 7
	if n%32 != 0 || n == 0 {
		full = 0
	}
	if full > 0 {
		var xp, op [6]*float32
		for k := range xs {
			xp[k], op[k] = &xs[k][0], &outs[k][0]
		}
		switch len(xs) {
		case 4:
			dotF32Rows4AVX512(n, w, stride, full, &xp, &op, scale)
		case 5:
			dotF32Rows5AVX512(n, w, stride, full, &xp, &op, scale)
		default:
			dotF32Rows6AVX512(n, w, stride, full, &xp, &op, scale)
		}
	}
	if full == rows {
		return
	}
	var rest [MaxF32Group][]float32
	for k := range outs {
		rest[k] = outs[k][full:]
	}
	f32RowsBy3(n, w[full*stride:], stride, xs, scale, rest[:len(outs)])
}
