package main

import (
	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The 4×2 tile: four Q8_0 weight rows times two activation rows (xstride
// bytes apart, in DI and DI+DX), llamafile's tinyBLAS gemm4xN<2>. Y0..Y3
// accumulate rows 0..3 times activation row 0 and Y4..Y7 times row 1; Y8/Y9
// hold the two activation blocks, Y13/Y14 the scale products d_w[r]·d_x0 and
// d_w[r]·d_x1, Y10..Y12 and Y15 are scratch.

// rowQ8C2 is one weight row's block (at m) times both activation blocks,
// with the scale products shuffled out of Y13 / Y14 by sh: a0 and a1 get
// exactly the one-row kernel's fused multiply-add.
func (g gen) rowQ8C2(m Mem, sh U8, ones Mem, a0, a1 VecPhysical) {
	g.VMOVDQU(m, Y10)
	g.VPSIGNB(Y10, Y10, Y11)
	for i, act := range []VecPhysical{Y8, Y9} {
		scales, acc := []VecPhysical{Y13, Y14}[i], []VecPhysical{a0, a1}[i]
		g.VPSIGNB(Y10, act, Y12)
		g.VPMADDUBSW(Y12, Y11, Y12)
		g.VPMADDWD(ones, Y12, Y12)
		g.VCVTDQ2PS(Y12, Y12)
		g.VSHUFPS(sh, scales, scales, Y15)
		g.VFMADD231PS(Y12, Y15, acc)
	}
}

func (g gen) dotQ8_0R4C2() {
	g.text("dotQ8_0R4C2AVX2", "func(w []byte, stride int, x []byte, xstride int, nb int, out []float32)",
		"dotQ8_0R4C2AVX2 is the 4×2 tile (llamafile's tinyBLAS 4×2): four Q8_0",
		"weight rows stride bytes apart times two activation rows xstride bytes",
		"apart; reference loop:",
		"",
		"\tfor r := 0; r < 4; r++ {",
		"\t\tout[r] = dotQ8_0Q8_0(32*nb, w[r*stride:], x)",
		"\t\tout[4+r] = dotQ8_0Q8_0(32*nb, w[r*stride:], x[xstride:])",
		"\t}",
		"",
		"Each output is bit-identical to the one-row kernel.",
		"len(w) >= 3*stride + 34*nb, len(x) >= xstride + 34*nb, len(out) >= 8.",
	)
	ones := g.StaticGlobal("ones16x4") // int16 ones for VPMADDWD
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < 4; i++ {
		g.AddDatum(8*i, U64(0x0001000100010001))
	}

	g.Comment("Rows 0..3 at SI, SI+R8, SI+R9, SI+R10 times activation rows DI (Y0..Y3)",
		"and DI+DX (Y4..Y7), each the one-row kernel's fused multiply-add per block.")
	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("stride"), R8)
	g.Load(g.Param("x").Base(), RDI)
	g.Load(g.Param("xstride"), RDX)
	g.Load(g.Param("nb"), RCX)
	g.LEAQ(Mem{Base: R8, Index: R8, Scale: 1}, R9)
	g.LEAQ(Mem{Base: R9, Index: R8, Scale: 1}, R10)
	g.zero(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	g.TESTQ(RCX, RCX)
	g.JEQ(LabelRef("c2done"))

	g.Label("c2loop")
	g.Comment("Y14 = d_w[r]·d_x1, Y13 = d_w[r]·d_x0 (lanes 0..3 of each half)")
	g.weightScales4(Y13)
	g.actScale(Mem{Base: RDI, Index: RDX, Scale: 1}, Y15)
	g.scaleProducts(Y13, Y15, Y14)
	g.actScale(Mem{Base: RDI}, Y15)
	g.scaleProducts(Y13, Y15, Y13)
	g.VMOVDQU(Mem{Base: RDI, Disp: q8QS}, Y8)
	g.VMOVDQU(Mem{Base: RDI, Index: RDX, Scale: 1, Disp: q8QS}, Y9)
	for r := 0; r < rowsPerR4; r++ {
		g.rowQ8C2(rowMem(r, q8QS), laneShuffle[r], ones, []VecPhysical{Y0, Y1, Y2, Y3}[r], []VecPhysical{Y4, Y5, Y6, Y7}[r])
	}
	g.nextBlock(q8Bytes, "c2loop")

	g.Label("c2done")
	g.storeSums(RBX, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
}
