package main

import (
	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// One Q6_K weight row times four Q8_K activation rows (xstride bytes apart).
// The 6-bit quants and the scale vector of each 32-element chunk are built
// once and multiplied with the four activation rows; each row keeps
// dotQ6KAVX2's integer lanes (its own int32 accumulator Y0..Y3), its
// per-super-block subtraction of 32·Σscale·bsum, conversion and fused
// multiply-add into an 8-lane float accumulator (acc[8a:8a+8], scratch,
// zeroed here) and its final hsum_float_8, so every output is bitwise the
// one-row result.
//
// Registers: SI weight super-block, DI activation row 0, DX xstride, R12
// activation row 3 (DI + 3·DX), CX super-blocks left, BX acc, R8 out, X15
// the int8 scales, Y14 0x0f bytes, Y13/Y12/Y11/Y10 the 2-bit masks of qh
// (0x03, 0x0c, 0x30, 0xc0), Y4 the 6-bit quants of a chunk, Y9 its scales
// as int16, Y5..Y8 scratch.

// Block layouts (ggml's block_q6_K and block_q8_K) and their offsets.
const (
	q6KBytes  = 210 // block_q6_K: ql[128] qh[64] scales[16] d (fp16)
	q6KQH     = 128
	q6KScales = 192
	q6KD      = 208
	q8KBytes  = 292 // block_q8_K: d (float32) qs[256] bsums[16] (int16)
	q8KQS     = 4
	q8KBsums  = 260
)

// q6Act is activation row a's current block at byte disp.
func q6Act(a, disp int) Mem {
	switch a {
	case 0:
		return Mem{Base: RDI, Disp: disp}
	case 1:
		return Mem{Base: RDI, Disp: disp, Index: RDX, Scale: 1}
	case 2:
		return Mem{Base: RDI, Disp: disp, Index: RDX, Scale: 2}
	}
	return Mem{Base: R12, Disp: disp}
}

// q6Acc is the int32 accumulator of activation row a.
var q6Acc = []VecPhysical{Y0, Y1, Y2, Y3}

// q6Quants sets Y4 to the 6-bit quants of chunk j (0..3) of the current
// half: low nibbles of Y6 (j even) or Y7 (j odd), high for j ≥ 2, ORed with
// bits 2j, 2j+1 of qh (Y8) moved to bits 4..5.
func (g gen) q6Quants(j int) {
	mask := []VecPhysical{Y13, Y12, Y11, Y10}[j]
	ql := []VecPhysical{Y6, Y7}[j%2]
	g.VPAND(mask, Y8, Y9)
	switch j {
	case 0:
		g.VPSLLW(U8(4), Y9, Y9)
	case 1:
		g.VPSLLW(U8(2), Y9, Y9)
	case 3:
		g.VPSRLW(U8(2), Y9, Y9)
	}
	if j < 2 {
		g.VPAND(Y14, ql, Y4)
	} else {
		g.VPSRLW(U8(4), ql, Y4)
		g.VPAND(Y14, Y4, Y4)
	}
	g.VPOR(Y9, Y4, Y4)
}

func (g gen) dotQ6KCols4() {
	g.text("dotQ6KCols4AVX2", "func(w []byte, x []byte, xstride int, nb int, acc []float32, out []float32)",
		"dotQ6KCols4AVX2 is one Q6_K weight row times four Q8_K activation rows",
		"xstride bytes apart; reference loop:",
		"",
		"\tfor a := 0; a < 4; a++ {",
		"\t\tout[a] = dotQ6KAVX2(w, x[a*xstride:], nb)",
		"\t}",
		"",
		"Each output is bit-identical to the one-row kernel. acc is scratch",
		"(zeroed here). len(w) >= 210*nb, len(x) >= 3*xstride + 292*nb,",
		"len(acc) >= 32, len(out) >= 4.",
	)
	g.Comment("The quants and scales of each 32-element chunk are built once for",
		"the four activation rows; row a keeps dotQ6KAVX2's int32 lanes (Y0..Y3),",
		"its subtraction of 32·Σscale·bsum per super-block, its fused",
		"multiply-add into acc[8a:8a+8] and its final hsum_float_8.")
	g.q6Start()
	g.bcast32(0x0f0f0f0f, Y14)
	g.bcast32(0x03030303, Y13)
	g.bcast32(0x0c0c0c0c, Y12)
	g.bcast32(0x30303030, Y11)
	g.bcast32(0xc0c0c0c0, Y10)
	g.TESTQ(RCX, RCX)
	g.JEQ(LabelRef("q6c4fin"))

	shuf := g.q6Shuf()

	g.q6Loop()
	g.Comment("int8 scales")
	g.VMOVDQU(Mem{Base: RSI, Disp: q6KScales}, X15)
	for _, y := range q6Acc {
		g.VPXOR(y, y, y)
	}
	for h := 0; h < 2; h++ {
		g.Comment("128 elements: ql (Y6, Y7) and qh (Y8)")
		g.VMOVDQU(Mem{Base: RSI, Disp: 64 * h}, Y6)
		g.VMOVDQU(Mem{Base: RSI, Disp: 64*h + 32}, Y7)
		g.VMOVDQU(Mem{Base: RSI, Disp: q6KQH + 32*h}, Y8)
		for j := 0; j < 4; j++ {
			is := 4*h + j
			g.q6Quants(j)
			g.VPSHUFB(shuf.Offset(16*is), X15, X9)
			g.VPMOVSXBW(X9, Y9)
			for a, acc := range q6Acc {
				g.VPMADDUBSW(q6Act(a, q8KQS+32*is), Y4, Y5)
				g.VPMADDWD(Y9, Y5, Y5)
				g.VPADDD(Y5, acc, acc)
			}
		}
	}
	g.q6Rows()
	g.q6Finish()
}

// q6Shuf is shufQ6c4: byte i of the int8 scales repeated 8 times, for i =
// 0..15 (a 16-byte load at 16·is gives scales 2·is and 2·is+1, eight lanes
// each; a 32-byte one at 16·is those of chunks is and is+1).
func (g gen) q6Shuf() Mem {
	shuf := g.StaticGlobal("shufQ6c4")
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < 16; i++ {
		g.AddDatum(8*i, U64(0x0101010101010101*uint64(i)))
	}
	return shuf
}

// q6Rows ends a super-block of the cols4 kernels (the int32 lanes of
// activation a in q6Acc[a], the int8 scales in X15) and loops: per row,
// dotQ6KAVX2's subtraction, conversion and fused multiply-add into acc.
func (g gen) q6Rows() {
	g.Comment("X6 = the weight scale d")
	g.MOVWLZX(Mem{Base: RSI, Disp: q6KD}, EAX)
	g.VMOVD(EAX, X6)
	g.VCVTPH2PS(X6, X6)
	for a, acc := range q6Acc {
		g.Comment("row: lanes - 32·Σscale·bsum, acc[8a:] += d·x.d · lanes")
		g.VPMOVSXBW(X15, Y4)
		g.VPMADDWD(q6Act(a, q8KBsums), Y4, Y5)
		g.VPSLLD(U8(5), Y5, Y5)
		g.VPSUBD(Y5, acc, acc)
		g.VCVTDQ2PS(acc, acc)
		g.VMOVSS(q6Act(a, 0), X5)
		g.VMULSS(X6, X5, X5)
		g.VBROADCASTSS(X5, Y5)
		g.VMOVUPS(Mem{Base: RBX, Disp: 32 * a}, Y9)
		g.VFMADD231PS(Y5, acc, Y9)
		g.VMOVUPS(Y9, Mem{Base: RBX, Disp: 32 * a})
	}
	g.ADDQ(U32(q6KBytes), RSI)
	g.ADDQ(U32(q8KBytes), RDI)
	g.DECQ(RCX)
	g.JNZ(LabelRef("q6c4loop"))
}

// dotQ6KCols4ZMM is dotQ6KCols4AVX2 with two chunks per ZMM register: the
// quants of chunks is and is+1 (64 bytes of ql for the low nibbles, with
// each half's own qh bits by a per-half mask and VPSLLVW / VPSRLVW) meet
// the activation's 64 contiguous bytes of those chunks in one VPMADDUBSW,
// and one VPDPWSSD (VPMADDWD and VPADDD without VNNI) scales and adds them. Lane k of the low half
// accumulates the even chunks' lane k, of the high half the odd ones';
// their sum is the YMM kernel's lane k (int32 sums, exact in any order),
// and the rest is q6Rows: the same bits.
func (g gen) dotQ6KCols4ZMM() {
	name := g.zname("dotQ6KCols4")
	g.text(name, "func(w []byte, x []byte, xstride int, nb int, acc []float32, out []float32)",
		name+" is dotQ6KCols4AVX2 with two 32-element chunks per ZMM register;",
		"reference loop:",
		"",
		"\tfor a := 0; a < 4; a++ {",
		"\t\tout[a] = dotQ6KAVX2(w, x[a*xstride:], nb)",
		"\t}",
		"",
		"Each output is bit-identical to the one-row kernel. acc is scratch",
		"(zeroed here). len(w) >= 210*nb, len(x) >= 3*xstride + 292*nb,",
		"len(acc) >= 32, len(out) >= 4.",
	)
	consts := func(name string, lo, hi uint64) Mem {
		m := g.StaticGlobal(name)
		g.DataAttributes(attr.RODATA | attr.NOPTR)
		for i := 0; i < 8; i++ {
			v := lo
			if i >= 4 {
				v = hi
			}
			g.AddDatum(8*i, U64(v))
		}
		return m
	}
	maskA := consts("q6zMaskA", 0x0303030303030303, 0x0c0c0c0c0c0c0c0c) // qh bits of chunks 4h, 4h+1
	maskB := consts("q6zMaskB", 0x3030303030303030, 0xc0c0c0c0c0c0c0c0) // of 4h+2, 4h+3
	shlA := consts("q6zShlA", 0x0004000400040004, 0x0002000200020002)   // to bits 4..5
	shrB := consts("q6zShrB", 0, 0x0002000200020002)
	shuf := g.q6Shuf()
	g.q6Start()
	g.bcast32(0x0f0f0f0f, Y14)
	g.VPBROADCASTD(X14, Z14)
	g.VMOVDQU64(maskA, Z13)
	g.VMOVDQU64(maskB, Z12)
	g.VMOVDQU64(shlA, Z11)
	g.VMOVDQU64(shrB, Z10)
	g.TESTQ(RCX, RCX)
	g.JEQ(LabelRef("q6c4fin"))

	g.q6Loop()
	g.Comment("int8 scales in both 128-bit lanes")
	g.VBROADCASTI128(Mem{Base: RSI, Disp: q6KScales}, Y15)
	zacc := []VecPhysical{Z0, Z1, Z2, Z3} // q6Acc's ZMM registers
	for _, z := range zacc {
		g.VPXORD(z, z, z)
	}
	for h := 0; h < 2; h++ {
		g.Comment("128 elements: ql (Z6) and qh in both halves (Z8)")
		g.VMOVDQU64(Mem{Base: RSI, Disp: 64 * h}, Z6)
		g.VBROADCASTI64X4(Mem{Base: RSI, Disp: q6KQH + 32*h}, Z8)
		for pair := 0; pair < 2; pair++ {
			is := 4*h + 2*pair
			if pair == 0 {
				g.VPANDD(Z13, Z8, Z9)
				g.VPSLLVW(Z11, Z9, Z9)
				g.VPANDD(Z14, Z6, Z4)
			} else {
				g.VPANDD(Z12, Z8, Z9)
				g.VPSRLVW(Z10, Z9, Z9)
				g.VPSRLW(U8(4), Z6, Z4)
				g.VPANDD(Z14, Z4, Z4)
			}
			g.VPORD(Z9, Z4, Z4)
			g.VPSHUFB(shuf.Offset(16*is), Y15, Y5)
			g.VPMOVSXBW(Y5, Z5)
			for a, z := range zacc {
				g.VPMADDUBSW(q6Act(a, q8KQS+32*is), Z4, Z7)
				g.maddAcc(Z5, Z7, z)
			}
		}
	}
	g.Comment("each row's two halves of lanes added")
	for a, z := range zacc {
		g.VEXTRACTI64X4(U8(1), z, Y5)
		g.VPADDD(Y5, q6Acc[a], q6Acc[a])
	}
	g.q6Rows()
	g.q6Finish()
}

// q6Start loads a cols4 kernel's arguments (see the register list above)
// and zeroes its float accumulators acc.
func (g gen) q6Start() {
	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("x").Base(), RDI)
	g.Load(g.Param("xstride"), RDX)
	g.Load(g.Param("nb"), RCX)
	g.Load(g.Param("acc").Base(), RBX)
	g.Load(g.Param("out").Base(), R8)
	g.VXORPS(Y0, Y0, Y0)
	for a := 0; a < 4; a++ {
		g.VMOVUPS(Y0, Mem{Base: RBX, Disp: 32 * a})
	}
}

