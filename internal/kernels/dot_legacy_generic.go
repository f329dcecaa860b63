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

// lanes8 returns the eight int32 lane sums of a 32-element block product
// as llama.cpp's AVX2 mul_sum_i8_pairs_float forms them (lane k holds
// products 4k..4k+3), converted to float32.
func lanes8(p *[32]int32) [8]float32 {
	var l [8]float32
	for k := range 8 {
		l[k] = float32((p[4*k] + p[4*k+1]) + (p[4*k+2] + p[4*k+3]))
	}
	return l
}

// accLanes adds d × lanes into the eight float32 accumulators with fused
// multiply-adds (_mm256_fmadd_ps(d, q, acc)).
func accLanes(acc *[8]float32, d float32, l *[8]float32) {
	for k := range 8 {
		acc[k] = fmaf(d, l[k], acc[k])
	}
}

// The Q8_0-activation kernels reproduce llama.cpp's AVX2 ggml_vec_dot_*_q8_0
// (and llamafile's tinyBLAS_Q0_AVX, which computes the same): per block the
// integer products are summed in 8 lanes of 4, each lane multiplied by
// d_w*d_x and fused-added into its float32 accumulator; the accumulators are
// reduced with reduce8 at the end.

func dotQ8_0Q8_0(n int, w, x []byte) float32 {
	var acc [8]float32
	var p [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb := w[ib*q8_0Bytes : (ib+1)*q8_0Bytes]
		xb := x[ib*q8_0Bytes : (ib+1)*q8_0Bytes]
		wq, xq := (*[32]byte)(wb[2:34]), (*[32]byte)(xb[2:34])
		for j := range 32 {
			p[j] = int32(int8(wq[j])) * int32(int8(xq[j]))
		}
		l := lanes8(&p)
		accLanes(&acc, half(wb)*half(xb), &l)
	}
	return reduce8(&acc)
}

func dotQ4_0Q8_0(n int, w, x []byte) float32 {
	var acc [8]float32
	var p [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb := w[ib*q4_0Bytes : (ib+1)*q4_0Bytes]
		xb := x[ib*q8_0Bytes : (ib+1)*q8_0Bytes]
		qs, xq := (*[16]byte)(wb[2:18]), (*[32]byte)(xb[2:34])
		for j := range 16 {
			p[j] = (int32(qs[j]&0xf) - 8) * int32(int8(xq[j]))
			p[j+16] = (int32(qs[j]>>4) - 8) * int32(int8(xq[j+16]))
		}
		l := lanes8(&p)
		accLanes(&acc, half(wb)*half(xb), &l)
	}
	return reduce8(&acc)
}

// The Q8_1-activation kernels follow llama.cpp's AVX2 ggml_vec_dot_q{4,5}_1_q8_1:
// 8-lane fused multiply-adds of d_w*d_x times the lane sums, plus a scalar
// float32 sum of m_w*s_x (fused, as GCC contracts it), added last.

func dotQ4_1Q8_1(n int, w, x []byte) float32 {
	var acc [8]float32
	var summs float32
	var p [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb := w[ib*q4_1Bytes : (ib+1)*q4_1Bytes]
		xb := x[ib*q8_1Bytes : (ib+1)*q8_1Bytes]
		summs = fmaf(half(wb[2:]), half(xb[2:]), summs)
		qs, xq := (*[16]byte)(wb[4:20]), (*[32]byte)(xb[4:36])
		for j := range 16 {
			p[j] = int32(qs[j]&0xf) * int32(int8(xq[j]))
			p[j+16] = int32(qs[j]>>4) * int32(int8(xq[j+16]))
		}
		l := lanes8(&p)
		accLanes(&acc, half(wb)*half(xb), &l)
	}
	return reduce8(&acc) + summs
}

func dotQ5_0Q8_0(n int, w, x []byte) float32 {
	var acc [8]float32
	var p [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb := w[ib*q5_0Bytes : (ib+1)*q5_0Bytes]
		xb := x[ib*q8_0Bytes : (ib+1)*q8_0Bytes]
		qh := binary.LittleEndian.Uint32(wb[2:6])
		qs, xq := (*[16]byte)(wb[6:22]), (*[32]byte)(xb[2:34])
		for j := range 16 {
			h0 := int32(qh>>uint(j)&1) << 4
			h1 := int32(qh>>uint(j+16)&1) << 4
			p[j] = ((int32(qs[j]&0xf) | h0) - 16) * int32(int8(xq[j]))
			p[j+16] = ((int32(qs[j]>>4) | h1) - 16) * int32(int8(xq[j+16]))
		}
		l := lanes8(&p)
		accLanes(&acc, half(wb)*half(xb), &l)
	}
	return reduce8(&acc)
}

func dotQ5_1Q8_1(n int, w, x []byte) float32 {
	var acc [8]float32
	var summs float32
	var p [32]int32
	for ib := 0; ib < n/32; ib++ {
		wb := w[ib*q5_1Bytes : (ib+1)*q5_1Bytes]
		xb := x[ib*q8_1Bytes : (ib+1)*q8_1Bytes]
		summs = fmaf(half(wb[2:]), half(xb[2:]), summs)
		qh := binary.LittleEndian.Uint32(wb[4:8])
		qs, xq := (*[16]byte)(wb[8:24]), (*[32]byte)(xb[4:36])
		for j := range 16 {
			h0 := int32(qh>>uint(j)&1) << 4
			h1 := int32(qh>>uint(j+16)&1) << 4
			p[j] = (int32(qs[j]&0xf) | h0) * int32(int8(xq[j]))
			p[j+16] = (int32(qs[j]>>4) | h1) * int32(int8(xq[j+16]))
		}
		l := lanes8(&p)
		accLanes(&acc, half(wb)*half(xb), &l)
	}
	return reduce8(&acc) + summs
}
