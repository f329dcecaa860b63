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
	g.bcast32(0x0f0f0f0f, Y14)
	g.bcast32(0x03030303, Y13)
	g.bcast32(0x0c0c0c0c, Y12)
	g.bcast32(0x30303030, Y11)
	g.bcast32(0xc0c0c0c0, Y10)
	g.TESTQ(RCX, RCX)
	g.JEQ(LabelRef("q6c4fin"))

	// shufQ6c4: byte i of the int8 scales repeated 8 times, for i = 0..15 (a
	// 16-byte load at 16·is gives scales 2·is and 2·is+1, eight lanes each).
	shuf := g.StaticGlobal("shufQ6c4")
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < 16; i++ {
		g.AddDatum(8*i, U64(0x0101010101010101*uint64(i)))
	}

	g.Label("q6c4loop")
	for _, off := range []int{512, 576, 640} {
		g.PREFETCHT0(Mem{Base: RSI, Disp: off})
	}
	g.LEAQ(Mem{Base: RDX, Index: RDX, Scale: 2}, R12)
	g.ADDQ(RDI, R12)
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
