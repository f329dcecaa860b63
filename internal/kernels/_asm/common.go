package main

import (
	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gen wraps the avo build context; the kernels are methods on it. Only
// physical registers are used, so the output is the instruction sequence
// written here, in this order. With vnni set, the kernels that call mulSum
// or maddAcc are generated for AVX-512 VNNI under names ending in VNNI
// instead of AVX2; with vex set too, for AVX-VNNI (the VEX-encoded
// VPDPBUSD/VPDPWSSD of client CPUs without AVX-512) under names ending in
// AVXVNNI (see vnniOp in vex.go).
type gen struct {
	*build.Context
	vnni bool
	vex  bool // with vnni: the VEX (AVX-VNNI) encoding instead of EVEX
	ones Mem  // the ZMM kernels without VNNI: int16 ones (onesZ) for zOnes
}

// name is the kernel name base with the instruction set's suffix.
func (g gen) name(base string) string {
	switch {
	case g.vex:
		return base + "AVXVNNI"
	case g.vnni:
		return base + "VNNI"
	}
	return base + "AVX2"
}

// maddAcc adds the int16 pair products of prod and scale to the int32
// lanes of acc: VPMADDWD then VPADDD (prod is clobbered) without VNNI, one
// VPDPWSSD with it. Both wrap the same way, so the lanes are the same. The
// registers may be YMM or ZMM (the ZMM kernels, never with vex).
func (g gen) maddAcc(scale Op, prod, acc VecPhysical) {
	if !g.vnni {
		g.VPMADDWD(scale, prod, prod)
		g.VPADDD(prod, acc, acc)
		return
	}
	if g.vex {
		g.vnniOp(opVPDPWSSD, scale, prod, acc)
		return
	}
	g.evexVNNI("VPDPWSSD", evexISA(acc), scale, prod, acc)
}

// mulSum sets the eight int32 lanes of a register to the sums of four
// products of the unsigned bytes u and the signed bytes s, and returns that
// register. AVX2 takes VPMADDUBSW (pairs, into int16) then VPMADDWD with
// int16 ones (ones, unused with VNNI), in place in dst; AVX-512 VNNI's VPDPBUSD adds the four
// products to a zeroed vnniDst (which must be neither u nor s) in one
// instruction. The lanes are the same integers: VPMADDUBSW's pair sums
// cannot saturate here, since the signed bytes of these kernels (activations
// and VPSIGNB outputs, or the ZMM kernels' x negated where w < 0) are at
// most 127 and the unsigned at most 128, so a pair lies in [-32768, 32512].
// The registers may be YMM or ZMM (the ZMM kernels, never with vex).
func (g gen) mulSum(s, u, ones Op, dst, vnniDst VecPhysical) VecPhysical {
	if !g.vnni {
		g.VPMADDUBSW(s, u, dst)
		g.VPMADDWD(ones, dst, dst)
		return dst
	}
	if isZMM(vnniDst) {
		g.VPXORD(vnniDst, vnniDst, vnniDst) // VPXOR has no ZMM form
	} else {
		g.VPXOR(vnniDst, vnniDst, vnniDst)
	}
	if g.vex {
		g.vnniOp(opVPDPBUSD, s, u, vnniDst)
		return vnniDst
	}
	g.evexVNNI("VPDPBUSD", evexISA(vnniDst), s, u, vnniDst)
	return vnniDst
}

func isZMM(r VecPhysical) bool { return r.Size() == 64 }

// evexISA is the extension beside AVX512_VNNI that an EVEX VNNI
// instruction on r needs: AVX512F for ZMM registers, AVX512VL for YMM.
func evexISA(r VecPhysical) string {
	if isZMM(r) {
		return "AVX512F"
	}
	return "AVX512VL"
}

// evexVNNI emits the EVEX-encoded AVX-512 VNNI instruction opcode
// (VPDPBUSD or VPDPWSSD), acc += b ⊙ a in the Go operand order; avo v0.5.0
// has no VNNI instructions, the Go assembler does. isa is the extension
// beside AVX512_VNNI that the registers need (AVX512VL for YMM, AVX512F for
// ZMM).
func (g gen) evexVNNI(opcode, isa string, a, b Op, acc VecPhysical) {
	g.Instruction(&ir.Instruction{
		Opcode:   opcode,
		Operands: []Op{a, b, acc},
		Inputs:   []Op{a, b, acc},
		Outputs:  []Op{acc},
		ISA:      []string{isa, "AVX512_VNNI"},
	})
}

// Block layouts (ggml's block_q8_0 and block_q5_0: fp16 scale d, then the
// data) and the byte offsets the kernels use.
const (
	q8Bytes      = 34 // block_q8_0: d (2) + qs[32]
	q5Bytes      = 22 // block_q5_0: d (2) + qh (4) + qs[16]
	q8QS         = 2  // offset of qs in block_q8_0
	q5QH         = 2  // offset of qh in block_q5_0
	q5QS         = 6  // offset of qs in block_q5_0
	rowsPerGroup = 4  // weight rows per four-row kernel
)

// text starts a function: NOSPLIT, no frame, signature sig, the stub's doc
// comment (its reference loop) and //go:noescape.
func (g gen) text(name, sig string, doc ...string) {
	g.Function(name)
	g.Attributes(attr.NOSPLIT)
	g.SignatureExpr(sig)
	g.Doc(doc...)
	g.Pragma("noescape")
}

// rowIndex is the index register of weight row r (stride multiples kept in
// R8 = stride, R9 = 2·stride, R10 = 3·stride); row 0 has none.
var rowIndex = [rowsPerGroup]Register{nil, R8, R9, R10}

// rowMem addresses byte disp of the current block of weight row r (SI).
func rowMem(r, disp int) Mem {
	m := Mem{Base: RSI, Disp: disp}
	if rowIndex[r] != nil {
		m = m.Idx(rowIndex[r], 1)
	}
	return m
}

// laneShuffle[r] is the VSHUFPS immediate that broadcasts lane r of each
// 128-bit half (the scale product of row r).
var laneShuffle = [rowsPerGroup]U8{0x00, 0x55, 0xaa, 0xff}

// loadRowArgs loads w (SI), stride (R8), x (DI) and nb (CX) and the row
// stride multiples R9 = 2·stride, R10 = 3·stride.
func (g gen) loadRowArgs(nb string) {
	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("stride"), R8)
	g.Load(g.Param("x").Base(), RDI)
	g.Load(g.Param(nb), RCX)
	g.LEAQ(Mem{Base: R8, Index: R8, Scale: 1}, R9)
	g.LEAQ(Mem{Base: R9, Index: R8, Scale: 1}, R10)
}

