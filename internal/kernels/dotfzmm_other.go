//go:build !amd64 || purego

package kernels

// f32RowsWide is never called where no kernel set has f32Wide (only the
// amd64 AVX-512 sets do); it computes what F32RowsDotN asks all the same.
func f32RowsWide(n int, w []float32, stride int, xs [][]float32, scale float32, outs [][]float32) {
	f32RowsBy3(n, w, stride, xs, scale, outs)
}
