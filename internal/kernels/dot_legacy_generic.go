package kernels

import (
	"encoding/binary"

	"github.com/plumewriter/plume/internal/tensor"
)

// Legacy (32-element block) integer dot products, after ggml's
// ggml_vec_dot_{q4_0,q5_0,q8_0}_q8_0 and ggml_vec_dot_{q4_1,q5_1}_q8_1: per
// block, an exact int32 sum of quant products, scaled by d_w*d_x in float32
// times the block scales, following llama.cpp's 8-lane AVX2 arithmetic
// exactly (see dotQ8_0Q8_0 and dotQ4_1Q8_1).

// Block sizes in bytes (ggml's block structs).
const (
	q4_0Bytes = 18
	q4_1Bytes = 20
	q5_0Bytes = 22
	q5_1Bytes = 24
	q8_0Bytes = 34
	q8_1Bytes = 36
)

// half reads a little-endian fp16 at b[0:2].
func half(b []byte) float32 { return tensor.F16ToF32(binary.LittleEndian.Uint16(b)) }

// addBlock adds one 32-element block to the eight float32 accumulators as
// llama.cpp's AVX2 mul_sum_i8_pairs_float and _mm256_fmadd_ps do: lane k
// is the exact int32 sum of products 4k..4k+3 of the weight quants q and
// activation quants xq (addLanes), fused with d into acc[k] (fmaLanes).
func addBlock(acc *[8]float32, d float32, q *[32]int32, xq *[32]byte) {
	var sumi [8]int32
	addLanes(&sumi, 1, q, xq)
	fmaLanes(acc, d, &sumi)
}

// nibbleQuants decodes into q the 32 quants of a Q4_0, Q4_1, Q5_0 or Q5_1
// block from the bytes after its scales: for the Q5 formats a
// little-endian 32-bit mask of the fifth bits (bit j for element j), then
// 16 bytes of nibbles (element j in the low half of byte j, element j+16
// in the high half); offset is subtracted (8 for Q4_0, 16 for Q5_0, 0 for
// the _1 formats, whose blocks carry a min instead).
func nibbleQuants(q *[32]int32, b []byte, offset int32) {
	var qh uint32
	if len(b) == 20 { // Q5_0, Q5_1
		qh, b = binary.LittleEndian.Uint32(b), b[4:]
	}
	qs := (*[16]byte)(b)
	for j := range 16 {
		h0 := int32(qh>>uint(j)&1) << 4
		h1 := int32(qh>>uint(j+16)&1) << 4
		q[j] = (int32(qs[j]&0xf) | h0) - offset
		q[j+16] = (int32(qs[j]>>4) | h1) - offset
	}
}

// The Q8_0-activation kernels reproduce llama.cpp's AVX2 ggml_vec_dot_*_q8_0
// (and llamafile's tinyBLAS_Q0_AVX, which computes the same): per block the
// integer products are summed in 8 lanes of 4, each lane multiplied by
// d_w*d_x and fused-added into its float32 accumulator; the accumulators are
// reduced with reduce8 at the end.

func dotQ8_0Q8_0(n int, w, x []byte) float32 {
	var acc [8]float32
	var q [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb, xb := w[ib*q8_0Bytes:(ib+1)*q8_0Bytes], x[ib*q8_0Bytes:(ib+1)*q8_0Bytes]
		for j, v := range wb[2:34] {
			q[j] = int32(int8(v))
		}
		addBlock(&acc, half(wb)*half(xb), &q, (*[32]byte)(xb[2:34]))
	}
	return reduce8(&acc)
}

func dotQ4_0Q8_0(n int, w, x []byte) float32 { return dotNibblesQ8_0(n, w, x, q4_0Bytes, 8) }

func dotQ5_0Q8_0(n int, w, x []byte) float32 { return dotNibblesQ8_0(n, w, x, q5_0Bytes, 16) }

// dotNibblesQ8_0 is the dot of Q4_0 or Q5_0 weights (wBytes a block, the
// quants offset by offset) with Q8_0 activations.
func dotNibblesQ8_0(n int, w, x []byte, wBytes int, offset int32) float32 {
	var acc [8]float32
	var q [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb, xb := w[ib*wBytes:(ib+1)*wBytes], x[ib*q8_0Bytes:(ib+1)*q8_0Bytes]
		nibbleQuants(&q, wb[2:], offset)
		addBlock(&acc, half(wb)*half(xb), &q, (*[32]byte)(xb[2:34]))
	}
	return reduce8(&acc)
}

// The Q8_1-activation kernels follow llama.cpp's AVX2 ggml_vec_dot_q{4,5}_1_q8_1:
// 8-lane fused multiply-adds of d_w*d_x times the lane sums, plus a scalar
// float32 sum of m_w*s_x (fused, as GCC contracts it), added last.

func dotQ4_1Q8_1(n int, w, x []byte) float32 { return dotNibblesQ8_1(n, w, x, q4_1Bytes) }

func dotQ5_1Q8_1(n int, w, x []byte) float32 { return dotNibblesQ8_1(n, w, x, q5_1Bytes) }

// dotNibblesQ8_1 is the dot of Q4_1 or Q5_1 weights (wBytes a block) with
// Q8_1 activations.
func dotNibblesQ8_1(n int, w, x []byte, wBytes int) float32 {
	var acc [8]float32
	var summs float32
	var q [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb, xb := w[ib*wBytes:(ib+1)*wBytes], x[ib*q8_1Bytes:(ib+1)*q8_1Bytes]
		summs = fmaf(half(wb[2:]), half(xb[2:]), summs)
		nibbleQuants(&q, wb[4:], 0)
		addBlock(&acc, half(wb)*half(xb), &q, (*[32]byte)(xb[4:36]))
	}
	return reduce8(&acc) + summs
}