// zero clears the accumulators.
func (g gen) zero(acc ...VecPhysical) {
	for _, y := range acc {
		g.VXORPS(y, y, y)
	}
}

// bcast32 sets every dword of y (x its low half) to v, through EAX.
func (g gen) bcast32(v uint32, y VecPhysical) {
	g.MOVL(U32(v), EAX)
	g.VMOVD(EAX, y.AsX())
	g.VPBROADCASTD(y.AsX(), y)
}

// weightScales4 loads the fp16 scales of the current block of the four rows
// into lanes 0..3 of dst as float32. The four halves are gathered in AX
// with integer loads, shifts and ors (BX scratch) and moved over once: the
// integer pipes are idle in these kernels, while VPINSRW from memory costs
// a vector operation per row.
func (g gen) weightScales4(dst VecPhysical) {
	x := dst.AsX()
	g.MOVWQZX(Mem{Base: RSI}, RAX)
	for r := 1; r < rowsPerGroup; r++ {
		g.MOVWQZX(rowMem(r, 0), RBX)
		g.SHLQ(U8(16*r), RBX)
		g.ORQ(RBX, RAX)
	}
	g.VMOVQ(RAX, x)
	g.VCVTPH2PS(x, x)
}

// actScale broadcasts the fp16 activation block scale at m into dst as
// float32.
func (g gen) actScale(m Mem, dst VecPhysical) {
	x := dst.AsX()
	g.MOVWLZX(m, EAX)
	g.VMOVD(EAX, x)
	g.VCVTPH2PS(x, x)
	g.VBROADCASTSS(x, x)
}

// scaleProducts sets both halves of dst to d_w[0..3] · d_x (w and x as left
// by weightScales4 and actScale).
func (g gen) scaleProducts(w, x, dst VecPhysical) {
	g.VMULPS(x.AsX(), w.AsX(), dst.AsX())
	g.VINSERTF128(U8(1), dst.AsX(), dst.AsY(), dst.AsY())
}

// hsum8 reduces the eight lanes of y into lane 0 of x (y's low half) as
// llama.cpp's hsum_float_8: ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)); t is
// scratch.
func (g gen) hsum8(y, t VecPhysical) {
	x, tx := y.AsX(), t.AsX()
	g.VEXTRACTF128(U8(1), y.AsY(), tx)
	g.VADDPS(x, tx, tx)
	g.VMOVHLPS(tx, tx, x)
	g.VADDPS(x, tx, tx)
	g.VMOVSHDUP(tx, x)
	g.VADDSS(x, tx, x)
}

// storeSums reduces each accumulator (hsum8, scratch X10) and stores the
// results as consecutive float32s at out (loaded into p first).
func (g gen) storeSums(p Register, acc ...VecPhysical) {
	g.Load(g.Param("out").Base(), p)
	for _, y := range acc {
		g.hsum8(y, Y10)
	}
	for i, y := range acc {
		g.VMOVSS(y.AsX(), Mem{Base: p, Disp: 4 * i})
	}
	g.VZEROUPPER()
	g.RET()
}

// nextBlock advances the weight and activation pointers one block and
// loops back to loop while blocks remain.
func (g gen) nextBlock(wBytes int, loop string) {
	g.ADDQ(Imm(uint64(wBytes)), RSI)
	g.ADDQ(Imm(q8Bytes), RDI)
	g.DECQ(RCX)
	g.JNZ(LabelRef(loop))
}
