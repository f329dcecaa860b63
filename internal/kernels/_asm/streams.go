package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Stream kernels: a Q8_0 group kernel that reads four runs of groups far
// apart at once, block by block (streams of the kernels package's
// streamEntry: a chunk's groups cut in four), where the group kernel reads
// one. On a Zen 5 one core reads memory faster from four sequential
// streams than from one when each is read a block at a time (a load loop
// in C over 1 GiB in huge pages, 128 bytes of each stream a turn: 1.25×
// with four), and the activation's block is loaded, converted and negated
// once for the four.
//
// Each row's sums are those of dotQ8_0QuadZMM (the same instructions on
// the same registers' values, in the same order per row), so every result
// is bit-identical to it.

// streamAcc are the accumulators of the four streams: rows 0|1 and 2|3
// of the group each stream is in (stream 0 those of the group kernel; Z16
// holds the int16 ones of the kernels without VNNI).
var streamAcc = [rowsPerGroup][2]VecPhysical{{Z0, Z1}, {Z17, Z18}, {Z19, Z20}, {Z21, Z22}}

// streamMem addresses byte disp of the current block of stream s at base
// (the streams stride bytes apart: R8 = stride, R9 = 2·stride, R10 =
// 3·stride, as rowMem's rows).
func streamMem(base Register, s, disp int) Mem {
	m := Mem{Base: base, Disp: disp}
	if rowIndex[s] != nil {
		m = m.Idx(rowIndex[s], 1)
	}
	return m
}

// dotQ8_0StreamsZMM is dotQ8_0QuadZMM (or its VNNI form) on four streams
// of groups at once.
func (g gen) dotQ8_0StreamsZMM(idx Mem) {
	name := g.zname("dotQ8_0Streams")
	g.text(name, "func(w []byte, x []byte, nb int, groups int, stride int, out []float32)",
		name+" is "+g.zname("dotQ8_0Quad")+" on four streams of groups groups",
		"each, stride bytes apart, read block by block together; reference loop:",
		"",
		"\tfor s := 0; s < 4; s++ {",
		"\t\t"+g.zname("dotQ8_0Quad")+"(w[s*stride:], x, nb, groups, out[4*groups*s:])",
		"\t}",
		"",
		"Each result is bit-identical to the group kernel. nb >= 1, groups >= 1,",
		"stride >= 136*nb*groups, len(w) >= 3*stride + 136*nb*groups,",
		"len(x) >= 34*nb, len(out) >= 16*groups.",
	)
	g.Comment("Stream s's quants at SI+R(s), its scales at BX+R(s) (R8, R9, R10 one,",
		"two and three strides; stream 0 none); its rows 0|1 and 2|3 accumulate",
		"in streamAcc[s]. R13 x, R14 nb, R12 the groups left, DX stream 0's outputs.")
	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("x").Base(), R13)
	g.Load(g.Param("nb"), R14)
	g.Load(g.Param("groups"), R12)
	g.Load(g.Param("stride"), R8)
	g.Load(g.Param("out").Base(), RDX)
	g.LEAQ(Mem{Base: R8, Index: R8, Scale: 1}, R9)
	g.LEAQ(Mem{Base: R9, Index: R8, Scale: 1}, R10)
	g.VPXORD(Z15, Z15, Z15)
	g.VMOVDQU64(idx, Z12)
	g.VMOVDQU64(idx.Offset(64), Z13)
	g.zOnes()
	g.Label("sgroup")
	g.MOVQ(R13, RDI)
	g.MOVQ(R14, RCX)
	for _, acc := range streamAcc {
		g.VPXORD(acc[0], acc[0], acc[0])
		g.VPXORD(acc[1], acc[1], acc[1])
	}
	g.runStart("srun")
	g.Label("sloop")
	g.Comment("the activation's scale (Y9) and quants (Z4, negated in Z14), once for the four")
	g.actScale(Mem{Base: RDI}, Y9)
	g.VBROADCASTI64X4(Mem{Base: RDI, Disp: q8QS}, Z4)
	g.VPSUBB(Z4, Z15, Z14)
	for s, acc := range streamAcc {
		g.Comment("stream " + string(rune('0'+s)))
		g.VCVTPH2PS(streamMem(RBX, s, 0), X8)
		g.scaleProducts(Y8, Y9, Y8)
		g.VPERMPS(Z8, Z12, Z2)
		g.VPERMPS(Z8, Z13, Z3)
		g.VMOVDQU64(streamMem(RSI, s, 0), Z5)
		g.pairQ8(Z2, acc[0])
		g.VMOVDQU64(streamMem(RSI, s, 64), Z5)
		g.pairQ8(Z3, acc[1])
	}
	g.runStep("sloop", "srun")
	g.streamStore()
	g.ADDQ(U8(4*rowsPerGroup), RDX)
	g.DECQ(R12)
	g.JNZ(LabelRef("sgroup"))
	g.VZEROUPPER()
	g.RET()
}

