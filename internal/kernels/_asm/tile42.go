package main

import (
	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The 4×2 tile: four Q8_0 weight rows times two activation rows (xstride
// bytes apart, in DI and DI+DX), llamafile's tinyBLAS gemm4xN<2>. Y0..Y3
// accumulate rows 0..3 times activation row 0 and Y4..Y7 times row 1 of the
// current pair (the kernel loops over pairs of activation rows, so that one
// call covers a whole tile of them); Y8/Y9 hold the two activation blocks, Y13/Y14 the scale products d_w[r]·d_x0 and
// d_w[r]·d_x1, Y10..Y12 and Y15 are scratch. The block scales come already
// converted to float32 (R12: the four weight scales of the block, R13/R14:
// the two activation scales): converting them from fp16 in the loop (scalar
// loads, inserts, three VCVTPH2PS) took about 15% of the tile's time, and
// each weight scale is used by every activation pair of a batch.

// rowQ8C2 is one weight row's block (at m) times both activation blocks,
// with the scale products shuffled out of Y13 / Y14 by sh: a0 and a1 get
// exactly the one-row kernel's fused multiply-add.
func (g gen) rowQ8C2(m Mem, sh U8, ones Op, a0, a1 VecPhysical) {
	g.VMOVDQU(m, Y10)
	g.VPSIGNB(Y10, Y10, Y11)
	for i, act := range []VecPhysical{Y8, Y9} {
		scales, acc := []VecPhysical{Y13, Y14}[i], []VecPhysical{a0, a1}[i]
		g.VPSIGNB(Y10, act, Y12)
		g.VCVTDQ2PS(g.mulSum(Y12, Y11, ones, Y12, Y15), Y12)
		g.VSHUFPS(sh, scales, scales, Y15)
		g.VFMADD231PS(Y12, Y15, acc)
	}
}

func (g gen) dotQ8_0Tile42() {
	var ones Op // int16 ones for mulSum's VPMADDWD (the VNNI tile has none)
	if !g.vnni {
		ones = g.StaticGlobal("ones16x4")
		g.DataAttributes(attr.RODATA | attr.NOPTR)
		for i := 0; i < 4; i++ {
			g.AddDatum(8*i, U64(0x0001000100010001))
		}
	}
	g.tile42(g.name("dotQ8_0Tile42"), nil, func() {
		g.zero(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	}, func() {
		g.Comment("Y14 = d_w[r]·d_x1, Y13 = d_w[r]·d_x0 (lanes 0..3 of each half)")
		g.VBROADCASTF128(Mem{Base: R12}, Y13)
		g.VBROADCASTSS(Mem{Base: R14}, Y15)
		g.VMULPS(Y15, Y13, Y14)
		g.VBROADCASTSS(Mem{Base: R13}, Y15)
		g.VMULPS(Y15, Y13, Y13)
		g.VMOVDQU(Mem{Base: RDI, Disp: q8QS}, Y8)
		g.VMOVDQU(Mem{Base: RDI, Index: RDX, Scale: 1, Disp: q8QS}, Y9)
		for r := 0; r < rowsPerGroup; r++ {
			g.rowQ8C2(rowMem(r, q8QS), laneShuffle[r], ones, []VecPhysical{Y0, Y1, Y2, Y3}[r], []VecPhysical{Y4, Y5, Y6, Y7}[r])
		}
	}, func() {})
}

// tile42 is the 4×2 tile kernel name: the argument loading, the loop over
// pairs of activation rows and over blocks, and the store, around the
// accumulators' zeroing (zero), one block of the four rows times the pair
// (block: scales at R12, R13 and R14, quants at SI and DI, DI+DX) and what
// brings the sums into Y0..Y7 for hsum8x8 (finish). note is extra doc.
func (g gen) tile42(name string, note []string, zero, block, finish func()) {
	doc := []string{name + " runs the 4×2 tile (llamafile's tinyBLAS 4×2) over pairs",
		"pairs of activation rows: four Q8_0 weight rows stride bytes apart times",
		"activation rows xstride bytes apart, with the block scales given as",
		"float32: ws[4*b+r] is the scale of block b of weight row r, xs[i*nb+b]",
		"that of activation row i; reference loop:",
		"",
		"\tfor i := 0; i < 2*pairs; i++ {",
		"\t\tfor r := 0; r < 4; r++ {",
		"\t\t\tout[i*ostride+r] = dotQ8_0Q8_0(32*nb, w[r*stride:], x[i*xstride:])",
		"\t\t}",
		"\t}",
		"",
		"Each output is bit-identical to the one-row kernel (the scales are exact",
		"conversions of the blocks' fp16 ones). nb >= 1, pairs >= 1,",
		"len(w) >= 3*stride + 34*nb, len(x) >= (2*pairs-1)*xstride + 34*nb,",
		"len(ws) >= 4*nb, len(xs) >= 2*pairs*nb, len(out) >= (2*pairs-1)*ostride + 4.",
	}
	g.text(name, "func(w []byte, stride int, ws []float32, x []byte, xstride int, xs []float32, nb int, pairs int, out []float32, ostride int)",
		append(doc, note...)...)
	// Per-call values the pair loop restarts from, kept in the frame.
	wBase, wsBase, xCur := g.AllocLocal(8), g.AllocLocal(8), g.AllocLocal(8)
	pairs, nb := g.AllocLocal(8), g.AllocLocal(8)

	g.Comment("Rows 0..3 at SI, SI+R8, SI+R9, SI+R10 times activation rows DI (Y0..Y3)",
		"and DI+DX (Y4..Y7), each the one-row kernel's fused multiply-add per block;",
		"R12 weight scales, R13/R14 activation scales, BX output row, AX its stride.")
	g.Load(g.Param("w").Base(), RSI)
	g.MOVQ(RSI, wBase)
	g.Load(g.Param("stride"), R8)
	g.Load(g.Param("ws").Base(), R12)
	g.MOVQ(R12, wsBase)
	g.Load(g.Param("x").Base(), RDI)
	g.Load(g.Param("xstride"), RDX)
	g.Load(g.Param("xs").Base(), R13)
	g.Load(g.Param("nb"), RCX)
	g.MOVQ(RCX, nb)
	g.Load(g.Param("pairs"), RAX)
	g.MOVQ(RAX, pairs)
	g.Load(g.Param("out").Base(), RBX)
	g.Load(g.Param("ostride"), RAX)
	g.SHLQ(U8(2), RAX)
	g.LEAQ(Mem{Base: R8, Index: R8, Scale: 1}, R9)
	g.LEAQ(Mem{Base: R9, Index: R8, Scale: 1}, R10)

	g.Label("c2pair")
	g.MOVQ(wBase, RSI)
	g.MOVQ(wsBase, R12)
	g.MOVQ(nb, RCX)
	g.MOVQ(RDI, xCur)
	g.LEAQ(Mem{Base: R13, Index: RCX, Scale: 4}, R14)
	zero()

	g.Label("c2loop")
	block()
	g.ADDQ(Imm(4*rowsPerGroup), R12)
	g.ADDQ(Imm(4), R13)
	g.ADDQ(Imm(4), R14)
	g.nextBlock(q8Bytes, "c2loop")

	g.Comment("Store the pair's eight sums; move to the next pair of activation rows",
		"(R14 has reached the scales of row 2).")
	finish()
	g.hsum8x8()
	g.VMOVUPS(X8, Mem{Base: RBX})
	g.VEXTRACTF128(U8(1), Y8, Mem{Base: RBX, Index: RAX, Scale: 1})
	g.LEAQ(Mem{Base: RBX, Index: RAX, Scale: 2}, RBX)
	g.MOVQ(xCur, RDI)
	g.LEAQ(Mem{Base: RDI, Index: RDX, Scale: 2}, RDI)
	g.MOVQ(R14, R13)
	g.DECQ(pairs)
	g.JNZ(LabelRef("c2pair"))
	g.VZEROUPPER()
	g.RET()
}

// hsum8x8 reduces the eight accumulators Y0..Y7 together into Y8 = (the
// sums of Y0, Y1, Y2, Y3 | of Y4, Y5, Y6, Y7), each exactly hsum8's
// ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)): halves added pairwise (Y0 with Y4
// …), then the even and odd pairs, then the two, with shuffles bringing the
// same operands together for four or eight accumulators at a time (21
// instructions instead of 48). Y9..Y15 are scratch.
func (g gen) hsum8x8() {
	half := []VecPhysical{Y12, Y13, Y14, Y15} // (Y_r halves summed | Y_4+r halves summed)
	for r := 0; r < rowsPerGroup; r++ {
		a, b := []VecPhysical{Y0, Y1, Y2, Y3}[r], []VecPhysical{Y4, Y5, Y6, Y7}[r]
		g.VPERM2F128(U8(0x20), b, a, Y9)
		g.VPERM2F128(U8(0x31), b, a, Y10)
		g.VADDPS(Y10, Y9, half[r])
	}
	// (p0+p2, p1+p3) of rows 0, 1 in Y12 and of rows 2, 3 in Y13 (per half).
	for i, pq := range [][2]VecPhysical{{Y12, Y13}, {Y14, Y15}} {
		g.VSHUFPS(U8(0x44), pq[1], pq[0], Y9)
		g.VSHUFPS(U8(0xee), pq[1], pq[0], Y10)
		g.VADDPS(Y10, Y9, []VecPhysical{Y12, Y13}[i])
	}
	g.VSHUFPS(U8(0x88), Y13, Y12, Y9)
	g.VSHUFPS(U8(0xdd), Y13, Y12, Y10)
	g.VADDPS(Y10, Y9, Y8)
}

// q8_0Scales4 converts the block scales of four Q8_0 rows to float32 for the
// 4×2 tile, block by block with weightScales4.
func (g gen) q8_0Scales4() {
	g.text("q8_0Scales4AVX2", "func(w []byte, stride int, nb int, out []float32)",
		"q8_0Scales4AVX2 converts the fp16 block scales of four Q8_0 rows (stride",
		"bytes apart) to float32, block-major; reference loop:",
		"",
		"\tfor b := 0; b < nb; b++ {",
		"\t\tfor r := 0; r < 4; r++ {",
		"\t\t\tout[4*b+r] = tensor.F16ToF32(le16(w[r*stride+34*b:]))",
		"\t\t}",
		"\t}",
		"",
		"len(w) >= 3*stride + 34*nb, len(out) >= 4*nb.",
	)
	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("stride"), R8)
	g.Load(g.Param("nb"), RCX)
	g.Load(g.Param("out").Base(), RDI)
	g.LEAQ(Mem{Base: R8, Index: R8, Scale: 1}, R9)
	g.LEAQ(Mem{Base: R9, Index: R8, Scale: 1}, R10)
	g.TESTQ(RCX, RCX)
	g.JEQ(LabelRef("scdone"))
	g.Label("scloop")
	g.weightScales4(Y0)
	g.VMOVUPS(X0, Mem{Base: RDI})
	g.ADDQ(Imm(q8Bytes), RSI)
	g.ADDQ(Imm(4*rowsPerGroup), RDI)
	g.DECQ(RCX)
	g.JNZ(LabelRef("scloop"))
	g.Label("scdone")
	g.RET()
}