// q6Loop starts a cols4 kernel's super-block loop: the weights a few lines
// ahead prefetched, R12 at activation row 3.
func (g gen) q6Loop() {
	g.Label("q6c4loop")
	for _, off := range []int{512, 576, 640} {
		g.PREFETCHT0(Mem{Base: RSI, Disp: off})
	}
	g.LEAQ(Mem{Base: RDX, Index: RDX, Scale: 2}, R12)
	g.ADDQ(RDI, R12)
}

// q6Finish ends a cols4 kernel: hsum_float_8 of each acc[8a:8a+8] into
// out[a].
func (g gen) q6Finish() {
	g.Label("q6c4fin")
	g.Comment("hsum_float_8 of each acc[8a:8a+8] → out[a]")
	for a := 0; a < 4; a++ {
		g.VMOVUPS(Mem{Base: RBX, Disp: 32 * a}, Y0)
		g.VEXTRACTF128(U8(1), Y0, X1)
		g.VADDPS(X0, X1, X1)
		g.VMOVHLPS(X1, X1, X2)
		g.VADDPS(X2, X1, X1)
		g.VMOVSHDUP(X1, X2)
		g.VADDSS(X2, X1, X0)
		g.VMOVSS(X0, Mem{Base: R8, Disp: 4 * a})
	}
	g.VZEROUPPER()
	g.RET()
}
