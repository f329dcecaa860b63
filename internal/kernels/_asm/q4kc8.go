package main

import (
	"strconv"

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

// reduce8 sums the int32 lanes of each of the eight accumulators c8Acc into
// lane a of dst (as float32), with Y10..Y12 as scratch: pairwise VPHADDD
// twice leaves (lanes 0..3 sums | lanes 4..7 sums) of four activations per
// register, and one cross-lane add finishes. Integer sums, exact in any
// order.
func (g gen) reduce8(dst VecPhysical) {
	a := c8Acc
	g.VPHADDD(a[1], a[0], dst)
	g.VPHADDD(a[3], a[2], Y10)
	g.VPHADDD(a[5], a[4], Y11)
	g.VPHADDD(a[7], a[6], Y12)
	g.VPHADDD(Y10, dst, dst) // (low sums of 0..3 | high sums of 0..3)
	g.VPHADDD(Y12, Y11, Y11) // the same of 4..7
	g.VPERM2I128(U8(0x20), Y11, dst, Y10)
	g.VPERM2I128(U8(0x31), Y11, dst, Y12)
	g.VPADDD(Y12, Y10, dst)
	g.VCVTDQ2PS(dst, dst)
}

// Per-super-block activation data prepared once per call (c8Prepare), at
// pre + c8PreBytes·b: four 32-byte vectors, pair p holding VPHADDW of the
// bsums of activations 2p and 2p+1 (per 128-bit lane: b_2j + b_2j+1 of 2p
// for j = 0..3 (low lane) or 4..7 (high lane), then those of 2p+1), then the
// eight y.d as float32.
const (
	c8PreYD    = 128
	c8PreBytes = 160
)

// c8Prepare writes the per-super-block activation data of the eight
// activations (DI, DX, R14) for nb super-blocks to R9 onwards. It is read by
// every row of the call: the mins' products with the pairwise bsums then
// need no horizontal reductions, and the y.d no gathering. Clobbers AX, CX,
// R9, DI (restored from xGroup by the row loop), X0, X1.
func (g gen) c8Prepare() {
	g.MOVQ(RCX, R10) // nb, ≥ 1
	g.Label("c8prep")
	g.LEAQ(Mem{Base: RDI, Index: RDX, Scale: 4}, RAX)
	for p := 0; p < 4; p++ {
		g.VMOVDQU(c8Act(2*p, q8KBsums), Y0)
		g.VPHADDW(c8Act(2*p+1, q8KBsums), Y0, Y0)
		g.VMOVDQU(Y0, Mem{Base: R9, Disp: 32 * p})
	}
	for h, x := range []VecPhysical{X0, X1} {
		g.VMOVSS(c8Act(4*h, 0), x)
		for a := 1; a < 4; a++ {
			g.VINSERTPS(U8(a<<4), c8Act(4*h+a, 0), x, x)
		}
	}
	g.VINSERTF128(U8(1), X1, Y0, Y0)
	g.VMOVUPS(Y0, Mem{Base: R9, Disp: c8PreYD})
	g.ADDQ(U32(q8KBytes), RDI)
	g.ADDQ(U8(c8PreBytes), R9)
	g.DECQ(R10)
	g.JNZ(LabelRef("c8prep"))
}

func (g gen) dotQ4KPackedCols8() { g.cols8(g.name("dotQ4KPackedCols8"), false) }

// dotQ4KPackedCols8ZMM is the VNNI kernel with two activations per ZMM
// register: c8PairPrepare lays the eight activations' quants out in pairs
// once per call, and c8QuantsZMM multiplies each weight row's nibbles
// (broadcast to both halves) with a pair in one VPMADDUBSW and one
// VPDPWSSD, half the YMM kernel's instructions (VPMADDWD and VPADDD for
// the VPDPWSSD in the form without VNNI, maddAcc).
func (g gen) dotQ4KPackedCols8ZMM() { g.cols8(g.zname("dotQ4KPackedCols8"), true) }

// cols8 is the eight-activation Q4_K kernel name, on ZMM registers if zmm.
func (g gen) cols8(name string, zmm bool) {
	g.cols8Text(name, zmm)
	l := g.cols8Args()
	g.c8Prepare()
	if zmm {
		l.pairBase = g.AllocLocal(8)
		g.MOVQ(R9, l.pairBase) // c8Prepare left R9 at the end of its data
		g.MOVQ(l.xGroup, RDI)
		g.c8PairPrepare()
		g.bcast32(0x0f0f0f0f, Y24)
		g.VPBROADCASTD(X24, Z24)
	}
	g.bcast32(0x0f0f0f0f, Y14)

	g.Label("c8row")
	g.Comment("SI is at the row (the previous one ends where it starts)")
	g.MOVQ(l.xGroup, RDI)
	g.MOVQ(l.preBase, R9)
	g.MOVQ(l.nb, RCX)
	if zmm {
		g.MOVQ(l.pairBase, R11)
	}
	g.VXORPS(Y9, Y9, Y9)
	g.VMOVUPS(Y9, l.accq)
	g.VMOVUPS(Y9, l.accm)

	g.Label("c8loop")
	g.LEAQ(Mem{Base: RDI, Index: RDX, Scale: 4}, RAX)
	g.kScales()
	g.c8Mins(l.accm, l.dyd)
	if zmm {
		g.c8QuantsZMM()
	} else {
		g.c8Quants()
	}
	g.Comment("acc += Σ · x.d·y.d")
	g.reduce8(Y9)
	g.VMOVUPS(l.accq, Y12)
	g.VFMADD231PS(l.dyd, Y9, Y12)
	g.VMOVUPS(Y12, l.accq)
	g.ADDQ(U32(q4KBytes), RSI)
	g.ADDQ(U32(q8KBytes), RDI)
	g.DECQ(RCX)
	g.JNZ(LabelRef("c8loop"))
	g.c8Store(l)
}

// cols8Text starts the eight-activation Q4_K kernel name with its doc.
func (g gen) cols8Text(name string, zmm bool) {
	preBytes := "c8PreBytes = " + strconv.Itoa(c8PreBytes) + " bytes per super-block"
	if zmm {
		preBytes = "c8PreBytes + c8PairBytes = " + strconv.Itoa(c8PreBytes+c8PairBytes) + " bytes per super-block"
	}
	g.text(name, "func(w []byte, rows int, x []byte, xstride int, nb int, pre []byte, out []float32, ostride int)",
		name+" multiplies consecutive Q4_K weight rows (144*nb bytes",
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
		"fused multiply-adds. pre is scratch for the activations' per-block data",
		"("+preBytes+"). nb >= 1, rows >= 1, len(w) >= 144*nb*rows,",
		"len(x) >= 7*xstride + 292*nb, len(out) >= 7*ostride + rows.",
	)
}

// c8Locals are the eight-activation kernel's frame slots: the float
// accumulators of the quants (accq) and mins (accm) and x.d·y.d (dyd), one
// lane per activation, and the arguments the loops reload.
type c8Locals struct {
	accq, accm, dyd                Mem
	xGroup, rows, outBase          Mem
	nb, ostride, preBase, pairBase Mem
}

// cols8Args allocates the frame slots and loads the arguments: SI the
// weights, DI the activations (also in xGroup), DX xstride and R14 three
// times it, CX nb, R9 pre; rows, ostride (in bytes), out and nb are kept
// in their slots.
func (g gen) cols8Args() c8Locals {
	var l c8Locals
	l.accq, l.accm = g.AllocLocal(4*c8Acts), g.AllocLocal(4*c8Acts)
	l.dyd = g.AllocLocal(4 * c8Acts) // x.d·y.d of the block, per activation
	l.xGroup, l.rows, l.outBase = g.AllocLocal(8), g.AllocLocal(8), g.AllocLocal(8)
	l.nb, l.ostride, l.preBase = g.AllocLocal(8), g.AllocLocal(8), g.AllocLocal(8)

	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("x").Base(), RDI)
	g.MOVQ(RDI, l.xGroup)
	g.Load(g.Param("xstride"), RDX)
	g.LEAQ(Mem{Base: RDX, Index: RDX, Scale: 2}, R14)
	g.Load(g.Param("nb"), RCX)
	g.MOVQ(RCX, l.nb)
	g.Load(g.Param("rows"), RAX)
	g.MOVQ(RAX, l.rows)
	g.Load(g.Param("ostride"), RAX)
	g.SHLQ(U8(2), RAX)
	g.MOVQ(RAX, l.ostride)
	g.Load(g.Param("out").Base(), RBX)
	g.MOVQ(RBX, l.outBase)
	g.Load(g.Param("pre").Base(), R9)
	g.MOVQ(R9, l.preBase)
	return l
}

