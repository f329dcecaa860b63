package main

import (
	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Q4_K super-block layout (ggml's block_q4_K: fp16 d, fp16 dmin, 12 bytes
// of packed 6-bit scales and mins, 128 bytes of nibbles); Q8_K's is in
// q6c4.go.
const (
	q4KBytes  = 144
	q4KScales = 4
	q4KQS     = 16
	c8Acts    = 8 // activation rows per group
)

// The 8-activation Q4_K kernel: consecutive weight rows (repacked
// arithmetic, dotQ4KPackedAVX2's) times one group of eight Q8_K activation
// rows; each super-block's scales and nibbles are decoded once for the
// eight, and the eight (a few KB) stay in L1 while the rows go past. Int32
// accumulators Y0..Y5, Y7, Y8 (activations 0..7), Y6 the block's scales,
// Y9/Y10 the pair's shuffled scales, Y11/Y12 nibbles, Y13 scratch, Y14 the
// nibble mask. Activation a of the group is at DI + a·DX: DI, DX, 2·DX,
// R14 = 3·DX, then AX = DI + 4·DX plus the same. The float accumulators of
// the row live in the frame.
var c8Acc = [c8Acts]VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y7, Y8}

// c8Act addresses byte disp of activation a's current block.
func c8Act(a, disp int) Mem {
	base := RDI
	if a >= 4 {
		base, a = RAX, a-4
	}
	m := Mem{Base: base, Disp: disp}
	switch a {
	case 1:
		m = m.Idx(RDX, 1)
	case 2:
		m = m.Idx(RDX, 2)
	case 3:
		m = m.Idx(R14, 1)
	}
	return m
}

// kScales is ggml's utmp shuffle of the 12 scale bytes at 4(SI) into Y6 =
// 16 int16 (scales 0..7, mins 8..15) on the four dwords of one vector, the
// KSCALES macro of kernels_amd64.h (see there); clobbers X10.
func (g gen) kScales() {
	consts := func(name string, v [4]uint32) Mem {
		m := g.StaticGlobal(name)
		g.DataAttributes(attr.RODATA | attr.NOPTR)
		for i, x := range v {
			g.AddDatum(4*i, U32(x))
		}
		return m
	}
	shift := consts("kscShift", [4]uint32{0, 0, 0, 4})
	lo := consts("kscLo", [4]uint32{0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f})
	hi := consts("kscHi", [4]uint32{0, 0x30303030, 0, 0x30303030})
	g.VMOVDQU(Mem{Base: RSI, Disp: q4KScales}, X6)
	g.VPSHUFD(U8(0x40), X6, X10) // (·, u0, ·, u1)
	g.VPSHUFD(U8(0x98), X6, X6)  // (u0, u2, u1, u2)
	g.VPSRLVD(shift, X6, X6)
	g.VPAND(lo, X6, X6)
	g.VPSRLD(U8(2), X10, X10)
	g.VPAND(hi, X10, X10)
	g.VPOR(X10, X6, X6)
	g.VPMOVZXBW(X6, Y6)
}

// reduce4 sums the int32 lanes of each of four accumulators into the lanes
// of dst (as float32), with t as scratch: integer sums, exact in any order.
func (g gen) reduce4(acc []VecPhysical, dst, t VecPhysical) {
	g.VPHADDD(acc[1], acc[0], dst)
	g.VPHADDD(acc[3], acc[2], t)
	g.VPHADDD(t, dst, dst)
	g.VEXTRACTI128(U8(1), dst, t.AsX())
	g.VPADDD(t.AsX(), dst.AsX(), dst.AsX())
	g.VCVTDQ2PS(dst.AsX(), dst.AsX())
}

// actScales4 gathers the float32 d of activations first..first+3 into x.
func (g gen) actScales4(first int, x VecPhysical) {
	g.VMOVSS(c8Act(first, 0), x.AsX())
	for a := 1; a < 4; a++ {
		g.VINSERTPS(U8(a<<4), c8Act(first+a, 0), x.AsX(), x.AsX())
	}
}

func (g gen) dotQ4KPackedC8() {
	g.text("dotQ4KPackedC8AVX2", "func(w []byte, rows int, x []byte, xstride int, nb int, out []float32, ostride int)",
		"dotQ4KPackedC8AVX2 multiplies consecutive Q4_K weight rows (144*nb bytes",
		"each) with eight Q8_K activation rows (xstride bytes apart) with",
		"dotQ4KPackedAVX2's arithmetic per output; reference loop:",
		"",
		"\tfor r := 0; r < rows; r++ {",
		"\t\tfor a := 0; a < 8; a++ {",
		"\t\t\tout[a*ostride+r] = dotQ4KQ8KPacked(256*nb, w[r*144*nb:], x[a*xstride:])",
		"\t\t}",
		"\t}",
		"",
		"The eight activations stay in L1 while the rows stream past them. Lane",
		"a of each row's float accumulators gets exactly the one-row kernel's",
		"fused multiply-adds. nb >= 1, rows >= 1, len(w) >= 144*nb*rows,",
		"len(x) >= 7*xstride + 292*nb, len(out) >= 7*ostride + rows.",
	)
	shufK4 := Symbol{Name: "·shufK4"} // dot_amd64.s: scale pairs → lanes
	accq, accm := g.AllocLocal(4*c8Acts), g.AllocLocal(4*c8Acts)
	dyd := g.AllocLocal(4 * c8Acts) // x.d·y.d of the block, per activation
	xGroup, rows, outBase := g.AllocLocal(8), g.AllocLocal(8), g.AllocLocal(8)
	nb, ostride := g.AllocLocal(8), g.AllocLocal(8)

	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("x").Base(), RDI)
	g.MOVQ(RDI, xGroup)
	g.Load(g.Param("xstride"), RDX)
	g.LEAQ(Mem{Base: RDX, Index: RDX, Scale: 2}, R14)
	g.Load(g.Param("nb"), RCX)
	g.MOVQ(RCX, nb)
	g.Load(g.Param("rows"), RAX)
	g.MOVQ(RAX, rows)
	g.Load(g.Param("ostride"), RAX)
	g.SHLQ(U8(2), RAX)
	g.MOVQ(RAX, ostride)
	g.Load(g.Param("out").Base(), RBX)
	g.MOVQ(RBX, outBase)
	g.bcast32(0x0f0f0f0f, Y14)

	g.Label("c8row")
	g.Comment("SI is at the row (the previous one ends where it starts)")
	g.MOVQ(xGroup, RDI)
	g.MOVQ(nb, RCX)
	g.VXORPS(Y9, Y9, Y9)
	g.VMOVUPS(Y9, accq)
	g.VMOVUPS(Y9, accm)

	g.Label("c8loop")
	g.LEAQ(Mem{Base: RDI, Index: RDX, Scale: 4}, RAX)
	g.kScales()
	g.Comment("mins · bsums per activation: Y15 = each min twice (m0, m0, m1, m1 …),",
		"so one VPMADDWD gives m_j·(b_2j + b_2j+1) in lane j, the integers the",
		"one-row kernel sums (pairwise bsums times mins); reduced to X9",
		"(activations 0..3) and X11 (4..7) as float32")
	g.VEXTRACTI128(U8(1), Y6, X15)
	g.VPUNPCKHWD(X15, X15, X12)
	g.VPUNPCKLWD(X15, X15, X15)
	g.VINSERTI128(U8(1), X12, Y15, Y15)
	for a := 0; a < c8Acts; a++ {
		g.VPMADDWD(c8Act(a, q8KBsums), Y15, c8Acc[a])
	}
	g.reduce4(c8Acc[:4], Y9, Y10)
	g.reduce4(c8Acc[4:], Y11, Y10)
	g.Comment("x.d, x.dmin times each activation's y.d; accm += Σmins · dmin·y.d")
	g.MOVL(Mem{Base: RSI}, R8L)
	g.VMOVD(R8L, X10)
	g.VCVTPH2PS(X10, X10) // (x.d, x.dmin)
	g.VMOVSHDUP(X10, X12)
	g.VBROADCASTSS(X12, X12) // x.dmin
	g.VBROADCASTSS(X10, X10) // x.d
	for h, sums := range []VecPhysical{X9, X11} {
		g.actScales4(4*h, X13)
		g.VMULPS(X13, X10, X15)
		g.VMOVUPS(X15, dyd.Offset(16*h))
		g.VMULPS(X13, X12, X13)
		g.VMOVUPS(accm.Offset(16*h), X15)
		g.VFMADD231PS(X13, sums, X15)
		g.VMOVUPS(X15, accm.Offset(16*h))
	}

	g.Comment("Σ scale · nibbles · quants per activation")
	g.VINSERTI128(U8(1), X6, Y6, Y6)
	for _, y := range c8Acc {
		g.VPXOR(y, y, y)
	}
	for p := 0; p < 4; p++ {
		g.VPSHUFB(Mem{Symbol: shufK4, Base: StaticBase, Disp: 64 * p}, Y6, Y9)
		g.VPSHUFB(Mem{Symbol: shufK4, Base: StaticBase, Disp: 64*p + 32}, Y6, Y10)
		g.VMOVDQU(Mem{Base: RSI, Disp: q4KQS + 32*p}, Y11)
		g.VPSRLW(U8(4), Y11, Y12)
		g.VPAND(Y14, Y11, Y11)
		g.VPAND(Y14, Y12, Y12)
		for a, acc := range c8Acc {
			g.VPMADDUBSW(c8Act(a, q8KQS+64*p), Y11, Y13)
			g.VPMADDWD(Y9, Y13, Y13)
			g.VPADDD(Y13, acc, acc)
			g.VPMADDUBSW(c8Act(a, q8KQS+64*p+32), Y12, Y13)
			g.VPMADDWD(Y10, Y13, Y13)
			g.VPADDD(Y13, acc, acc)
		}
	}
	g.Comment("acc += Σ · x.d·y.d")
	g.reduce4(c8Acc[:4], Y9, Y10)
	g.reduce4(c8Acc[4:], Y11, Y10)
	for h, sums := range []VecPhysical{X9, X11} {
		g.VMOVUPS(accq.Offset(16*h), X12)
		g.VFMADD231PS(dyd.Offset(16*h), sums, X12)
		g.VMOVUPS(X12, accq.Offset(16*h))
	}
	g.ADDQ(U32(q4KBytes), RSI)
	g.ADDQ(U32(q8KBytes), RDI)
	g.DECQ(RCX)
	g.JNZ(LabelRef("c8loop"))

	g.Comment("out[a·ostride + r] = acc - accm; next row")
	g.MOVQ(ostride, RAX)
	g.MOVQ(outBase, RBX)
	for h := 0; h < 2; h++ {
		g.VMOVUPS(accq.Offset(16*h), X9)
		g.VSUBPS(accm.Offset(16*h), X9, X9)
		for a := 0; a < 4; a++ {
			g.VEXTRACTPS(U8(a), X9, Mem{Base: RBX})
			g.ADDQ(RAX, RBX)
		}
	}
	g.ADDQ(U8(4), outBase)
	g.DECQ(rows)
	g.JNZ(LabelRef("c8row"))
	g.VZEROUPPER()
	g.RET()
}
