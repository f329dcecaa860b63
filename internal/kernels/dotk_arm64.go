//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// K-quant dot products on arm64: the integer lanes of each super-block come
// from NEON assembly (dotk_arm64.s, SDOT where the CPU has dotprod), the
// scales, the min term and the float32 accumulation from the same Go code as
// the generic kernels (kScalesMins, kMinProds, fmaLanes, reduce8), so every
// result is the generic one bit for bit.

// q4KSumiSDOT sets sumi[k] = Σ_{p<4} sc[2p]·Σ_{j∈lane k} (qs[32p+j]&15)·q8[64p+j]
// + sc[2p+1]·Σ_{j∈lane k} (qs[32p+j]>>4)·q8[64p+32+j] for the eight lanes k
// (lane k: bytes 4k..4k+3 of each 32-byte half, as addLanes), int32
// wrapping. len(qs) >= 128, len(q8) >= 256. Needs dotprod.
//
//go:noescape
func q4KSumiSDOT(qs, q8 []byte, sc [8]int32) (sumi [8]int32)

// q4KSumiNEON is q4KSumiSDOT without dotprod (SMULL, SADDLP, ADDP).
//
//go:noescape
func q4KSumiNEON(qs, q8 []byte, sc [8]int32) (sumi [8]int32)

func dotQ4KSDOTAsm(n int, w, x []byte) float32 { return dotQ4KWith(n, w, x, q4KSumiSDOT) }

func dotQ4KNEONAsm(n int, w, x []byte) float32 { return dotQ4KWith(n, w, x, q4KSumiNEON) }

// q6KSumiSDOT sets sumi to the eight int32 lanes of one Q6_K super-block
// before its bsum term, as dotQ6KQ8K forms them: for h < 2, g < 4, with
// q[l] = (ql[64h+32(g&1)+l] >> 4(g>>1)) & 15 | ((qh[32h+l] >> 2g) & 3) << 4
// and y = q8[128h+32g:], lanes k < 4 get sc[8h+2g]·Σ_{j∈lane k} q·y and
// lanes k >= 4 sc[8h+2g+1]·Σ_{j∈lane k} q·y (addLanes2), int32 wrapping.
// len(ql) >= 128, len(qh) >= 64, len(q8) >= 256. Needs dotprod.
//
//go:noescape
func q6KSumiSDOT(ql, qh, q8 []byte, sc [16]int32) (sumi [8]int32)

// q6KSumiNEON is q6KSumiSDOT without dotprod (SMULL, SADDLP, ADDP).
//
//go:noescape
func q6KSumiNEON(ql, qh, q8 []byte, sc [16]int32) (sumi [8]int32)

func dotQ6KSDOTAsm(n int, w, x []byte) float32 { return dotQ6KWith(n, w, x, q6KSumiSDOT) }

func dotQ6KNEONAsm(n int, w, x []byte) float32 { return dotQ6KWith(n, w, x, q6KSumiNEON) }

// q5KSumiSDOT is q4KSumiSDOT for Q5_K: the quant of byte j of group p is
// (qs[32p+j]&15) | (qh[j]>>2p&1)<<4 against q8[64p+j], and
// (qs[32p+j]>>4) | (qh[j]>>(2p+1)&1)<<4 against q8[64p+32+j].
// len(qh) >= 32, len(qs) >= 128, len(q8) >= 256.
// Needs dotprod.
//
//go:noescape
func q5KSumiSDOT(qh, qs, q8 []byte, sc [8]int32) (sumi [8]int32)

// q5KSumiNEON is q5KSumiSDOT without dotprod (SMULL, SADDLP, ADDP).
//
//go:noescape
func q5KSumiNEON(qh, qs, q8 []byte, sc [8]int32) (sumi [8]int32)

func dotQ5KSDOTAsm(n int, w, x []byte) float32 { return dotQ5KWith(n, w, x, q5KSumiSDOT) }

func dotQ5KNEONAsm(n int, w, x []byte) float32 { return dotQ5KWith(n, w, x, q5KSumiNEON) }

// dotQ4KPackedWith is dotQ4KQ8KPacked (llama.cpp's repacked Q4_K gemv
// arithmetic) with the integer sum from core: the super-block's sumi is the
// sum of core's eight lanes, the same int32 (integer sums are exact and
// wrap alike in any order).
func dotQ4KPackedWith(n int, w, x []byte, core q4KCore) float32 {
	var acc, accm float32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q4KBytes : (ib+1)*q4KBytes]
		xb := x[ib*q8KBytes : (ib+1)*q8KBytes]
		sc, m := kScalesMins(wb[4:16])
		lanes := core(wb[16:144], xb[4:4+tensor.QK_K], sc)
		q4KPackedStep(wb, xb, &m, laneSum(&lanes), &acc, &accm)
	}
	return acc - accm
}

// q4KPackedStep adds one super-block (weights wb with mins m, activations
// xb, the exact integer sum sumi) to the accumulators of dotQ4KQ8KPacked:
// acc = fma(sumi, d_w*d_x, acc), accm = fma(Σ mins·bsums, dmin_w*d_x,
// accm).
func q4KPackedStep(wb, xb []byte, m *[8]int32, sumi int32, acc, accm *float32) {
	yd, _, bs := q8K(xb)
	prod := kMinProds(m, bs)
	*acc = fmaf(float32(sumi), half(wb)*yd, *acc)
	*accm = fmaf(float32((prod[0]+prod[1])+(prod[2]+prod[3])), half(wb[2:])*yd, *accm)
}

// laneSum returns the int32 sum of the eight lanes (wrapping, as any order).
func laneSum(l *[8]int32) int32 {
	var s int32
	for _, v := range l {
		s += v
	}
	return s
}

func dotQ4KPackedSDOTAsm(n int, w, x []byte) float32 {
	return dotQ4KPackedWith(n, w, x, q4KSumiSDOT)
}

func dotQ4KPackedNEONAsm(n int, w, x []byte) float32 {
	return dotQ4KPackedWith(n, w, x, q4KSumiNEON)
}
