package main

import (
	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Four-row kernels: four weight rows (stride bytes apart) times one
// activation row, as llamafile's tinyBLAS_Q0_AVX gemm4xN<1> tile computes
// them. Each output keeps its own 8-lane accumulator with the same fused
// multiply-add per block as the one-row kernel (dotQ8_0AVX2 / dotQ5_0AVX2 in
// dot_amd64.s), so every result is bit-for-bit the one-row result; the four
// independent chains hide the FMA latency and share the activation loads.
//
// Registers of the one-column kernels: SI weight block of row 0, R8/R9/R10
// 1/2/3·stride, DI activation block, CX blocks left, R11 prefetch pointer
// into the next four-row group, Y0..Y3 accumulators, Y4 activation quants,
// Y8 scale products d_w[r]·d_x (lanes 0..3 of each half), Y9 the current
// row's product broadcast, Y15 int16 ones for VPMADDWD.

// prefetchLines are the offsets prefetched from R11 each block: three cache
// lines cover the 4·34 = 136 bytes a Q8_0 block step advances (four rows
// side by side), two the 88 of Q5_0.
var (
	q8PrefetchLines = []int{0, 64, 128}
	q5PrefetchLines = []int{0, 64}
)

// r4Prologue loads the arguments, points R11 at the next four-row group
// (w + 4·stride) and clears Y0..Y3; Y15 = int16 ones for mulSum's
// VPMADDWD (the VNNI kernels have none).
func (g gen) r4Prologue() {
	g.loadRowArgs("nb")
	g.LEAQ(Mem{Base: RSI, Index: R8, Scale: 4}, R11)
	g.zero(Y0, Y1, Y2, Y3)
	if !g.vnni {
		g.bcast32(0x00010001, Y15)
	}
}

// prefetchNextGroup touches the next four-row group's weights at the rate
// this group is consumed: 4·wBytes per block from w + 4·stride, so the group
// is in cache when the caller moves on to it.
func (g gen) prefetchNextGroup(lines []int, wBytes int) {
	for _, off := range lines {
		g.PREFETCHT0(Mem{Base: R11, Disp: off})
	}
	g.ADDQ(Imm(uint64(rowsPerGroup*wBytes)), R11)
}

// r4Scales sets Y8 to d_w[r]·d_x in lanes 0..3 of both halves (Y9 is
// scratch for d_x).
func (g gen) r4Scales() {
	g.weightScales4(Y8)
	g.actScale(Mem{Base: RDI}, Y9)
	g.scaleProducts(Y8, Y9, Y8)
}

// r4Blocks emits the block loop of a four-row kernel over the CX blocks
// (none when CX is 0): per block it prefetches the next four-row group
// (lines, wBytes: see prefetchNextGroup), sets Y8 to the four rows' scale
// products (r4Scales), emits body and steps to the next block. Its labels
// are name+"loop" and name+"done", where the code after it starts.
func (g gen) r4Blocks(name string, lines []int, wBytes int, body func()) {
	g.TESTQ(RCX, RCX)
	g.JEQ(LabelRef(name + "done"))

	g.Label(name + "loop")
	g.prefetchNextGroup(lines, wBytes)
	g.Comment("four weight scales times the activation scale → Y8")
	g.r4Scales()
	body()
	g.nextBlock(wBytes, name+"loop")

	g.Label(name + "done")
}

// rowQ8 is one row's block of dotQ8_0AVX2: acc += Y9 · lanes(w_r · x) with
// the activation quants in Y4, w_r at m (mul_sum_i8_pairs_float: |w|·sign(x,
// w), pair sums, quad sums, to float).
func (g gen) rowQ8(m Mem, acc VecPhysical) {
	g.VMOVDQU(m, Y5)
	g.VPSIGNB(Y5, Y5, Y6)
	g.VPSIGNB(Y5, Y4, Y7)
	g.VCVTDQ2PS(g.mulSum(Y7, Y6, Y15, Y6, Y10), Y6)
	g.VFMADD231PS(Y6, Y9, acc)
}

func (g gen) dotQ8_0Rows4() {
	g.text(g.name("dotQ8_0Rows4"), "func(w []byte, stride int, x []byte, nb int, out []float32)",
		g.name("dotQ8_0Rows4")+" is four Q8_0 dot products sharing one activation row",
		"(llamafile's tinyBLAS 4×1 tile); reference loop:",
		"",
		"\tfor r := 0; r < 4; r++ {",
		"\t\tout[r] = dotQ8_0Q8_0(32*nb, w[r*stride:], x)",
		"\t}",
		"",
		"Each result is bit-identical to the one-row kernel. While it runs it",
		"prefetches the next four-row group (from w[4*stride:]).",
		"len(w) >= 3*stride + 34*nb, len(x) >= 34*nb, len(out) >= 4.",
	)
	g.Comment("Rows 0..3 at SI, SI+R8, SI+R9, SI+R10 times the activation row at DI;",
		"Y0..Y3 get the one-row kernel's fused multiply-add per block, so each",
		"sum is bit-identical to it. R11 prefetches the next four-row group.")
	g.r4Prologue()
	g.r4Blocks("r4", q8PrefetchLines, q8Bytes, func() {
		g.VMOVDQU(Mem{Base: RDI, Disp: q8QS}, Y4)
		for r := 0; r < rowsPerGroup; r++ {
			g.VSHUFPS(laneShuffle[r], Y8, Y8, Y9)
			g.rowQ8(rowMem(r, q8QS), []VecPhysical{Y0, Y1, Y2, Y3}[r])
		}
	})
	g.storeSums(RDX, Y0, Y1, Y2, Y3)
}

// dotQ8_0Quad is dotQ8_0Rows4 on four interleaved rows in runs (see
// quadGroups): the same block body with the quants of row r at SI+32·r.
func (g gen) dotQ8_0Quad() {
	g.quadText(g.name("dotQ8_0Quad"), g.name("dotQ8_0Rows4"))
	g.quadGroups(func() {
		g.zero(Y0, Y1, Y2, Y3)
		if !g.vnni {
			g.bcast32(0x00010001, Y15)
		}
	}, func() {
		g.VMOVDQU(Mem{Base: RDI, Disp: q8QS}, Y4)
		for r := 0; r < rowsPerGroup; r++ {
			g.VSHUFPS(laneShuffle[r], Y8, Y8, Y9)
			g.rowQ8(rowMem(r, 0), []VecPhysical{Y0, Y1, Y2, Y3}[r])
		}
	}, func() []VecPhysical { return []VecPhysical{Y0, Y1, Y2, Y3} })
}

// quadText starts the Q8_0 group kernel name, rows4 on interleaved rows.
func (g gen) quadText(name, rows4 string) {
	g.text(name, "func(w []byte, x []byte, nb int, groups int, out []float32)",
		name+" is "+rows4+" on groups groups of four rows",
		"interleaved in runs of up to eight blocks, one group after the other",
		"(136*nb bytes each; a run of k blocks is the 4*k scales, block by block",
		"and row by row, then the 4*k quant blocks of 32 bytes in the same",
		"order: see q8_0Run); reference loop:",
		"",
		"\tfor k := 0; k < groups; k++ {",
		"\t\tfor r := 0; r < 4; r++ {",
		"\t\t\tout[4*k+r] = dotQ8_0Q8_0(32*nb, deinterleaved row r of group k, x)",
		"\t\t}",
		"\t}",
		"",
		"Each result is bit-identical to the one-row kernel. nb >= 1, groups >= 1,",
		"len(w) >= 136*nb*groups, len(x) >= 34*nb, len(out) >= 4*groups.",
	)
}

// Interleaved Q8_0 groups are stored in runs of q8Run blocks (the last
// run of a row may be shorter): a run of k blocks is the 4·k fp16 scales
// (block by block, row by row), then the 4·k 32-byte quant blocks in the
// same order. Eight blocks are 1088 bytes, 17 cache lines, the scales
// one of them, so every load is aligned in a matrix that starts on a
// cache line with rows a multiple of 256 wide (q8_0Run in the kernels
// package has the measurements).
const (
	q8Run      = 8
	q8RunScale = rowsPerGroup * 2                // bytes of one block's four scales
	q8RunQuant = rowsPerGroup * (q8Bytes - q8QS) // bytes of one block's four quant blocks
)

// quadGroups is a Q8_0 group kernel's body: its arguments (w in SI, and
// for each group x in DI and nb in CX, kept in R13 and R14; R12 counts the
// groups, DX points at their outputs) and the row offsets R8/R9/R10 of
// one, two and three quant blocks (32 bytes); then per group setup, its
// runs (R11 the blocks of the run left, BX their scales, SI their quants)
// with per block the four rows' scale products d_w[r]·d_x in Y8 and body,
// and the four sums of finish's accumulators (in row order) stored at DX.
// No software prefetch: the runs are one aligned stream, which the
// hardware prefetchers follow best (prefetching 4096 bytes ahead made the
// ZMM kernel slower). Looping over the groups here rather than calling
// the kernel per group saved the Go entry's and the call's cost, 2.6% of
// Q8_0 decode at one thread on a Zen 5.
func (g gen) quadGroups(setup, body func(), finish func() []VecPhysical) {
	g.Load(g.Param("w").Base(), RSI)
	g.Load(g.Param("x").Base(), R13)
	g.Load(g.Param("nb"), R14)
	g.Load(g.Param("groups"), R12)
	g.Load(g.Param("out").Base(), RDX)
	g.MOVQ(U32(q8Bytes-q8QS), R8)
	g.LEAQ(Mem{Base: R8, Index: R8, Scale: 1}, R9)
	g.LEAQ(Mem{Base: R9, Index: R8, Scale: 1}, R10)
	g.Label("q4group")
	g.MOVQ(R13, RDI)
	g.MOVQ(R14, RCX)
	setup()
	g.runStart("q4run")
	g.Label("q4loop")
	g.Comment("four weight scales times the activation scale → Y8")
	g.VCVTPH2PS(Mem{Base: RBX}, X8)
	g.actScale(Mem{Base: RDI}, Y9)
	g.scaleProducts(Y8, Y9, Y8)
	body()
	g.runStep("q4loop", "q4run")
	acc := finish()
	for _, y := range acc {
		g.hsum8(y, Y10)
	}
	for i, y := range acc {
		g.VMOVSS(y.AsX(), Mem{Base: RDX, Disp: 4 * i})
	}
	g.ADDQ(U8(4*rowsPerGroup), RDX)
	g.DECQ(R12)
	g.JNZ(LabelRef("q4group"))
	g.VZEROUPPER()
	g.RET()
}

// runStart starts a run of a Q8_0 group (its label run): R11 = min(8,
// blocks left CX) blocks in it, CX less them, BX its scales and SI its
// quants.
func (g gen) runStart(run string) {
	g.Label(run)
	g.Comment("R11 = min(8, blocks left) blocks of the run, BX its scales, SI its quants")
	g.MOVQ(U32(q8Run), R11)
	g.CMPQ(RCX, R11)
	g.CMOVQLT(RCX, R11)
	g.SUBQ(R11, RCX)
	g.MOVQ(RSI, RBX)
	g.LEAQ(Mem{Base: RSI, Index: R11, Scale: q8RunScale}, RSI)
}

// runStep steps to the next block of the run (label loop), and after its
// last to the next run (label run) while blocks are left.
func (g gen) runStep(loop, run string) {
	g.ADDQ(U8(q8RunScale), RBX)
	g.ADDQ(U32(q8RunQuant), RSI)
	g.ADDQ(U8(q8Bytes), RDI)
	g.DECQ(R11)
	g.JNZ(LabelRef(loop))
	g.TESTQ(RCX, RCX)
	g.JNZ(LabelRef(run))
}

// rowQ5 is one row's block of the Q5_0 kernel with the weights kept
// unsigned: q = lo | hi<<4 in 0..31 (lo nibbles from qs at qs, the fifth bits
// from qh, spread to bytes with shufBits4 and the bit masks in Y11), multiplied
// with the signed activations Y4 directly; 16·Σy (Y7, shared by the four
// rows) is then taken off each int32 lane. The lanes are exactly Σ(q-16)·y,
// those of dotQ5_0AVX2, so the result is bitwise the same with two fewer
// sign operations per row.
func (g gen) rowQ5(qh, qs Mem, acc VecPhysical) {
	g.VMOVDQU(qs, X5)
	g.VPSRLW(U8(4), X5, X6)
	g.VINSERTI128(U8(1), X6, Y5, Y5)
	g.VPAND(Y14, Y5, Y5)
	g.VPBROADCASTD(qh, Y6)
	g.VPSHUFB(Y12, Y6, Y6)
	g.VPOR(Y11, Y6, Y6)
	g.VPCMPEQB(Y10, Y6, Y6)
	g.VPAND(Y13, Y6, Y6)
	g.VPOR(Y6, Y5, Y5)
	g.mulSum(Y4, Y5, Y15, Y6, Y6)
	g.VPSUBD(Y7, Y6, Y6)
	g.VCVTDQ2PS(Y6, Y6)
	g.VFMADD231PS(Y6, Y9, acc)
}

func (g gen) dotQ5_0Rows4() {
	g.text(g.name("dotQ5_0Rows4"), "func(w []byte, stride int, x []byte, nb int, out []float32)",
		g.name("dotQ5_0Rows4")+" is "+g.name("dotQ8_0Rows4")+" for Q5_0 weight rows; reference loop:",
		"",
		"\tfor r := 0; r < 4; r++ {",
		"\t\tout[r] = dotQ5_0Q8_0(32*nb, w[r*stride:], x)",
		"\t}",
		"",
		"Each result is bit-identical to the one-row kernel; the next four-row",
		"group is prefetched. len(w) >= 3*stride + 22*nb, len(x) >= 34*nb,",
		"len(out) >= 4.",
	)
	bits := g.StaticGlobal("shufBits4") // byte i of the qh dword → lanes 8i..8i+7
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < 4; i++ {
		g.AddDatum(8*i, U64(0x0101010101010101*uint64(i)))
	}

	g.Comment("As dotQ8_0Rows4AVX2, with the weights kept unsigned: q = lo | hi<<4 in",
		"0..31 times the signed activations, then 16·Σy (Y7, shared by the rows)",
		"taken off each int32 lane: exactly Σ(q-16)·y, the one-row kernel's lanes,",
		"with two fewer sign operations per row.")
	g.r4Prologue()
	g.Comment("Y14 low-nibble mask, Y13 0x10 bytes (the fifth bit),",
		"Y12/Y11 spread qh bit j to byte j (all other bits set),",
		"Y10 all ones")
	g.bcast32(0x0f0f0f0f, Y14)
	g.bcast32(0x10101010, Y13)
	g.VMOVDQU(bits, Y12)
	g.MOVQ(U64(0x7fbfdfeff7fbfdfe), RAX)
	g.VMOVQ(RAX, X11)
	g.VPBROADCASTQ(X11, Y11)
	g.VPCMPEQB(Y10, Y10, Y10)
	g.r4Blocks("r4q5", q5PrefetchLines, q5Bytes, func() {
		g.VMOVDQU(Mem{Base: RDI, Disp: q8QS}, Y4)
		g.Comment("16·Σy per lane (16·pairs, then quads)")
		g.mulSum(Y4, Y13, Y15, Y7, Y7)
		for r := 0; r < rowsPerGroup; r++ {
			g.VSHUFPS(laneShuffle[r], Y8, Y8, Y9)
			g.rowQ5(rowMem(r, q5QH), rowMem(r, q5QS), []VecPhysical{Y0, Y1, Y2, Y3}[r])
		}
	})
	g.storeSums(RDX, Y0, Y1, Y2, Y3)
}
