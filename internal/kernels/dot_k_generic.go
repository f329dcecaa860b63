package kernels

import (
	"encoding/binary"
	"math"

	"github.com/plumewriter/plume/internal/tensor"
)

// K-quant · Q8_K dot products with the arithmetic of llama.cpp's AVX2
// ggml_vec_dot_q{2..6}_K_q8_K, bit for bit: per 256-element super-block,
// exact int32 lanes (lane k holds elements 4k..4k+3 of every 32-element
// group, times their sub-block scale), the min term from the Q8_K block sums
// (bsums; llama.cpp never touches the activations for it), and float32 fused
// multiply-adds into eight accumulators reduced by reduce8 at the end.

// Super-block sizes in bytes (ggml's block structs).
const (
	q2KBytes = 84
	q3KBytes = 110
	q4KBytes = 144
	q5KBytes = 176
	q6KBytes = 210
	q8KBytes = 292
)

// q8K splits one Q8_K block into its float32 scale, quants and block sums.
func q8K(b []byte) (d float32, qs []byte, bsums []byte) {
	return math.Float32frombits(binary.LittleEndian.Uint32(b)), b[4 : 4+tensor.QK_K], b[4+tensor.QK_K : q8KBytes]
}

// bsum returns the j-th int16 block sum (16 activations) of a Q8_K block.
func bsum(bsums []byte, j int) int32 { return int32(int16(binary.LittleEndian.Uint16(bsums[2*j:]))) }

// kScalesMins unpacks the eight 6-bit scales and mins of a Q4_K/Q5_K block.
func kScalesMins(scales []byte) (sc, m [8]int32) {
	for j := range 8 {
		s, mn := tensor.ScaleMinK4(j, scales)
		sc[j], m[j] = int32(s), int32(mn)
	}
	return sc, m
}

// kMinProds returns the four int32 lanes of llama.cpp's AVX2 min term:
// q8s[j] = int16(bsums[2j] + bsums[2j+1]) (_mm_hadd_epi16, wrapping), and
// lane k = m[2k]*q8s[2k] + m[2k+1]*q8s[2k+1] (_mm_madd_epi16).
func kMinProds(m *[8]int32, bs []byte) [4]int32 {
	var q8s [8]int32
	for j := range 8 {
		q8s[j] = int32(int16(bsum(bs, 2*j) + bsum(bs, 2*j+1)))
	}
	var prod [4]int32
	for k := range 4 {
		prod[k] = m[2*k]*q8s[2*k] + m[2*k+1]*q8s[2*k+1]
	}
	return prod
}

// addLanes adds sc × (the eight 4-element lane sums of q·y over one
// 32-element group) to sumi, as _mm256_madd_epi16(scale, maddubs(q, y)).
func addLanes(sumi *[8]int32, sc int32, q *[32]int32, y *[32]byte) {
	for k := range 8 {
		var l int32
		for m := 4 * k; m < 4*k+4; m++ {
			l += q[m] * int32(int8(y[m]))
		}
		sumi[k] += sc * l
	}
}

// addLanes2 is addLanes for a group of two 16-element sub-blocks with their
// own scales: lanes 0-3 take s0, lanes 4-7 take s1.
func addLanes2(sumi *[8]int32, s0, s1 int32, q *[32]int32, y *[32]byte) {
	var part [8]int32
	addLanes(&part, 1, q, y)
	for k := range 4 {
		sumi[k] += s0 * part[k]
		sumi[k+4] += s1 * part[k+4]
	}
}

// fmaLanes fuses d × float32(sumi) into the eight accumulators.
func fmaLanes(acc *[8]float32, d float32, sumi *[8]int32) {
	for k := range 8 {
		acc[k] = fmaf(d, float32(sumi[k]), acc[k])
	}
}

// dotQ4KQ8K follows llama.cpp's AVX2 ggml_vec_dot_q4_K_q8_K: per super-block
// eight int32 lanes of scale × 4-element products, fused into eight float32
// accumulators with d = d_x*d_w; the min term in four lanes with
// dmin = -d_x*dmin_w; the result is hsum(acc) + hsum(mins).
func dotQ4KQ8K(n int, w, x []byte) float32 {
	return dotQ4KWith(n, w, x, q4KSumiGo)
}

// dotQ5KQ8K follows llama.cpp's AVX2 ggml_vec_dot_q5_K_q8_K: like Q4_K, but
// the min term is one integer per super-block fused into a scalar float32 sum.
func dotQ5KQ8K(n int, w, x []byte) float32 {
	return dotQ5KWith(n, w, x, q5KSumiGo)
}