// c8Store writes the row's eight outputs (acc - accm, a·ostride apart),
// moves on to the next row's outputs and loops to c8row while rows remain.
func (g gen) c8Store(l c8Locals) {
	g.Comment("out[a·ostride + r] = acc - accm; next row")
	g.MOVQ(l.ostride, RAX)
	g.MOVQ(l.outBase, RBX)
	for h := 0; h < 2; h++ {
		g.VMOVUPS(l.accq.Offset(16*h), X9)
		g.VSUBPS(l.accm.Offset(16*h), X9, X9)
		for a := 0; a < 4; a++ {
			g.VEXTRACTPS(U8(a), X9, Mem{Base: RBX})
			g.ADDQ(RAX, RBX)
		}
	}
	g.ADDQ(U8(4), l.outBase)
	g.DECQ(l.rows)
	g.JNZ(LabelRef("c8row"))
	g.VZEROUPPER()
	g.RET()
}

// c8Mins is the mins part of one super-block for the current row (SI) and
// the eight activations: Σ mins·pairwise bsums from the data c8Prepare left
// at R9 (advanced past it), accm += that · x.dmin·y.d, and dyd = x.d·y.d.
// It leaves the scales in X6 (from kScales) untouched.
func (g gen) c8Mins(accm, dyd Mem) {
	g.Comment("mins · pairwise bsums per activation, from the pairs prepared at R9",
		"(see c8Prepare): Y15 = (m0..m3, m0..m3 | m4..m7, m4..m7), so each",
		"VPMADDWD leaves two activations' partial sums, and two VPHADDD and a",
		"cross-lane add give the eight totals in activation order (integers,",
		"the one-row kernel's): Y9 as float32")
	g.VPERMQ(U8(0xfa), Y6, Y15)
	for p := 0; p < 4; p++ {
		g.VPMADDWD(Mem{Base: R9, Disp: 32 * p}, Y15, c8Acc[p])
	}
	g.VPHADDD(Y1, Y0, Y0) // (lows of 0..3 | highs of 0..3)
	g.VPHADDD(Y3, Y2, Y2) // (lows of 4..7 | highs of 4..7)
	g.VPERM2I128(U8(0x20), Y2, Y0, Y1)
	g.VPERM2I128(U8(0x31), Y2, Y0, Y3)
	g.VPADDD(Y3, Y1, Y1)
	g.VCVTDQ2PS(Y1, Y9)
	g.Comment("x.d, x.dmin times the activations' y.d; accm += Σmins · dmin·y.d")
	g.MOVL(Mem{Base: RSI}, R8L)
	g.VMOVD(R8L, X10)
	g.VCVTPH2PS(X10, X10) // (x.d, x.dmin)
	g.VMOVSHDUP(X10, X12)
	g.VBROADCASTSS(X12, Y12)                     // x.dmin
	g.VBROADCASTSS(X10, Y10)                     // x.d
	g.VMOVUPS(Mem{Base: R9, Disp: c8PreYD}, Y13) // y.d of the eight
	g.VMULPS(Y13, Y10, Y15)
	g.VMOVUPS(Y15, dyd)
	g.VMULPS(Y13, Y12, Y13)
	g.VMOVUPS(accm, Y15)
	g.VFMADD231PS(Y13, Y9, Y15)
	g.VMOVUPS(Y15, accm)
	g.ADDQ(U8(c8PreBytes), R9)
}

