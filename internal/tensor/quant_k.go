package tensor

import "math"

// groupMaxEps is ggml's GROUP_MAX_EPS: a group whose largest magnitude is
// below it is treated as all zeros.
const groupMaxEps = 1e-15

// sqrtf is float32 square root (correctly rounded via float64).
func sqrtf(f float32) float32 { return float32(math.Sqrt(float64(f))) }

// makeQKX2Quants is ggml's make_qkx2_quants: quantize x to levels 0..nmax
// with an affine map scale*L - min (min >= 0 returned separately), searching
// nstep+1 candidate scales around nmax/(max-min) for the lowest weighted
// error (squared, or absolute when useMAD). L and laux have len(x) entries.
func makeQKX2Quants(nmax int, x, weights []float32, L, laux []uint8, rmin, rdelta float32, nstep int, useMAD bool) (scale, theMin float32) {
	n := len(x)
	lo, hi := x[0], x[0]
	sumW := weights[0]
	sumX := sumW * x[0]
	for i := 1; i < n; i++ {
		lo, hi = min(lo, x[i]), max(hi, x[i])
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	lo = min(lo, 0)
	if hi == lo {
		clear(L[:n])
		return 0, -lo
	}
	errOf := func(diff float32) float32 {
		if useMAD {
			return absf(diff)
		}
		return diff * diff
	}
	iscale := float32(nmax) / (hi - lo)
	scale = 1 / iscale
	var bestErr float32
	for i := range n {
		l := max(0, min(nmax, nearestInt(iscale*(x[i]-lo))))
		L[i] = uint8(l)
		bestErr += float32(weights[i] * errOf(float32(scale*float32(l))+lo-x[i]))
	}
	if nstep < 1 {
		return scale, -lo
	}
	for is := 0; is <= nstep; is++ {
		iscale = (rmin + float32(rdelta*float32(is)) + float32(nmax)) / (hi - lo)
		var sumL, sumL2, sumXL float32
		for i := range n {
			l := max(0, min(nmax, nearestInt(iscale*(x[i]-lo))))
			laux[i] = uint8(l)
			w := weights[i]
			fl := float32(l)
			sumL += float32(w * fl)
			sumL2 += float32(w * fl * fl)
			sumXL += float32(w * fl * x[i])
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D <= 0 {
			continue
		}
		thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
		thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
		if thisMin > 0 {
			thisMin = 0
			thisScale = sumXL / sumL2
		}
		var curErr float32
		for i := range n {
			curErr += float32(weights[i] * errOf(float32(thisScale*float32(laux[i]))+thisMin-x[i]))
		}
		if curErr < bestErr {
			copy(L[:n], laux[:n])
			bestErr, scale, lo = curErr, thisScale, thisMin
		}
	}
	return scale, -lo
}

// makeQXQuants is ggml's make_qx_quants with rmse_type 1 and no importance
// weights (what the Q6_K reference uses): symmetric levels -nmax..nmax-1
// stored as L+nmax, weights x², refined over 18 nearby scales.
func makeQXQuants(nmax int, x []float32, L []int8) float32 {
	amax, vmax := signedMax(x)
	if amax < groupMaxEps {
		clear(L[:len(x)])
		return 0
	}
	level := func(iscale, v float32) int { return max(-nmax, min(nmax-1, nearestInt(iscale*v))) }
	iscale := -float32(nmax) / vmax
	var sumLX, sumL2 float32
	for i, v := range x {
		l := level(iscale, v)
		L[i] = int8(l + nmax)
		w := v * v
		fl := float32(l)
		sumLX += float32(w * v * fl)
		sumL2 += float32(w * fl * fl)
	}
	var scale float32
	if sumL2 != 0 {
		scale = sumLX / sumL2
	}
	best := scale * sumLX
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(float32(nmax) + float32(0.1*float32(is))) / vmax
		sumLX, sumL2 = 0, 0
		for _, v := range x {
			fl := float32(level(iscale, v))
			w := v * v
			sumLX += float32(w * v * fl)
			sumL2 += float32(w * fl * fl)
		}
		if sumL2 > 0 && sumLX*sumLX > best*sumL2 {
			for i, v := range x {
				L[i] = int8(level(iscale, v) + nmax)
			}
			scale = sumLX / sumL2
			best = scale * sumLX
		}
	}
	return scale
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse: symmetric levels
// -nmax..nmax-1 (stored as L+nmax), then up to five passes that move single
// values to the level that most improves the x²-weighted fit.
func makeQ3Quants(nmax int, x []float32, L []int8) float32 {
	amax, vmax := signedMax(x)
	if amax < groupMaxEps {
		clear(L[:len(x)])
		return 0
	}
	iscale := -float32(nmax) / vmax
	var sumLX, sumL2 float32
	for i, v := range x {
		l := max(-nmax, min(nmax-1, nearestInt(iscale*v)))
		L[i] = int8(l)
		w := v * v
		sumLX += float32(w * v * float32(l))
		sumL2 += float32(w * float32(l) * float32(l))
	}
	for range 5 {
		changed := 0
		for i, v := range x {
			w := v * v
			li := float32(L[i])
			slx := sumLX - float32(w*v*li)
			if slx <= 0 {
				continue
			}
			sl2 := sumL2 - float32(w*li*li)
			newL := max(-nmax, min(nmax-1, nearestInt(v*sl2/slx)))
			if newL == int(L[i]) {
				continue
			}
			fl := float32(newL)
			slx += float32(w * v * fl)
			sl2 += float32(w * fl * fl)
			if sl2 > 0 && slx*slx*sumL2 > sumLX*sumLX*sl2 {
				L[i] = int8(newL)
				sumLX, sumL2 = slx, sl2
				changed++
			}
		}
		if changed == 0 {
			break
		}
	}
	for i := range x {
		L[i] += int8(nmax)
	}
	return sumLX / sumL2
}

// subBlockFit is how a K-quant format with scales and mins (Q2_K, Q4_K,
// Q5_K) fits its sub-blocks of n values: make_qkx2_quants to levels
// 0..nmax with these settings and the weights weigh gives.
type subBlockFit struct {
	n, nmax, nstep int
	rmin           float32
	useMAD         bool
	weigh          func(xs, w []float32) // w[i]: the weight of xs[i]
}

// fit fits every sub-block of the super-block x, writing the levels to L,
// and returns each sub-block's scale and min and the largest of each.
func (f subBlockFit) fit(x []float32, L []uint8) (scales, mins []float32, maxScale, maxMin float32) {
	nb := QK_K / f.n
	scales, mins = make([]float32, nb), make([]float32, nb)
	laux, w := make([]uint8, f.n), make([]float32, f.n)
	for j := range nb {
		xs := x[f.n*j : f.n*j+f.n]
		f.weigh(xs, w)
		scales[j], mins[j] = makeQKX2Quants(f.nmax, xs, w, L[f.n*j:f.n*j+f.n], laux, f.rmin, 0.1, f.nstep, f.useMAD)
		maxScale, maxMin = max(maxScale, scales[j]), max(maxMin, mins[j])
	}
	return scales, mins, maxScale, maxMin
}

// requantize sets the levels of every sub-block j again against the scale
// d and min dm it was stored with (stored(j)); a sub-block whose scale is 0
// keeps the levels of its fit.
func (f subBlockFit) requantize(x []float32, L []uint8, stored func(j int) (d, dm float32)) {
	for j := range QK_K / f.n {
		d, dm := stored(j)
		if d == 0 {
			continue
		}
		for ii := range f.n {
			L[f.n*j+ii] = uint8(max(0, min(f.nmax, nearestInt((x[f.n*j+ii]+dm)/d))))
		}
	}
}

// quantQ4K is quantize_row_q4_K_ref for one super-block.
func quantQ4K(x []float32, y []byte) { quantQ45K(x, y, 15, -1, 20) }

// quantQ5K is quantize_row_q5_K_ref for one super-block.
func quantQ5K(x []float32, y []byte) { quantQ45K(x, y, 31, -0.5, 15) }

// quantQ45K implements the shared Q4_K/Q5_K reference: per 32-element
// sub-block a make_qkx2_quants fit weighted by sqrt(mean x²)+|x|, the
// sub-block scales and mins quantized to 6 bits against the largest of each,
// then every value re-quantized against the stored (rounded) scales.
func quantQ45K(x []float32, y []byte, nmax int, rmin float32, nstep int) {
	var L [QK_K]uint8
	f := subBlockFit{n: 32, nmax: nmax, rmin: rmin, nstep: nstep, weigh: func(xs, w []float32) {
		var sumX2 float32
		for _, v := range xs {
			sumX2 += float32(v * v)
		}
		avX := sqrtf(sumX2 / 32)
		for l, v := range xs {
			w[l] = avX + absf(v)
		}
	}}
	scales, mins, maxScale, maxMin := f.fit(x, L[:])
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	sc := y[4:16]
	clear(sc)
	for j := range QK_K / 32 {
		ls := min(63, uint8(nearestInt(invScale*scales[j])))
		lm := min(63, uint8(nearestInt(invMin*mins[j])))
		if j < 4 {
			sc[j], sc[j+4] = ls, lm
		} else {
			sc[j+4] = ls&0xf | (lm&0xf)<<4
			sc[j-4] |= (ls >> 4) << 6
			sc[j] |= (lm >> 4) << 6
		}
	}
	putF16(y, maxScale/63)
	putF16(y[2:], maxMin/63)
	dAll, dMin := fp16(y), fp16(y[2:])
	f.requantize(x, L[:], func(j int) (d, dm float32) {
		s, m := ScaleMinK4(j, sc)
		return dAll * float32(s), dMin * float32(m)
	})
	packQ45K(L[:], y, nmax)
}

// packQ45K stores the 4-bit (Q4_K) or 5-bit (Q5_K) levels of a super-block:
// 32 bytes per 64 values, low nibbles for the first 32, high for the next;
// Q5_K puts the fifth bits in qh (bit 2k and 2k+1 for the k-th 64 values).
func packQ45K(L []uint8, y []byte, nmax int) {
	if nmax == 15 {
		q := y[16:144]
		for j := 0; j < QK_K; j += 64 {
			for l := range 32 {
				q[j/2+l] = L[j+l] | L[j+l+32]<<4
			}
		}
		return
	}
	qh, ql := y[16:48], y[48:176]
	clear(qh)
	m1, m2 := byte(1), byte(2)
	for n := 0; n < QK_K; n += 64 {
		for j := range 32 {
			l1, l2 := L[n+j], L[n+j+32]
			if l1 > 15 {
				l1 -= 16
				qh[j] |= m1
			}
			if l2 > 15 {
				l2 -= 16
				qh[j] |= m2
			}
			ql[n/2+j] = l1 | l2<<4
		}
		m1 <<= 2
		m2 <<= 2
	}
}

// quantQ6K is quantize_row_q6_K_ref for one super-block.
func quantQ6K(x []float32, y []byte) {
	var L [QK_K]int8
	var scales [QK_K / 16]float32
	var maxScale, maxAbs float32
	for ib := range QK_K / 16 {
		s := makeQXQuants(32, x[16*ib:16*ib+16], L[16*ib:16*ib+16])
		scales[ib] = s
		if a := absf(s); a > maxAbs {
			maxAbs, maxScale = a, s
		}
	}
	clear(y[:q6KBlockBytes])
	if maxAbs < groupMaxEps {
		return
	}
	iscale := -128 / maxScale
	putF16(y[208:], 1/iscale)
	sc := y[192:208]
	for ib := range QK_K / 16 {
		sc[ib] = byte(int8(min(127, nearestInt(iscale*scales[ib]))))
	}
	dAll := fp16(y[208:])
	for j := range QK_K / 16 {
		d := dAll * float32(int8(sc[j]))
		if d == 0 {
			continue
		}
		for ii := range 16 {
			L[16*j+ii] = int8(max(-32, min(31, nearestInt(x[16*j+ii]/d))) + 32)
		}
	}
	ql, qh := y[0:128], y[128:192]
	for j := 0; j < QK_K; j += 128 {
		for l := range 32 {
			a, b, c, d := byte(L[j+l]), byte(L[j+l+32]), byte(L[j+l+64]), byte(L[j+l+96])
			ql[j/2+l] = a&0xf | (c&0xf)<<4
			ql[j/2+l+32] = b&0xf | (d&0xf)<<4
			qh[j/4+l] = a>>4 | (b>>4)<<2 | (c>>4)<<4 | (d>>4)<<6
		}
	}
}

// q6KBlockBytes is the size of a block_q6_K.
const q6KBlockBytes = QK_K/2 + QK_K/4 + QK_K/16 + 2

// quantQ2K is quantize_row_q2_K_ref for one super-block: per 16 values a
// 2-bit make_qkx2_quants fit (|x| weights, absolute error), scales and mins
// quantized to 4 bits.
func quantQ2K(x []float32, y []byte) {
	const q4scale = 15
	var L [QK_K]uint8
	f := subBlockFit{n: 16, nmax: 3, rmin: -0.5, nstep: 15, useMAD: true, weigh: func(xs, w []float32) {
		for l, v := range xs {
			w[l] = absf(v)
		}
	}}
	scales, mins, maxScale, maxMin := f.fit(x, L[:])
	sc := y[0:16]
	clear(sc)
	putF16(y[80:], 0)
	putF16(y[82:], 0)
	if maxScale > 0 {
		iscale := q4scale / maxScale
		for j := range sc {
			sc[j] = uint8(nearestInt(iscale * scales[j]))
		}
		putF16(y[80:], maxScale/q4scale)
	}
	if maxMin > 0 {
		iscale := q4scale / maxMin
		for j := range sc {
			sc[j] |= uint8(nearestInt(iscale*mins[j])) << 4
		}
		putF16(y[82:], maxMin/q4scale)
	}
	dAll, dMin := fp16(y[80:]), fp16(y[82:])
	f.requantize(x, L[:], func(j int) (d, dm float32) {
		return dAll * float32(sc[j]&0xf), dMin * float32(sc[j]>>4)
	})
	packQ2Bits(L[:], y[16:80])
}

// packQ2Bits stores 256 2-bit levels: byte j/4+l of each 128-value half holds
// levels l, l+32, l+64, l+96 in bits 0-1, 2-3, 4-5, 6-7.
func packQ2Bits(L []uint8, qs []byte) {
	for j := 0; j < QK_K; j += 128 {
		for l := range 32 {
			qs[j/4+l] = L[j+l] | L[j+l+32]<<2 | L[j+l+64]<<4 | L[j+l+96]<<6
		}
	}
}

// quantQ3K is quantize_row_q3_K_ref for one super-block.
func quantQ3K(x []float32, y []byte) {
	var L [QK_K]int8
	var scales [QK_K / 16]float32
	var maxScale, amax float32
	for j := range QK_K / 16 {
		scales[j] = makeQ3Quants(4, x[16*j:16*j+16], L[16*j:16*j+16])
		if a := absf(scales[j]); a > amax {
			amax, maxScale = a, scales[j]
		}
	}
	hm, qs, sc := y[0:32], y[32:96], y[96:108]
	clear(sc)
	putF16(y[108:], 0)
	if maxScale != 0 {
		iscale := -32 / maxScale
		for j := range QK_K / 16 {
			l := byte(max(-32, min(31, int(int8(nearestInt(iscale*scales[j]))))) + 32)
			if j < 8 {
				sc[j] = l & 0xf
			} else {
				sc[j-8] |= (l & 0xf) << 4
			}
			sc[j%4+8] |= (l >> 4) << uint(2*(j/4))
		}
		putF16(y[108:], 1/iscale)
	}
	dAll := fp16(y[108:])
	unpacked := Q3KScales(sc)
	for j := range QK_K / 16 {
		d := dAll * float32(unpacked[j])
		if d == 0 {
			continue
		}
		for ii := range 16 {
			L[16*j+ii] = int8(max(-4, min(3, nearestInt(x[16*j+ii]/d))) + 4)
		}
	}
	clear(hm)
	var u [QK_K]uint8
	for j := range QK_K {
		u[j] = uint8(L[j])
		if u[j] > 3 {
			hm[j%32] |= 1 << uint(j/32)
			u[j] -= 4
		}
	}
	packQ2Bits(u[:], qs)
}
