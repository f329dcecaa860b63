package main

import (
	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ZMM four-row kernels (AVX-512 F and BW; with g.vnni, named ...ZMMVNNI,
// AVX-512 VNNI too). Each ZMM register holds
// two rows' 8-lane accumulators, one per 256-bit half: Z0 rows 0|1, Z1
// rows 2|3. Every lane gets the same integer sum and the same fused
// multiply-add per block as lane i of that row's YMM accumulator in the
// YMM kernel, and each half is reduced at the end by the same hsum8, so
// every result is bit-identical to the YMM kernels' (and so to the
// one-row kernel). What changes is the number of instructions: one ZMM
// operation covers two rows.
//
// AVX-512 has no VPSIGNB. The YMM kernels multiply |w| by sign(x, w) (x
// negated where w < 0, zeroed where w = 0); here x is negated where w < 0
// (VPMOVB2M, VPBLENDMB with -x) and left where w = 0, where |w| = 0 makes
// the product 0 anyway, so the four-product sums are the same integers
// (negating -128 wraps to -128 in both).
//
// Without VNNI (Skylake-SP/X) each VPDPBUSD is VPMADDUBSW then VPMADDWD
// with int16 ones, and each VPDPWSSD VPMADDWD then VPADDD: the same int32
// lanes (mulSum, maddAcc), as the YMM AVX2 kernels have them.

// zmmKernels are the ZMM kernels of the avx512vnni set (g.vnni) or of
// the avx512 one: the Q8_0 decode (four rows, groups, streams of groups)
// and prompt kernels, the Q4_K cols8 and the Q6_K cols4.
func (g gen) zmmKernels() {
	idx := g.zmmPairIdx()
	g.dotQ8_0Rows4ZMM(idx)
	g.dotQ8_0QuadZMM(idx)
	g.dotQ8_0StreamsZMM(idx)
	g.dotQ8_0Tile42ZMM()
	g.dotQ4KPackedCols8ZMM()
	g.dotQ6KCols4ZMM()
}

// zname is a ZMM kernel's name: base+"ZMM", or base+"ZMMVNNI" for the
// AVX-512 VNNI form.
func (g gen) zname(base string) string {
	if g.vnni {
		return base + "ZMMVNNI"
	}
	return base + "ZMM"
}

// onesZ is the 64 bytes of int16 ones the ZMM kernels without VNNI load
// into Z16 for mulSum's VPMADDWD.
func (g gen) onesZ() Mem {
	m := g.StaticGlobal("ones16z")
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < 8; i++ {
		g.AddDatum(8*i, U64(0x0001000100010001))
	}
	return m
}

// zOnes loads the int16 ones into Z16 where mulSum needs them (not with
// VNNI).
func (g gen) zOnes() {
	if !g.vnni {
		g.VMOVDQU64(g.ones, Z16)
	}
}

// zmmPairIdx are the VPERMPS indices that spread the scale products of rows
// 0|1 (the first 64 bytes) and 2|3 (the next 64) over the two halves.
func (g gen) zmmPairIdx() Mem {
	idx := g.StaticGlobal("zmmPairIdx")
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < 32; i++ {
		g.AddDatum(4*i, U32(i/8))
	}
	return idx
}

// zmmSetup clears the accumulators Z0 (rows 0|1) and Z1 (rows 2|3) and
// Z15 (zero), and loads the pair spreading indices into Z12 and Z13.
func (g gen) zmmSetup(idx Mem) {
	g.VPXORD(Z0, Z0, Z0)
	g.VPXORD(Z1, Z1, Z1)
	g.VPXORD(Z15, Z15, Z15)
	g.VMOVDQU64(idx, Z12)
	g.VMOVDQU64(idx.Offset(64), Z13)
	g.zOnes()
}

// zmmBlock is one block of the four rows (Y8 their scale products): the
// products spread per pair, the activation quants in both halves of Z4
// and negated in Z14, then the two pairs, the quants of each loaded by
// pair (see pairQ8).
func (g gen) zmmBlock(pair func(r int)) {
	g.Comment("spread per pair")
	g.VPERMPS(Z8, Z12, Z2)
	g.VPERMPS(Z8, Z13, Z3)
	g.VBROADCASTI64X4(Mem{Base: RDI, Disp: q8QS}, Z4)
	g.VPSUBB(Z4, Z15, Z14)
	pair(0)
	g.pairQ8(Z2, Z0)
	pair(2)
	g.pairQ8(Z3, Z1)
}

// pairRowMajor loads the block's quants of rows r and r+1 of a row-major
// group (at rowMem(r) and rowMem(r+1)) into the halves of Z5.
func (g gen) pairRowMajor(r int) {
	g.VMOVDQU(rowMem(r, q8QS), Y5)
	g.VINSERTI64X4(U8(1), rowMem(r+1, q8QS), Z5, Z5)
}

// pairRun loads the block's quants of rows r and r+1 of an interleaved run
// (64 adjacent bytes at SI+32·r, aligned where the run is) into Z5.
func (g gen) pairRun(r int) {
	g.VMOVDQU64(Mem{Base: RSI, Disp: 32 * r}, Z5)
}

// pairQ8 is one block of two rows, their quants in the halves of Z5: Z4
// holds x in both halves and Z14 -x, scale the two rows' d_w·d_x spread
// over the halves; acc += scale · lanes(w · x).
func (g gen) pairQ8(scale, acc VecPhysical) {
	g.VPABSB(Z5, Z6)
	g.VPMOVB2M(Z5, K1)
	g.VPBLENDMB(Z14, Z4, K1, Z7) // -x where w < 0, else x
	g.mulSum(Z7, Z6, Z16, Z10, Z10)
	g.VCVTDQ2PS(Z10, Z10)
	g.VFMADD231PS(Z10, scale, acc)
}

func (g gen) dotQ8_0Rows4ZMM(idx Mem) {
	name := g.zname("dotQ8_0Rows4")
	g.text(name, "func(w []byte, stride int, x []byte, nb int, out []float32)",
		name+" is "+g.name("dotQ8_0Rows4")+" on ZMM registers, two rows per register; reference loop:",
		"",
		"\tfor r := 0; r < 4; r++ {",
		"\t\tout[r] = dotQ8_0Q8_0(32*nb, w[r*stride:], x)",
		"\t}",
		"",
		"Each result is bit-identical to the one-row kernel; the next four-row",
		"group is prefetched. len(w) >= 3*stride + 34*nb, len(x) >= 34*nb,",
		"len(out) >= 4.",
	)
	g.Comment("Rows 0|1 accumulate in the halves of Z0, rows 2|3 in those of Z1, each",
		"half the YMM kernel's accumulator lane for lane. Z12/Z13 spread the scale",
		"products of rows 0|1 and 2|3 (VPERMPS indices), Z15 zero.")
	g.loadRowArgs("nb")
	g.LEAQ(Mem{Base: RSI, Index: R8, Scale: 4}, R11)
	g.zmmSetup(idx)
	g.r4Blocks("z4", q8PrefetchLines, q8Bytes, func() { g.zmmBlock(g.pairRowMajor) })
	g.Comment("rows 1 and 3 from the upper halves; each half reduced as the YMM kernel")
	g.VEXTRACTF64X4(U8(1), Z0, Y2)
	g.VEXTRACTF64X4(U8(1), Z1, Y3)
	g.storeSums(RDX, Y0, Y2, Y1, Y3)
}

// dotQ8_0QuadZMM is dotQ8_0Rows4ZMM (or its VNNI form) on four-row groups
// interleaved in runs (see quadGroups): each pair of rows is one aligned
// 64-byte load.
func (g gen) dotQ8_0QuadZMM(idx Mem) {
	g.quadText(g.zname("dotQ8_0Quad"), g.zname("dotQ8_0Rows4"))
	g.Comment("The row-major kernel's registers; the two rows of a pair are adjacent.")
	g.quadGroups(func() { g.zmmSetup(idx) }, func() { g.zmmBlock(g.pairRun) }, func() []VecPhysical {
		g.VEXTRACTF64X4(U8(1), Z0, Y2)
		g.VEXTRACTF64X4(U8(1), Z1, Y3)
		return []VecPhysical{Y0, Y2, Y1, Y3}
	})
}

// dotQ8_0Tile42ZMM is the 4×2 tile with each weight row's two products in
// one ZMM register: Z0..Z3 hold rows 0..3, activation row 0 of the pair in
// the low half and row 1 in the high half, each half lane for lane the
// YMM tile's accumulator (Y0..Y3 and Y4..Y7 there). A block is the pair's
// quants in the halves of Z4 (negated in Z14), d_x0|d_x1 spread over the
// halves of Z9, then per row its quants broadcast to both halves, one
// VPDPBUSD for both products, and d_w[r]·(d_x0|d_x1) by an embedded
// broadcast: 9 instructions for two products where the YMM tile takes 14.
func (g gen) dotQ8_0Tile42ZMM() {
	acc := []VecPhysical{Z0, Z1, Z2, Z3}
	g.tile42(g.zname("dotQ8_0Tile42"), []string{
		"",
		"The ZMM form of " + g.name("dotQ8_0Tile42") + ": each weight row's two products share a",
		"register, one per 256-bit half; same bits.",
	}, func() {
		for _, z := range append(acc, Z15) {
			g.VPXORD(z, z, z)
		}
		g.zOnes()
	}, func() {
		g.Comment("Z4 = x0|x1, Z14 = -(x0|x1), Z9 = d_x0 (x8) | d_x1 (x8)")
		g.VMOVDQU(Mem{Base: RDI, Disp: q8QS}, Y4)
		g.VINSERTI64X4(U8(1), Mem{Base: RDI, Index: RDX, Scale: 1, Disp: q8QS}, Z4, Z4)
		g.VPSUBB(Z4, Z15, Z14)
		g.VBROADCASTSS(Mem{Base: R13}, Y9)
		g.VBROADCASTSS(Mem{Base: R14}, Y11)
		g.VINSERTF64X4(U8(1), Y11, Z9, Z9)
		for r, a := range acc {
			g.VBROADCASTI64X4(rowMem(r, q8QS), Z5)
			g.VPABSB(Z5, Z6)
			g.VPMOVB2M(Z5, K1)
			g.VPBLENDMB(Z14, Z4, K1, Z7) // -x where w < 0, else x
			g.mulSum(Z7, Z6, Z16, Z10, Z10)
			g.VCVTDQ2PS(Z10, Z10)
			g.VMULPS_BCST(Mem{Base: R12, Disp: 4 * r}, Z9, Z8) // d_w[r]·d_x, as the YMM tile's VMULPS
			g.VFMADD231PS(Z10, Z8, a)
		}
	}, func() {
		g.Comment("activation row 1's accumulators (the high halves) to Y4..Y7")
		for r, a := range acc {
			g.VEXTRACTF64X4(U8(1), a, []VecPhysical{Y4, Y5, Y6, Y7}[r])
		}
	})
}
