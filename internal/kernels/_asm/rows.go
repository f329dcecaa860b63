package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Strided-row kernel: one call computes many short dot products (the K and V
// rows of an attention head, 8 to 128 elements each), so the per-row cost of
// a Go call and its slice checks disappears. Each row's arithmetic is the
// instruction sequence of the one-row kernel (dotF16AVX2 in dot_amd64.s), so
// results are bitwise equal.
//
// Registers: R8 the current row (group), R9 stride, R13 3·stride, DI x, CX n,
// DX n rounded down to 32, R10 out, R11 rows left, AX the element index, SI
// the row in the 32-wide loop, Y0..Y3 its accumulators, Y12/Y13 the float64
// sums of a four-row group.

// paramMem is the argument slot of parameter name.
func (g gen) paramMem(name string) Mem {
	b, err := g.Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// f16Rows generates the strided F16 rows kernel. With x32 the activation
// is given as float32 values (each exactly an fp16, converted once by the
// caller) instead of fp16: the loops read it as it is instead of converting
// it on every row, which takes half the conversions of the 32-wide loop.
type f16Rows struct {
	gen
	x32 bool
}

// xMem addresses element AX (+ disp elements) of x.
func (g f16Rows) xMem(disp int) Mem {
	if g.x32 {
		return Mem{Base: RDI, Disp: 4 * disp, Index: RAX, Scale: 4}
	}
	return Mem{Base: RDI, Disp: 2 * disp, Index: RAX, Scale: 2}
}

// xBroadcast sets every lane of X2 to x[AX] as float32.
func (g f16Rows) xBroadcast() {
	if g.x32 {
		g.VBROADCASTSS(g.xMem(0), X2)
		return
	}
	g.MOVWLZX(g.xMem(0), R12L)
	g.VMOVD(R12L, X2)
	g.VCVTPH2PS(X2, X2)
	g.VBROADCASTSS(X2, X2)
}

// reduce32 is dot_amd64.s's REDUCE32: Y0..Y3 → X0 lane 0, in ggml's order.
func (g gen) reduce32() { g.reduce32Of([4]VecPhysical{Y0, Y1, Y2, Y3}, X1) }

// reduce32Of is REDUCE32 of the accumulators a (a[0] lane 0 gets the sum),
// with t as scratch.
func (g gen) reduce32Of(a [4]VecPhysical, t VecPhysical) {
	x := a[0].AsX()
	g.VADDPS(a[2], a[0], a[0])
	g.VADDPS(a[3], a[1], a[1])
	g.VADDPS(a[1], a[0], a[0])
	g.VEXTRACTF128(U8(1), a[0], t)
	g.VADDPS(t, x, x)
	g.VHADDPS(x, x, x)
	g.VHADDPS(x, x, x)
}

// f16Wide32 is the 32-wide part of the row at SI (dotF16AVX2's): SI = row,
// AX = 0, Y0..Y3 accumulate the first DX elements; then X0 lane 0 = their
// sum widened to float64 (the row's running sum). sfx names the labels
// loop<sfx> and red<sfx>.
func (g f16Rows) f16Wide32(row Mem, sfx string) {
	if row.Index == nil {
		g.MOVQ(row.Base, RSI)
	} else {
		g.LEAQ(row, RSI)
	}
	g.XORQ(RAX, RAX)
	g.zero(Y0, Y1, Y2, Y3)
	g.CMPQ(RAX, RDX)
	g.JEQ(LabelRef("red" + sfx))

	g.Label("loop" + sfx)
	for i, y := range []VecPhysical{Y4, Y5, Y6, Y7} {
		g.VCVTPH2PS(Mem{Base: RSI, Disp: 16 * i, Index: RAX, Scale: 2}, y)
	}
	if g.x32 {
		for i, y := range []VecPhysical{Y4, Y5, Y6, Y7} {
			g.VFMADD231PS(g.xMem(8*i), y, []VecPhysical{Y0, Y1, Y2, Y3}[i])
		}
	} else {
		for i, y := range []VecPhysical{Y8, Y9, Y10, Y11} {
			g.VCVTPH2PS(g.xMem(8*i), y)
		}
		g.VFMADD231PS(Y8, Y4, Y0)
		g.VFMADD231PS(Y9, Y5, Y1)
		g.VFMADD231PS(Y10, Y6, Y2)
		g.VFMADD231PS(Y11, Y7, Y3)
	}
	g.ADDQ(U8(32), RAX)
	g.CMPQ(RAX, RDX)
	g.JLT(LabelRef("loop" + sfx))

	g.Label("red" + sfx)
	g.reduce32()
	g.VCVTSS2SD(X0, X0, X0)
}

// f16Wide32x2 is f16Wide32 for two rows at once (SI and BX), their
// accumulators Y0..Y3 and Y4..Y7: each of the eight is one chain of
// dependent FMAs, so a single row waits on the FMA latency (four chains,
// one FMA each per 32 elements); two rows keep twice as many in flight.
// Each row's lanes, FMAs and reduction are f16Wide32's. Ends with X0 and X4
// lane 0 = the two rows' sums as float64. x is converted once per 32
// elements for both rows (fp16 x) or read from memory (x32).
func (g f16Rows) f16Wide32x2(rowA, rowB Mem, sfx string) {
	g.LEAQ(rowA, RSI)
	g.LEAQ(rowB, RBX)
	g.XORQ(RAX, RAX)
	a := [4]VecPhysical{Y0, Y1, Y2, Y3}
	b := [4]VecPhysical{Y4, Y5, Y6, Y7}
	g.zero(append(a[:], b[:]...)...)
	g.Label("loop" + sfx)
	xs := []VecPhysical{Y10, Y11, Y14, Y15}
	if !g.x32 {
		for i, y := range xs {
			g.VCVTPH2PS(g.xMem(8*i), y)
		}
	}
	for i := range 4 {
		for r, row := range []Register{RSI, RBX} {
			t := []VecPhysical{Y8, Y9}[r]
			acc := [][4]VecPhysical{a, b}[r][i]
			g.VCVTPH2PS(Mem{Base: row, Disp: 16 * i, Index: RAX, Scale: 2}, t)
			if g.x32 {
				g.VFMADD231PS(g.xMem(8*i), t, acc)
			} else {
				g.VFMADD231PS(xs[i], t, acc)
			}
		}
	}
	g.ADDQ(U8(32), RAX)
	g.CMPQ(RAX, RDX)
	g.JLT(LabelRef("loop" + sfx))
	g.reduce32Of(a, X8)
	g.reduce32Of(b, X9)
	g.VCVTSS2SD(X0, X0, X0)
	g.VCVTSS2SD(X4, X4, X4)
}

// f16Chunk8At adds elements AX..AX+7 of the four rows at RBX (element AX
// already added; rows R9 apart, R13 = 3·R9) times x (DI) to the float64
// sums in acc, element by element as the tail loop does: eight exact
// products per row, transposed so that element i of the four rows is one
// vector, widened and added in order. It does the work of eight tail
// iterations with a quarter of their instructions (the scalar loads and
// inserts of four strided halves).
func (g f16Rows) f16Chunk8At(acc VecPhysical) {
	rows := []Mem{{Base: RBX}, {Base: RBX, Index: R9, Scale: 1}, {Base: RBX, Index: R9, Scale: 2}, {Base: RBX, Index: R13, Scale: 1}}
	p := []VecPhysical{Y0, Y1, Y2, Y3}
	for j, m := range rows {
		g.VCVTPH2PS(m, p[j])
	}
	if g.x32 {
		g.VMOVUPS(g.xMem(0), Y4)
	} else {
		g.VCVTPH2PS(g.xMem(0), Y4)
	}
	for _, y := range p {
		g.VMULPS(Y4, y, y)
	}
	g.Comment("4×4 transposes in each half: Y9, Y10, Y11, Y0 = elements 0..3 (4..7",
		"in the high halves) of rows 0..3")
	g.VUNPCKLPS(Y1, Y0, Y5)
	g.VUNPCKHPS(Y1, Y0, Y6)
	g.VUNPCKLPS(Y3, Y2, Y7)
	g.VUNPCKHPS(Y3, Y2, Y8)
	g.VSHUFPS(U8(0x44), Y7, Y5, Y9)
	g.VSHUFPS(U8(0xee), Y7, Y5, Y10)
	g.VSHUFPS(U8(0x44), Y8, Y6, Y11)
	g.VSHUFPS(U8(0xee), Y8, Y6, Y0)
	cols := []VecPhysical{Y9, Y10, Y11, Y0}
	for _, c := range cols {
		g.VCVTPS2PD(c.AsX(), Y1)
		g.VADDPD(Y1, acc, acc)
	}
	for _, c := range cols {
		g.VEXTRACTF128(U8(1), c, X1)
		g.VCVTPS2PD(X1, Y1)
		g.VADDPD(Y1, acc, acc)
	}
}

// shortAccs are the float64 sums of the four four-row groups of the
// sixteen-row loop for rows shorter than 32.
var shortAccs = []VecPhysical{Y12, Y13, Y14, Y15}

// f16Short16 is the loop over groups of sixteen rows shorter than 32 (no
// wide part): four four-row groups whose chunks and tail elements
// interleave, so that four chains of dependent VADDPD (one per group, three
// cycles each) are in flight instead of one; a lone four-row group waits on
// its chain, ~54 cycles per 16-element group against ~20 of work. Each lane
// still adds its row's products in order. SI = 4·stride, the distance
// between groups. Falls through to rgroup with fewer than 16 rows left.
func (g f16Rows) f16Short16() {
	g.LEAQ(Mem{Base: R9, Index: R9, Scale: 2}, RSI)
	g.ADDQ(R9, RSI)

	g.Label("r16")
	g.CMPQ(R11, U8(16))
	g.JLT(LabelRef("rgroup"))
	g.XORQ(RAX, RAX)
	g.zero(shortAccs...)

	g.f16Leftovers("r16", shortAccs, "r16fin")

	g.Label("r16fin")
	g.VBROADCASTSS(g.paramMem("scale"), X1)
	for i, acc := range shortAccs {
		g.VCVTPD2PSY(acc, acc.AsX())
		g.VMULPS(X1, acc.AsX(), acc.AsX())
		g.VMOVUPS(acc.AsX(), Mem{Base: R10, Disp: 16 * i})
	}
	g.ADDQ(U8(64), R10)
	g.LEAQ(Mem{Base: R8, Index: RSI, Scale: 4}, R8)
	g.SUBQ(U8(16), R11)
	g.JMP(LabelRef("r16"))
}

// f16TailElem adds element AX of the four rows at RBX (AX already added)
// times x[AX] (broadcast in X2) to acc: exact products.
func (g f16Rows) f16TailElem(acc VecPhysical) {
	g.MOVWLZX(Mem{Base: RBX}, R12L)
	g.VMOVD(R12L, X1)
	g.VPINSRW(U8(1), Mem{Base: RBX, Index: R9, Scale: 1}, X1, X1)
	g.VPINSRW(U8(2), Mem{Base: RBX, Index: R9, Scale: 2}, X1, X1)
	g.VPINSRW(U8(3), Mem{Base: RBX, Index: R13, Scale: 1}, X1, X1)
	g.VCVTPH2PS(X1, X1)
	g.VMULPS(X2, X1, X1)
	g.VCVTPS2PD(X1, Y1)
	g.VADDPD(Y1, acc, acc)
}

// f16Leftovers adds elements AX..n-1 of the rows of len(accs) four-row
// groups (the first at R8, the next SI bytes further each) times x to the
// groups' float64 sums accs: eight elements at a time (f16Chunk8At), then
// one at a time, the groups interleaved; then goes on to done, which the
// caller places right after. Labels start with sfx.
func (g f16Rows) f16Leftovers(sfx string, accs []VecPhysical, done string) {
	groups := func(each func(VecPhysical)) {
		g.LEAQ(Mem{Base: R8, Index: RAX, Scale: 2}, RBX)
		for i, acc := range accs {
			if i > 0 {
				g.ADDQ(RSI, RBX)
			}
			each(acc)
		}
	}
	g.Label(sfx + "chunk")
	g.LEAQ(Mem{Base: RAX, Disp: 8}, RBX)
	g.CMPQ(RBX, RCX)
	g.JGT(LabelRef(sfx + "tailchk"))
	groups(g.f16Chunk8At)
	g.ADDQ(U8(8), RAX)
	g.JMP(LabelRef(sfx + "chunk"))

	g.Label(sfx + "tailchk")
	g.CMPQ(RAX, RCX)
	g.JGE(LabelRef(done))

	g.Label(sfx + "tail")
	g.Comment("element AX of the rows times x[AX]: exact products")
	g.xBroadcast()
	groups(g.f16TailElem)
	g.INCQ(RAX)
	g.CMPQ(RAX, RCX)
	g.JLT(LabelRef(sfx + "tail"))
}

func (g f16Rows) dotF16Rows() {
	if g.x32 {
		g.text("dotF16RowsX32AVX2", "func(w []byte, stride int, x []float32, n int, out []float32, scale float32)",
			"dotF16RowsX32AVX2 is dotF16RowsAVX2 with x given as float32 values,",
			"each exactly an fp16 (x = F16ToF32 of the fp16 x of dotF16RowsAVX2):",
			"",
			"\tout[r] = dotF16AVX2(w[r*stride:][:2n] as fp16, F32ToF16(x[:n])) * scale",
			"",
			"bit for bit. len(w) >= (len(out)-1)*stride + 2n, len(x) >= n, stride >= 2n.",
		)
	} else {
		g.text("dotF16RowsAVX2", "func(w []byte, stride int, x []byte, n int, out []float32, scale float32)",
			"dotF16RowsAVX2 computes, for r < len(out),",
			"",
			"\tout[r] = dotF16AVX2(w[r*stride:][:2n] as fp16, x[:2n] as fp16) * scale",
			"",
			"i.e. the F16 one-row kernel over len(out) rows stride bytes apart.",
			"len(w) >= (len(out)-1)*stride + 2n, len(x) >= 2n, stride >= 2n.",
		)
	}
	g.Comment("Rows go four at a time: the 32-wide part of each row in turn, then the",
		"float64 leftovers of the four rows together, one row per lane of Y12, so",
		"the four sequential sums overlap instead of waiting on each other (heads of",
		"8 to 16 elements are all leftovers). Each lane adds the same products in",
		"the same order as the one-row kernel: fp16·fp16 is exact in float32 and",
		"widening it to float64 is exact, so the lanes are bitwise the scalar sums.")
	g.Load(g.Param("w").Base(), R8)
	g.Load(g.Param("stride"), R9)
	g.Load(g.Param("x").Base(), RDI)
	g.Load(g.Param("n"), RCX)
	g.Load(g.Param("out").Base(), R10)
	g.Load(g.Param("out").Len(), R11)
	g.MOVQ(RCX, RDX)
	g.ANDQ(I8(-32), RDX)
	g.LEAQ(Mem{Base: R9, Index: R9, Scale: 2}, R13)
	g.TESTQ(RDX, RDX)
	g.JNE(LabelRef("rgroup"))
	g.f16Short16()

	g.f16Groups4()
	g.f16OneRows()
	g.Label("rdone")
	g.VZEROUPPER()
	g.RET()
}

// f16Groups4 is the loop over groups of four rows (from rgroup; to rone
// with fewer than four left): the wide part of each pair of rows, then the
// leftovers of the four together.
func (g f16Rows) f16Groups4() {
	g.Label("rgroup")
	g.CMPQ(R11, U8(4))
	g.JLT(LabelRef("rone"))
	g.TESTQ(RDX, RDX)
	g.JNE(LabelRef("rgwide"))
	g.Comment("rows shorter than 32 have no wide part: the sums start at zero")
	g.XORQ(RAX, RAX)
	g.VXORPS(Y12, Y12, Y12)
	g.JMP(LabelRef("rgchunk"))

	g.Label("rgwide")
	g.Comment("rows 0 and 1 → X12 = (row 0, row 1)")
	g.f16Wide32x2(Mem{Base: R8}, Mem{Base: R8, Index: R9, Scale: 1}, "g01")
	g.VUNPCKLPD(X4, X0, X12)
	g.Comment("rows 2 and 3 → X13; Y12 = the four rows' float64 sums")
	g.f16Wide32x2(Mem{Base: R8, Index: R9, Scale: 2}, Mem{Base: R8, Index: R13, Scale: 1}, "g23")
	g.VUNPCKLPD(X4, X0, X13)
	g.VINSERTF128(U8(1), X13, Y12, Y12)

	g.f16Leftovers("rg", []VecPhysical{Y12}, "rgfin")

	g.Label("rgfin")
	g.VCVTPD2PSY(Y12, X12)
	g.VBROADCASTSS(g.paramMem("scale"), X1)
	g.VMULPS(X1, X12, X12)
	g.VMOVUPS(X12, Mem{Base: R10})
	g.ADDQ(U8(16), R10)
	g.LEAQ(Mem{Base: R8, Index: R9, Scale: 4}, R8)
	g.SUBQ(U8(4), R11)
	g.JMP(LabelRef("rgroup"))

}

// f16OneRows does the last len(out) mod 4 rows one at a time (from rone; to
// rdone).
func (g f16Rows) f16OneRows() {
	g.Label("rone")
	g.Comment("the last len(out) mod 4 rows one at a time")
	g.TESTQ(R11, R11)
	g.JEQ(LabelRef("rdone"))

	g.Label("rrow")
	g.f16Wide32(Mem{Base: R8}, "r")
	g.CMPQ(RAX, RCX)
	g.JGE(LabelRef("rfin"))

	g.Label("rtail")
	g.MOVWLZX(Mem{Base: RSI, Index: RAX, Scale: 2}, EBX)
	g.VMOVD(EBX, X1)
	g.VCVTPH2PS(X1, X1)
	if g.x32 {
		g.VMOVSS(g.xMem(0), X2)
	} else {
		g.MOVWLZX(g.xMem(0), EBX)
		g.VMOVD(EBX, X2)
		g.VCVTPH2PS(X2, X2)
	}
	g.VMULSS(X2, X1, X1)
	g.VCVTSS2SD(X1, X1, X1)
	g.VADDSD(X1, X0, X0)
	g.INCQ(RAX)
	g.CMPQ(RAX, RCX)
	g.JLT(LabelRef("rtail"))

	g.Label("rfin")
	g.VCVTSD2SS(X0, X0, X0)
	g.VMULSS(g.paramMem("scale"), X0, X0)
	g.VMOVSS(X0, Mem{Base: R10})
	g.ADDQ(U8(4), R10)
	g.ADDQ(R9, R8)
	g.DECQ(R11)
	g.JNZ(LabelRef("rrow"))

}
