package kernels

import "github.com/plumewriter/plume/internal/tensor"

// The Q4_K, Q5_K and Q6_K dot products in two parts: a core forms one
// super-block's eight int32 lanes (the Go loops below, or the assembly of
// dotk_arm64.s), and the scales, the min and bsum terms and the float32
// accumulation are this file's, whichever core ran. Integer sums are exact
// (wrapping alike in any order), so every core gives the generic results
// bit for bit.

// q4KSumiGo is the Go core of dotQ4KQ8K: sumi[k] = Σ_{p<4} sc[2p]·Σ_{j∈lane k}
// (qs[32p+j]&15)·q8[64p+j] + sc[2p+1]·Σ_{j∈lane k} (qs[32p+j]>>4)·q8[64p+32+j]
// (addLanes).
func q4KSumiGo(qs, q8 []byte, sc [8]int32) (sumi [8]int32) {
	var q [32]int32
	for p := range 4 {
		qq := (*[32]byte)(qs[32*p : 32*p+32])
		for l := range 32 {
			q[l] = int32(qq[l] & 0xf)
		}
		addLanes(&sumi, sc[2*p], &q, (*[32]byte)(q8[64*p:64*p+32]))
		for l := range 32 {
			q[l] = int32(qq[l] >> 4)
		}
		addLanes(&sumi, sc[2*p+1], &q, (*[32]byte)(q8[64*p+32:64*p+64]))
	}
	return sumi
}

// q5KSumiGo is the Go core of dotQ5KQ8K: q4KSumiGo with bit 2p (low
// nibbles) or 2p+1 (high nibbles) of qh[j] as each quant's bit 4.
func q5KSumiGo(qh, qs, q8 []byte, sc [8]int32) (sumi [8]int32) {
	var q [32]int32
	for p := range 4 {
		qq := (*[32]byte)(qs[32*p : 32*p+32])
		for l := range 32 {
			q[l] = int32(qq[l]&0xf) | int32(qh[l]>>uint(2*p)&1)<<4
		}
		addLanes(&sumi, sc[2*p], &q, (*[32]byte)(q8[64*p:64*p+32]))
		for l := range 32 {
			q[l] = int32(qq[l]>>4) | int32(qh[l]>>uint(2*p+1)&1)<<4
		}
		addLanes(&sumi, sc[2*p+1], &q, (*[32]byte)(q8[64*p+32:64*p+64]))
	}
	return sumi
}

// q6KSumiGo is the Go core of dotQ6KQ8K: the unsigned 6-bit quants of each
// 32-element group t = 4h+g (low nibbles of ql, high bits of qh) against
// q8[32t:], lanes 0-3 scaled by sc[2t] and lanes 4-7 by sc[2t+1]
// (groupLanes), before the bsum term.
func q6KSumiGo(ql, qh, q8 []byte, sc [16]int32) [8]int32 {
	var q [8][32]int32
	for t := range 8 {
		h, g := t/4, t%4
		lo, shift := ql[64*h+32*(g&1):], uint(4*(g>>1))
		hb := qh[32*h:]
		for l := range 32 {
			q[t][l] = int32(lo[l]>>shift&0xf) | int32(hb[l]>>uint(2*g)&3)<<4
		}
	}
	return groupLanes(&q, &sc, q8)
}

// q4KCore is one of the q4KSumi kernels. The cores take and return arrays
// by value: nothing they are given can escape to the heap through the
// indirect call.
type q4KCore func(qs, q8 []byte, sc [8]int32) [8]int32

// dotQ4KWith is dotQ4KQ8K with the integer lanes from core.
func dotQ4KWith(n int, w, x []byte, core q4KCore) float32 {
	var acc [8]float32
	var accm [4]float32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q4KBytes : (ib+1)*q4KBytes]
		d, dmin, q8, sc, prod := q45KBlock(wb, x[ib*q8KBytes:(ib+1)*q8KBytes])
		for k := range 4 {
			accm[k] = fmaf(dmin, float32(prod[k]), accm[k])
		}
		sumi := core(wb[16:144], q8[:256], sc)
		fmaLanes(&acc, d, &sumi)
	}
	return reduce8(&acc) + ((accm[0] + accm[2]) + (accm[1] + accm[3]))
}

// q6KCore is one of the q6KSumi kernels.
type q6KCore func(ql, qh, q8 []byte, sc [16]int32) [8]int32

// dotQ6KWith is dotQ6KQ8K with the integer lanes from core.
func dotQ6KWith(n int, w, x []byte, core q6KCore) float32 {
	var acc [8]float32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q6KBytes : (ib+1)*q6KBytes]
		yd, q8, bs := q8K(x[ib*q8KBytes : (ib+1)*q8KBytes])
		sc := q6KScales(wb)
		sumi := core(wb[0:128], wb[128:192], q8[:256], sc)
		q6KStep(&acc, yd*half(wb[208:]), bs, &sc, &sumi)
	}
	return reduce8(&acc)
}

// q6KScales returns the sixteen signed sub-block scales of the Q6_K
// super-block wb.
func q6KScales(wb []byte) (sc [16]int32) {
	for i, s := range wb[192:208] {
		sc[i] = int32(int8(s))
	}
	return sc
}

// q6KStep finishes one Q6_K super-block as dotQ6KQ8K does: lane k loses
// 32 × its two sub-blocks' scale·bsum, then acc[k] = fma(d, sumi[k],
// acc[k]) with d = d_x*d_w.
func q6KStep(acc *[8]float32, d float32, bs []byte, sc *[16]int32, sumi *[8]int32) {
	for k := range 8 {
		sub := bsum(bs, 2*k)*sc[2*k] + bsum(bs, 2*k+1)*sc[2*k+1]
		sumi[k] -= sub << 5
	}
	fmaLanes(acc, d, sumi)
}

// q5KCore is one of the q5KSumi kernels.
type q5KCore func(qh, qs, q8 []byte, sc [8]int32) [8]int32

// dotQ5KWith is dotQ5KQ8K with the integer lanes from core.
func dotQ5KWith(n int, w, x []byte, core q5KCore) float32 {
	var acc [8]float32
	var summs float32
	for ib := 0; ib < n/tensor.QK_K; ib++ {
		wb := w[ib*q5KBytes : (ib+1)*q5KBytes]
		d, dmin, q8, sc, prod := q45KBlock(wb, x[ib*q8KBytes:(ib+1)*q8KBytes])
		summs = fmaf(dmin, float32((prod[0]+prod[1])+(prod[2]+prod[3])), summs)
		sumi := core(wb[16:48], wb[48:176], q8[:256], sc)
		fmaLanes(&acc, d, &sumi)
	}
	return reduce8(&acc) + summs
}

// q45KBlock reads what the Q4_K and Q5_K dot products take from one
// super-block (their headers are alike: d, dmin, twelve bytes of scales and
// mins) and its Q8_K activation block xb: d = d_x*d_w, dmin = -d_x*dmin_w,
// the activation quants, the scales and the four min-term lanes
// (kMinProds).
func q45KBlock(wb, xb []byte) (d, dmin float32, q8 []byte, sc [8]int32, prod [4]int32) {
	yd, q8, bs := q8K(xb)
	sc, m := kScalesMins(wb[4:16])
	return yd * half(wb), -yd * half(wb[2:]), q8, sc, kMinProds(&m, bs)
}
