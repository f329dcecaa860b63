package kernels

import (
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// matMulLlama is MatMul with llama.cpp's batch-size-dependent kernel choice
// (ggml_compute_forward_mul_mat on an AVX2 machine), the oracle of the
// parity tests for prompts evaluated as batches: for n >= 2, F32/F16/BF16
// matrices with Cols%8 == 0 use llamafile's sgemm arithmetic (eight FMA
// lanes, no 32-lane reduction), and repacked Q4_K matrices use the 4-row
// gemm arithmetic for the first n - n%4 activation rows. Results then depend
// on n (as llama.cpp's do); every other output is MatMul's (one dot, or the
// packed dot, per output). Plume itself keeps one kernel per matrix whatever
// n is, so this lives in test code: single-threaded, one output at a time.
func matMulLlama(w Matrix, x []float32, n int, out []float32) error {
	if err := checkMatMul(w, x, n, out); err != nil {
		return err
	}
	vt := VecDotType(w.Type)
	xrow, err := tensor.RowSize(vt, uint64(w.Cols))
	if err != nil {
		return fmt.Errorf("matMulLlama: %w", err)
	}
	xq := make([]byte, n*int(xrow))
	for i := range n {
		if err := QuantizeRow(vt, x[i*w.Cols:(i+1)*w.Cols], xq[i*int(xrow):(i+1)*int(xrow)]); err != nil {
			return fmt.Errorf("matMulLlama: %w", err)
		}
	}
	for i := range n {
		dot := llamaDot(w, n, i)
		for r := range w.Rows {
			out[i*w.Rows+r] = dot(w.Cols, w.Row(r), xq[i*int(xrow):(i+1)*int(xrow)])
		}
	}
	return nil
}

// llamaDot returns the dot kernel llama.cpp uses for activation row i of an
// n-row batch times w.
func llamaDot(w Matrix, n, i int) dotFunc {
	if bd := sgemmDot(w.Type, w.Cols, n); bd != nil {
		return bd
	}
	pd := packedDot(w.Type, w.Rows)
	if pd == nil {
		return active.dot[w.Type]
	}
	if w.Type == tensor.Q4_K && i < n-n%gemmRows {
		return dotQ4KQ8KPackedGemm
	}
	return pd
}

// sgemmLanes is the vector width of llamafile's AVX2 sgemm (KN = 8 floats);
// it only handles rows whose length is a multiple of it.
const sgemmLanes = 8

// sgemmDot returns the kernel with llamafile sgemm's arithmetic for weights
// of type t when llama.cpp would use sgemm for an n-row batch, else nil.
func sgemmDot(t tensor.Type, cols, n int) dotFunc {
	if n < 2 || cols%sgemmLanes != 0 {
		return nil
	}
	switch t {
	case tensor.F32:
		return func(n int, w, x []byte) float32 { return dotLanes8(f32view(w)[:n], f32view(x)[:n]) }
	case tensor.F16:
		return func(n int, w, x []byte) float32 {
			return dotHalfLanes8(u16view(w)[:n], u16view(x)[:n], tensor.F16ToF32)
		}
	case tensor.BF16:
		return func(n int, w, x []byte) float32 {
			return dotHalfLanes8(u16view(w)[:n], u16view(x)[:n], tensor.BF16ToF32)
		}
	}
	return nil
}

// dotLanes8 is tinyBLAS's dot: lane k fuses the products of elements with
// i%8 == k, then hsum (reduce8). len(a) is a multiple of 8.
func dotLanes8(a, b []float32) float32 {
	var acc [8]float32
	for i := 0; i+8 <= len(a); i += 8 {
		p, q := (*[8]float32)(a[i:i+8]), (*[8]float32)(b[i:i+8])
		for k := range 8 {
			acc[k] = fmaf(p[k], q[k], acc[k])
		}
	}
	return reduce8(&acc)
}

// dotHalfLanes8 is dotLanes8 on 16-bit float rows.
func dotHalfLanes8(a, b []uint16, conv func(uint16) float32) float32 {
	var acc [8]float32
	for i := 0; i+8 <= len(a); i += 8 {
		p, q := (*[8]uint16)(a[i:i+8]), (*[8]uint16)(b[i:i+8])
		for k := range 8 {
			acc[k] = fmaf(conv(p[k]), conv(q[k]), acc[k])
		}
	}
	return reduce8(&acc)
}

// gemmRows is the activation row group of llama.cpp's repacked gemm kernels
// (block_q8_Kx4: four rows quantized and multiplied together).
const gemmRows = 4

// dotQ4KQ8KPackedGemm is ggml_gemm_q4_K_8x8_q8_K's arithmetic for one
// output: unlike the gemv kernel it fuses once per 64 values (two
// sub-blocks) instead of once per super-block.
func dotQ4KQ8KPackedGemm(n int, w, x []byte) float32 {
	var acc, accm float32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q4KBytes : (ib+1)*q4KBytes]
		yd, q8, bs := q8K(x[ib*q8KBytes : (ib+1)*q8KBytes])
		sc, m := kScalesMins(wb[4:16])
		d, dmin := half(wb)*yd, half(wb[2:])*yd
		for p := range 4 {
			qq := (*[32]byte)(wb[16+32*p : 48+32*p])
			ylo, yhi := (*[32]byte)(q8[64*p:64*p+32]), (*[32]byte)(q8[64*p+32:64*p+64])
			var dlo, dhi int32
			for l := range 32 {
				dlo += int32(qq[l]&0xf) * int32(int8(ylo[l]))
				dhi += int32(qq[l]>>4) * int32(int8(yhi[l]))
			}
			acc = fmaf(float32(sc[2*p]*dlo+sc[2*p+1]*dhi), d, acc)
			q8s0 := int32(int16(bsum(bs, 4*p) + bsum(bs, 4*p+1)))
			q8s1 := int32(int16(bsum(bs, 4*p+2) + bsum(bs, 4*p+3)))
			accm = fmaf(float32(m[2*p]*q8s0+m[2*p+1]*q8s1), dmin, accm)
		}
	}
	return acc - accm
}
