// Macros of the float32 dot products and rows kernels (dotf_amd64.s, and
// the AVX-512 rows kernels for four to six activations in dotfzmm_amd64.s).

// The F32 rows kernels take rows in groups of eight while n is a multiple
// of 32 (no scalar tail): each row's accumulators are folded to one vector
// as REDUCE32 begins, (Y0+Y2)+(Y1+Y3) (FOLD), and kept on the stack, 256
// bytes an activation, and REDUCE8 finishes the eight rows of each
// activation together, the same additions in the same order, with one
// multiply by scale and one store. A head row of 128 keys is four
// iterations of the loop, and finishing it alone took as long as they did.
// The other rows take the one-row path.

// GROUPBOUND sets R12 to the rows (R10) done in groups of eight, none when
// n (CX) leaves a scalar tail (DX = CX&^31 differs), and jumps to grp.
#define GROUPBOUND(grp) \
	MOVQ R10, R12 \
	ANDQ $-8, R12 \
	CMPQ DX, CX   \
	JEQ  grp      \
	XORQ R12, R12 \
	JMP  grp

// FOLD adds a row's four accumulators as REDUCE32 begins and stores the sum
// at off(SP) plus the row's offset in its group (R13).
#define FOLD(y0, y1, y2, y3, off) \
	VADDPS y2, y0, y0 \
	VADDPS y3, y1, y1 \
	VADDPS y1, y0, y0 \
	VMOVUPS y0, off(SP)(R13*1)

// ZEROY zeroes four accumulators (Y0..Y15: VEX; Y16..Y31 need ZEROQ's
// EVEX VPXORD, in dotfzmm_amd64.s), FMAQ is one activation's step against
// the row in Y4..Y7: 32 elements at AX of x at p into a..d.
#define ZEROY(a, b, c, d) VXORPS a, a, a; VXORPS b, b, b; VXORPS c, c, c; VXORPS d, d, d
#define FMAQ(p, a, b, c, d) \
	VFMADD231PS (p)(AX*4), Y4, a   \
	VFMADD231PS 32(p)(AX*4), Y5, b \
	VFMADD231PS 64(p)(AX*4), Y6, c \
	VFMADD231PS 96(p)(AX*4), Y7, d

// F32ROWk is one step of k dot products against one row (DI): the row's 32
// elements at AX in Y4..Y7, x1's lanes in Y0..Y3 (SI), x2's in Y8..Y11
// (BX), x3's in Y12..Y15 (R9) (the products are dotF32AVX2's: fma is
// commutative in its product). ZEROk and FOLDk are the same activations'
// accumulators zeroed, and folded to the stack 256 bytes apart.
#define F32ROW1 \
	VMOVUPS (DI)(AX*4), Y4   \
	VMOVUPS 32(DI)(AX*4), Y5 \
	VMOVUPS 64(DI)(AX*4), Y6 \
	VMOVUPS 96(DI)(AX*4), Y7 \
	FMAQ(SI, Y0, Y1, Y2, Y3)
#define F32ROW2 F32ROW1; FMAQ(BX, Y8, Y9, Y10, Y11)
#define F32ROW3 F32ROW2; FMAQ(R9, Y12, Y13, Y14, Y15)
#define ZERO1 ZEROY(Y0, Y1, Y2, Y3)
#define ZERO2 ZERO1; ZEROY(Y8, Y9, Y10, Y11)
#define ZERO3 ZERO2; ZEROY(Y12, Y13, Y14, Y15)
#define FOLD1 FOLD(Y0, Y1, Y2, Y3, 0)
#define FOLD2 FOLD1; FOLD(Y8, Y9, Y10, Y11, 256)
#define FOLD3 FOLD2; FOLD(Y12, Y13, Y14, Y15, 512)

// VLOOP is the vector loop over the first DX elements: AX from 0, zero
// the accumulators, step while AX < DX, 32 at a time; end is after it.
#define VLOOP(loop, end, zero, step) \
	XORQ AX, AX  \
	zero         \
	CMPQ AX, DX  \
	JEQ  end     \
loop:            \
	step         \
	ADDQ $32, AX \
	CMPQ AX, DX  \
	JLT  loop    \
end:

// GROUPS runs the whole groups of eight rows (R11 from its value up to
// R12, GROUPBOUND): per row VLOOP of zero and step and fold to the stack
// (R13 the row's offset in a block), then red (REDUCE8 of each
// activation), and on to next. The labels are the kernel's.
#define GROUPS(grp, g8, loop, sum, next, zero, step, fold, red) \
grp:                             \
	CMPQ R11, R12                \
	JGE  next                    \
	XORQ R13, R13                \
g8:                              \
	VLOOP(loop, sum, zero, step) \
	fold                         \
	ADDQ R8, DI                  \
	ADDQ $32, R13                \
	CMPQ R13, $256               \
	JLT  g8                      \
	red                          \
	ADDQ $8, R11                 \
	JMP  grp

// HALVES sets d to [va.lo+va.hi, vb.lo+vb.hi] for the folded sums va, vb at
// a(SP) and b(SP) (REDUCE32's VEXTRACTF128/VADDPS for two rows); Y4 and t
// are clobbered.
#define HALVES(a, b, d, t) \
	VMOVUPS a(SP), Y4                \
	VPERM2F128 $0x20, b(SP), Y4, d   \
	VPERM2F128 $0x31, b(SP), Y4, t   \
	VADDPS t, d, d

// REDUCE8 finishes REDUCE32 for eight rows at once: v0..v7 are their
// folded sums, eight floats each, on the stack at byte offsets a0, a4, a1,
// a5, a2, a6, a3, a7 (the rows paired four apart). Each pair's low and high
// halves are added as REDUCE32's VEXTRACTF128/VADDPS does ([v0.lo+v0.hi,
// v4.lo+v4.hi]), and three VHADDPS make the same pairwise sums as its two,
// in row order: [v0 v1 v2 v3 | v4 v5 v6 v7]. Times Y15 (scale), stored at
// out[R11:R11+8]. Y4..Y9 are clobbered.
#define REDUCE8(a0, a4, a1, a5, a2, a6, a3, a7, out) \
	HALVES(a0, a4, Y5, Y6)                 \
	HALVES(a1, a5, Y6, Y7)                 \
	HALVES(a2, a6, Y7, Y8)                 \
	HALVES(a3, a7, Y8, Y9)                 \
	VHADDPS Y6, Y5, Y5                     \
	VHADDPS Y8, Y7, Y7                     \
	VHADDPS Y7, Y5, Y5                     \
	VMULPS Y15, Y5, Y5                     \
	VMOVUPS Y5, (out)(R11*4)