// c8Quants sets the int32 accumulators c8Acc to Σ scale · nibbles · quants
// of the super-block at SI for each activation (Y6: its scales and mins).
func (g gen) c8Quants() {
	shufK4 := Symbol{Name: "·shufK4"} // dot_amd64.s: scale pairs → lanes
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
			g.maddAcc(Y9, Y13, acc)
			g.VPMADDUBSW(c8Act(a, q8KQS+64*p+32), Y12, Y13)
			g.maddAcc(Y10, Y13, acc)
		}
	}
}

// c8PairBytes is the per-super-block scratch of the ZMM kernel's paired
// activation quants: four pairs of eight 32-byte chunks, each pair's two
// chunks side by side (64 bytes).
const c8PairBytes = 4 * 8 * 64

// c8PairPrepare writes the quants of the eight activations (DI, DX, R14)
// for nb super-blocks to R9 onwards in pairs: chunk c (32 quants, bytes
// 4+32c of the Q8_K block) of activations 2j and 2j+1 at
// c8PairBytes·b + 512j + 64c, so that one 64-byte operand holds what one
// weight chunk meets in both. Clobbers AX, R10, R9, DI, Z0.
func (g gen) c8PairPrepare() {
	g.MOVQ(RCX, R10) // nb, ≥ 1
	g.Label("c8pair")
	g.LEAQ(Mem{Base: RDI, Index: RDX, Scale: 4}, RAX)
	for j := 0; j < c8Acts/2; j++ {
		for c := 0; c < 8; c++ {
			g.VMOVDQU(c8Act(2*j, q8KQS+32*c), Y0)
			g.VINSERTI64X4(U8(1), c8Act(2*j+1, q8KQS+32*c), Z0, Z0)
			g.VMOVDQU64(Z0, Mem{Base: R9, Disp: 512*j + 64*c})
		}
	}
	g.ADDQ(U32(q8KBytes), RDI)
	g.ADDQ(U32(c8PairBytes), R9)
	g.DECQ(R10)
	g.JNZ(LabelRef("c8pair"))
}