// streamStore reduces each stream's accumulators as the group kernel
// (rows 1 and 3 from the upper halves, each half by hsum8) and stores its
// four sums at DX + s·16·groups (BX; AX the outputs' stride).
func (g gen) streamStore() {
	g.Load(g.Param("groups"), RAX)
	g.SHLQ(U8(4), RAX)
	g.MOVQ(RDX, RBX)
	for s, acc := range streamAcc {
		if s > 0 {
			g.VMOVAPS(acc[0], Z0)
			g.VMOVAPS(acc[1], Z1)
			g.ADDQ(RAX, RBX)
		}
		g.VEXTRACTF64X4(U8(1), Z0, Y2)
		g.VEXTRACTF64X4(U8(1), Z1, Y3)
		sums := []VecPhysical{Y0, Y2, Y1, Y3}
		for _, y := range sums {
			g.hsum8(y, Y10)
		}
		for i, y := range sums {
			g.VMOVSS(y.AsX(), Mem{Base: RBX, Disp: 4 * i})
		}
	}
}

// dotQ8_0Streams is dotQ8_0Quad (AVX2, VNNI or AVX-VNNI) on two streams of
// groups at once: the sixteen YMM registers hold two groups' four
// accumulators (stream 0's Y0..Y3, stream 1's Y11..Y14) beside the block's
// work, not four. Each row's sums are those of the group kernel, so the
// same bits.
func (g gen) dotQ8_0Streams() {
	name := g.name("dotQ8_0Streams")
	quad := g.name("dotQ8_0Quad")
	g.text(name, "func(w []byte, x []byte, nb int, groups int, stride int, out []float32)",
		name+" is "+quad+" on two streams of groups groups",
		"each, stride bytes apart, read block by block together; reference loop:",
		"",
		"\tfor s := 0; s < 2; s++ {",
		"\t\t"+quad+"(w[s*stride:], x, nb, groups, out[4*groups*s:])",
		"\t}",
		"",
		"Each result is bit-identical to the group kernel. nb >= 1, groups >= 1,",
		"stride >= 136*nb*groups, len(w) >= stride + 136*nb*groups,",
		"len(x) >= 34*nb, len(out) >= 8*groups.",
	)
	g.Comment("Stream 0's quants at SI, its scales at BX; stream 1's R8 (stride) on.",
		"R13 x, R14 nb, R12 the groups left, DX stream 0's outputs.")
	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("x").Base(), R13)
	g.Load(g.Param("nb"), R14)
	g.Load(g.Param("groups"), R12)
	g.Load(g.Param("stride"), R8)
	g.Load(g.Param("out").Base(), RDX)
	if !g.vnni {
		g.bcast32(0x00010001, Y15)
	}
	acc := [2][rowsPerGroup]VecPhysical{{Y0, Y1, Y2, Y3}, {Y11, Y12, Y13, Y14}}
	g.Label("sgroup")
	g.MOVQ(R13, RDI)
	g.MOVQ(R14, RCX)
	g.zero(append(acc[0][:], acc[1][:]...)...)
	g.runStart("srun")
	g.Label("sloop")
	g.VMOVDQU(Mem{Base: RDI, Disp: q8QS}, Y4)
	for s, a := range acc {
		g.Comment("stream " + string(rune('0'+s)) + ": four weight scales times the activation scale → Y8")
		scales, quants := Mem{Base: RBX}, Mem{Base: RSI}
		if s > 0 {
			scales, quants = scales.Idx(R8, 1), quants.Idx(R8, 1)
		}
		g.VCVTPH2PS(scales, X8)
		g.actScale(Mem{Base: RDI}, Y9)
		g.scaleProducts(Y8, Y9, Y8)
		for r := 0; r < rowsPerGroup; r++ {
			g.VSHUFPS(laneShuffle[r], Y8, Y8, Y9)
			g.rowQ8(quants.Offset(32*r), a[r])
		}
	}
	g.runStep("sloop", "srun")
	g.Comment("stream 0's sums at DX, stream 1's 16·groups bytes on")
	g.Load(g.Param("groups"), RAX)
	g.SHLQ(U8(4), RAX)
	for s, a := range acc {
		out := Mem{Base: RDX}
		if s > 0 {
			out = out.Idx(RAX, 1)
		}
		for _, y := range a {
			g.hsum8(y, Y10)
		}
		for i, y := range a {
			g.VMOVSS(y.AsX(), out.Offset(4*i))
		}
	}
	g.ADDQ(U8(4*rowsPerGroup), RDX)
	g.DECQ(R12)
	g.JNZ(LabelRef("sgroup"))
	g.VZEROUPPER()
	g.RET()
}
