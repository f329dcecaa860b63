package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The Go assembler (1.26) knows VPDPBUSD and VPDPWSSD only in their EVEX
// (AVX-512 VNNI) encoding: it encodes "VPDPBUSD Y1, Y2, Y3" with an EVEX
// prefix even for registers below 16, which a CPU with AVX-VNNI but no
// AVX-512 (Alder Lake and later client cores) faults on. The AVX-VNNI forms
// are therefore emitted as bytes, with the instruction in a comment:
//
//	VEX.256.66.0F38.W0 50 /r  VPDPBUSD ymm1, ymm2, ymm3/m256
//	VEX.256.66.0F38.W0 52 /r  VPDPWSSD ymm1, ymm2, ymm3/m256
//
// (Intel operand order: ymm1 the accumulator in ModRM.reg, ymm2 in VEX.vvvv,
// ymm3 in ModRM.rm; only the register form is used.)

// VEX opcode bytes (map 0F38) of the two AVX-VNNI instructions.
const (
	opVPDPBUSD = 0x50
	opVPDPWSSD = 0x52
)

// vnniOp emits the VEX-encoded AVX-VNNI instruction op with the Go operand
// order of its EVEX spelling (src2, src1, acc): acc += src1 ⊙ src2.
func (g gen) vnniOp(op byte, src2, src1 Op, acc VecPhysical) {
	m, v := vexReg(src2), vexReg(src1)
	mn := map[byte]string{opVPDPBUSD: "VPDPBUSD", opVPDPWSSD: "VPDPWSSD"}[op]
	g.Comment(fmt.Sprintf("%s %s, %s, %s (VEX: AVX-VNNI)", mn, m.Asm(), v.Asm(), acc.Asm()))
	for _, b := range vexRRR(op, vexReg(acc), v, m) {
		g.Instruction(&ir.Instruction{Opcode: "BYTE", Operands: []Op{U8(b)}})
	}
}

// vexReg returns o as a YMM register below 16 (the only ones VEX can name),
// and panics otherwise: a generator bug, found when go generate runs.
func vexReg(o Op) VecPhysical {
	r, ok := o.(VecPhysical)
	if !ok || r.Size() != 32 || r.PhysicalIndex() >= 16 {
		panic(fmt.Sprintf("AVX-VNNI operand %v: want one of Y0..Y15", o))
	}
	return r
}

// vexRRR encodes op (map 0F38, prefix 66, W0, 256-bit) with ModRM.reg = d,
// VEX.vvvv = v and ModRM.rm = m, all registers: the three-byte VEX prefix
// C4 [R̄ X̄ B̄ 00010] [W vvvv̄ L pp], then the opcode and ModRM 11 reg rm.
func vexRRR(op byte, d, v, m VecPhysical) []byte {
	di, vi, mi := byte(d.PhysicalIndex()), byte(v.PhysicalIndex()), byte(m.PhysicalIndex())
	const (
		mmmmm0F38 = 0x02 // opcode map 0F38
		pp66      = 0x01 // implied 66 prefix
		l256      = 0x04 // VEX.L = 1: 256-bit
	)
	p1 := byte(mmmmm0F38) | 0x40 // X̄ = 1: no index register
	if di < 8 {
		p1 |= 0x80 // R̄ = 1: reg is 0..7
	}
	if mi < 8 {
		p1 |= 0x20 // B̄ = 1: rm is 0..7
	}
	p2 := (^vi&0x0f)<<3 | l256 | pp66 // W0
	modrm := 0xc0 | (di&7)<<3 | mi&7
	return []byte{0xc4, p1, p2, op, modrm}
}