// c8ZAcc are the ZMM kernel's int32 accumulators: activations 2j and 2j+1
// in the halves of c8ZAcc[j].
var c8ZAcc = [c8Acts / 2]VecPhysical{Z16, Z17, Z18, Z19}

// c8QuantsZMM is c8Quants on ZMM registers with the pairs at R11 (advanced
// past the super-block): the same int32 sums (exact), left in c8Acc for
// reduce8. Z24 is the nibble mask, Z20..Z23 and Z25..Z27 scratch.
func (g gen) c8QuantsZMM() {
	shuf := g.StaticGlobal("shufK4Z") // sub-block c's scale (int16) in every word
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for c := 0; c < 8; c++ {
		for i := 0; i < 8; i++ {
			g.AddDatum(64*c+8*i, U64(0x0001000100010001*uint64(2*c|(2*c+1)<<8)))
		}
	}
	g.Comment("Σ scale · nibbles · quants per pair of activations")
	g.VSHUFI32X4(U8(0), Z6, Z6, Z25) // the eight scales in every 128-bit lane
	for _, z := range c8ZAcc {
		g.VPXORD(z, z, z)
	}
	for p := 0; p < 4; p++ {
		g.VPSHUFB(shuf.Offset(128*p), Z25, Z20)
		g.VPSHUFB(shuf.Offset(128*p+64), Z25, Z21)
		g.VBROADCASTI64X4(Mem{Base: RSI, Disp: q4KQS + 32*p}, Z22)
		g.VPSRLW(U8(4), Z22, Z23)
		g.VPANDD(Z24, Z22, Z22)
		g.VPANDD(Z24, Z23, Z23)
		for j, acc := range c8ZAcc {
			g.VPMADDUBSW(Mem{Base: R11, Disp: 512*j + 128*p}, Z22, Z26)
			g.maddAcc(Z20, Z26, acc)
			g.VPMADDUBSW(Mem{Base: R11, Disp: 512*j + 128*p + 64}, Z23, Z27)
			g.maddAcc(Z21, Z27, acc)
		}
	}
	g.ADDQ(U32(c8PairBytes), R11)
	g.Comment("each activation's lanes to its c8Acc register")
	for j, z := range c8ZAcc {
		lo, hi := c8Acc[2*j], c8Acc[2*j+1]
		g.VMOVDQA32(z.AsY(), lo)
		g.VEXTRACTI64X4(U8(1), z, hi)
	}
}