// The Q6_K, Q2_K and Q3_K kernels give each 16-element sub-block its own
// scale: a super-block is eight 32-element groups, group t made of
// sub-blocks 2t and 2t+1, and each kernel decodes the groups' quants and
// scales its own way, then sums them with groupLanes.

// groupLanes returns the eight int32 lanes of a super-block of 16-element
// sub-blocks: the sum over its eight groups t of the products of q[t] with
// the Q8_K quants q8[32t:32t+32], lanes 0-3 times sc[2t] and lanes 4-7
// times sc[2t+1] (addLanes2), exact int32 as llama.cpp's
// _mm256_madd_epi16 forms them.
func groupLanes(q *[8][32]int32, sc *[16]int32, q8 []byte) [8]int32 {
	var sumi [8]int32
	for t := range 8 {
		addLanes2(&sumi, sc[2*t], sc[2*t+1], &q[t], (*[32]byte)(q8[32*t:32*t+32]))
	}
	return sumi
}

// twoBitQuants decodes the low two bits of the Q2_K and Q3_K quants: the
// 64 bytes of qs hold four 2-bit planes of two 32-element halves, group
// t = 4h+g being bits 2g..2g+1 of qs[32h:32h+32].
func twoBitQuants(q *[8][32]int32, qs []byte) {
	for t := range 8 {
		h, g := t/4, t%4
		for l := range 32 {
			q[t][l] = int32(qs[32*h+l] >> uint(2*g) & 3)
		}
	}
}

// dotQ6KQ8K follows llama.cpp's AVX2 ggml_vec_dot_q6_K_q8_K: the 6-bit
// values are used unsigned (0..63) in eight int32 lanes (a scale per 16
// values), and 32 × Σ scale·bsum is subtracted per lane (lane k: sub-blocks
// 2k and 2k+1) before the fused multiply-add with d = d_x*d_w.
func dotQ6KQ8K(n int, w, x []byte) float32 {
	return dotQ6KWith(n, w, x, q6KSumiGo)
}

// dotQ2KQ8K follows llama.cpp's AVX2 ggml_vec_dot_q2_K_q8_K: per
// super-block the min term (lane k: sub-blocks 2k, 2k+1) is fused into the
// eight accumulators with dmin = -d_x*dmin_w first, then the scaled quant
// lanes with d = d_x*d_w.
func dotQ2KQ8K(n int, w, x []byte) float32 {
	var acc [8]float32
	var q [8][32]int32
	var sc [16]int32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q2KBytes : (ib+1)*q2KBytes]
		yd, q8, bs := q8K(x[ib*q8KBytes : (ib+1)*q8KBytes])
		scales := wb[0:16] // low nibble: scale, high nibble: min
		var prod [8]int32
		for k := range 8 {
			prod[k] = int32(scales[2*k]>>4)*bsum(bs, 2*k) + int32(scales[2*k+1]>>4)*bsum(bs, 2*k+1)
		}
		fmaLanes(&acc, -yd*half(wb[82:]), &prod)
		for i, v := range scales {
			sc[i] = int32(v & 0xf)
		}
		twoBitQuants(&q, wb[16:80])
		sumi := groupLanes(&q, &sc, q8)
		fmaLanes(&acc, yd*half(wb[80:]), &sumi)
	}
	return reduce8(&acc)
}

// dotQ3KQ8K follows llama.cpp's AVX2 ggml_vec_dot_q3_K_q8_K: signed 3-bit
// values (low 2 bits minus 4 where the hmask bit is clear) in eight int32
// lanes, two 16-value scales per 32-value group, one fused multiply-add per
// lane and super-block with d = d_x*d_w.
func dotQ3KQ8K(n int, w, x []byte) float32 {
	var acc [8]float32
	var q [8][32]int32
	var sc [16]int32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q3KBytes : (ib+1)*q3KBytes]
		yd, q8, _ := q8K(x[ib*q8KBytes : (ib+1)*q8KBytes])
		twoBitQuants(&q, wb[32:96])
		hm := (*[32]byte)(wb[0:32]) // group t's third bit is bit t of hm[l]
		for t := range 8 {
			for l := range 32 {
				if hm[l]>>uint(t)&1 == 0 {
					q[t][l] -= 4
				}
			}
		}
		for i, v := range tensor.Q3KScales(wb[96:108]) {
			sc[i] = int32(v)
		}
		sumi := groupLanes(&q, &sc, q8)
		fmaLanes(&acc, yd*half(wb[108:]), &sumi)
	}
	return reduce8(&acc)
}
