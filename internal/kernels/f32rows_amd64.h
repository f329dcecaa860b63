// Macros of the float32 rows kernels (dotf_amd64.s, and the AVX-512 ones
// for four to six activations in dotfzmm_amd64.s).

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

// F32ROW1 is one step of a dot product against one row (DI): 32 elements
// at AX into Y0..Y3, x at SI, the row in Y4..Y7 (the products are
// dotF32AVX2's: fma is commutative in its product).
#define F32ROW1 \
	VMOVUPS (DI)(AX*4), Y4            \
	VMOVUPS 32(DI)(AX*4), Y5          \
	VMOVUPS 64(DI)(AX*4), Y6          \
	VMOVUPS 96(DI)(AX*4), Y7          \
	VFMADD231PS (SI)(AX*4), Y4, Y0    \
	VFMADD231PS 32(SI)(AX*4), Y5, Y1  \
	VFMADD231PS 64(SI)(AX*4), Y6, Y2  \
	VFMADD231PS 96(SI)(AX*4), Y7, Y3

// F32ROW2 is F32ROW1 and x2's lanes in Y8..Y11 (BX).
#define F32ROW2 \
	F32ROW1                           \
	VFMADD231PS (BX)(AX*4), Y4, Y8    \
	VFMADD231PS 32(BX)(AX*4), Y5, Y9  \
	VFMADD231PS 64(BX)(AX*4), Y6, Y10 \
	VFMADD231PS 96(BX)(AX*4), Y7, Y11

// F32ROW3 is F32ROW2 and x3's lanes in Y12..Y15 (R9).
#define F32ROW3 \
	F32ROW2                           \
	VFMADD231PS (R9)(AX*4), Y4, Y12   \
	VFMADD231PS 32(R9)(AX*4), Y5, Y13 \
	VFMADD231PS 64(R9)(AX*4), Y6, Y14 \
	VFMADD231PS 96(R9)(AX*4), Y7, Y15

// REDUCE8 finishes REDUCE32 for eight rows at once: v0..v7 are their
// folded sums, eight floats each, on the stack at byte offsets a0, a4, a1,
// a5, a2, a6, a3, a7 (the rows paired four apart). Each pair's low and high
// halves are added as REDUCE32's VEXTRACTF128/VADDPS does ([v0.lo+v0.hi,
// v4.lo+v4.hi]), and three VHADDPS make the same pairwise sums as its two,
// in row order: [v0 v1 v2 v3 | v4 v5 v6 v7]. Times Y15 (scale), stored at
// out[R11:R11+8]. Y4..Y9 are clobbered.
#define REDUCE8(a0, a4, a1, a5, a2, a6, a3, a7, out) \
	VMOVUPS a0(SP), Y4                     \
	VPERM2F128 $0x20, a4(SP), Y4, Y5       \
	VPERM2F128 $0x31, a4(SP), Y4, Y6       \
	VADDPS Y6, Y5, Y5                      \
	VMOVUPS a1(SP), Y4                     \
	VPERM2F128 $0x20, a5(SP), Y4, Y6       \
	VPERM2F128 $0x31, a5(SP), Y4, Y7       \
	VADDPS Y7, Y6, Y6                      \
	VMOVUPS a2(SP), Y4                     \
	VPERM2F128 $0x20, a6(SP), Y4, Y7       \
	VPERM2F128 $0x31, a6(SP), Y4, Y8       \
	VADDPS Y8, Y7, Y7                      \
	VMOVUPS a3(SP), Y4                     \
	VPERM2F128 $0x20, a7(SP), Y4, Y8       \
	VPERM2F128 $0x31, a7(SP), Y4, Y9       \
	VADDPS Y9, Y8, Y8                      \
	VHADDPS Y6, Y5, Y5                     \
	VHADDPS Y8, Y7, Y7                     \
	VHADDPS Y7, Y5, Y5                     \
	VMULPS Y15, Y5, Y5                     \
	VMOVUPS Y5, (out)(R11*4)
