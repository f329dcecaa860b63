package kernels

import "github.com/plumewriter/plume/internal/tensor"

// On AVX2 machines llama.cpp repacks Q4_0 and Q4_K weight matrices whose
// row count is a multiple of repackRows into interleaved blocks when it loads
// a model (ggml-cpu/repack.cpp) and multiplies them with other kernels
// (ggml_gemv/gemm_q4_0_8x8_q8_0, ggml_gemv/gemm_q4_K_8x8_q8_K). Those keep one
// float32 accumulator per output: per block, the exact integer dot product is
// fused-multiply-added with d_w*d_x. MatMul uses these kernels for such
// matrices so that its results match a real llama.cpp run bit for bit.

// repackRows is ggml's condition for repacking Q4_0/Q4_K weights on AVX2
// (tensor ne[1] % 8 == 0: eight rows are interleaved per block group).
const repackRows = 8

// packedDot returns the repacked-layout kernel for weights of type t in a
// matrix of the given row count, or nil when llama.cpp would not repack it.
func packedDot(t tensor.Type, rows int) dotFunc {
	if rows%repackRows != 0 || int(t) >= maxType {
		return nil
	}
	return active.packed[t]
}

func dotQ4_0Q8_0Packed(n int, w, x []byte) float32 {
	var acc float32
	for ib := 0; ib < n/32; ib++ {
		wb := w[ib*q4_0Bytes : (ib+1)*q4_0Bytes]
		xb := x[ib*q8_0Bytes : (ib+1)*q8_0Bytes]
		qs, xq := (*[16]byte)(wb[2:18]), (*[32]byte)(xb[2:34])
		var s0, s1 int32
		for j := range 16 {
			s0 += (int32(qs[j]&0xf) - 8) * int32(int8(xq[j]))
			s1 += (int32(qs[j]>>4) - 8) * int32(int8(xq[j+16]))
		}
		acc = fmaf(float32(s0+s1), half(wb)*half(xb), acc)
	}
	return acc
}

func dotQ4KQ8KPacked(n int, w, x []byte) float32 {
	var acc, accm float32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q4KBytes : (ib+1)*q4KBytes]
		yd, q8, bs := q8K(x[ib*q8KBytes : (ib+1)*q8KBytes])
		sc, m := kScalesMins(wb[4:16])
		prod := kMinProds(&m, bs)
		var sumi int32
		for p := range 4 {
			qq := (*[32]byte)(wb[16+32*p : 48+32*p])
			ylo, yhi := (*[32]byte)(q8[64*p:64*p+32]), (*[32]byte)(q8[64*p+32:64*p+64])
			var dlo, dhi int32
			for l := range 32 {
				dlo += int32(qq[l]&0xf) * int32(int8(ylo[l]))
				dhi += int32(qq[l]>>4) * int32(int8(yhi[l]))
			}
			sumi += sc[2*p]*dlo + sc[2*p+1]*dhi
		}
		acc = fmaf(float32(sumi), half(wb)*yd, acc)
		accm = fmaf(float32((prod[0]+prod[1])+(prod[2]+prod[3])), half(wb[2:])*yd, accm)
	}
	return acc - accm
}
