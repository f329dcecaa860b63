//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

// Q4K_R4_ROW(acc, mins): one weight row's super-block (SI): its scales and
// mins (KSCALES, clobbers X10), the mins times the pairwise bsums (X15)
// into mins, the four nibble pairs into acc.
#define Q4K_R4_ROW(acc, mins) \
	KSCALES; \
	VEXTRACTI128 $1, Y6, X9; \
	VPMADDWD X15, X9, mins; \
	VINSERTI128 $1, X6, Y6, Y6; \
	VPXOR acc, acc, acc; \
	Q4K_PAIR(0, acc, Y11, Y12); \
	Q4K_PAIR(1, acc, Y11, Y12); \
	Q4K_PAIR(2, acc, Y11, Y12); \
	Q4K_PAIR(3, acc, Y11, Y12)

// Q4K_R4_BLOCK: one super-block of the four rows (row 0 at BX, the rows DX
// apart) times the activation block at DI: AX prefetches ahead, the
// integer sums of each row, the four outputs' fused multiply-adds.
#define Q4K_R4_BLOCK \
	Q4K_R4_PREFETCH; \
	MOVQ BX, SI; \
	Q4K_R4_ROW(Y0, X4); \
	ADDQ DX, SI; \
	Q4K_R4_ROW(Y1, X5); \
	VPHADDD X5, X4, X4; \
	ADDQ DX, SI; \
	Q4K_R4_ROW(Y2, X5); \
	ADDQ DX, SI; \
	Q4K_R4_ROW(Y3, X7); \
	Q4K_R4_FLOAT

// Q4K_H_ROW(r, acc, mins): Q4K_R4_ROW for row r of a super-block in
// q4KForm (BX): its head at BX+16r, its quants at BX+64+128r (SI is set
// 16 bytes before them, where Q4K_PAIR expects a whole super-block).
#define Q4K_H_ROW(r, acc, mins) \
	LEAQ (Q4K_HEAD*r)(BX), SI; \
	KSCALES; \
	VEXTRACTI128 $1, Y6, X9; \
	VPMADDWD X15, X9, mins; \
	VINSERTI128 $1, X6, Y6, Y6; \
	VPXOR acc, acc, acc; \
	LEAQ (4*Q4K_HEAD-16+128*r)(BX), SI; \
	Q4K_PAIR(0, acc, Y11, Y12); \
	Q4K_PAIR(1, acc, Y11, Y12); \
	Q4K_PAIR(2, acc, Y11, Y12); \
	Q4K_PAIR(3, acc, Y11, Y12)

// Q4K_H_BLOCK: Q4K_R4_BLOCK for the four rows of a super-block in q4KForm
// (BX, DX = 16: Q4K_QUAD_TEXT).
#define Q4K_H_BLOCK \
	Q4K_R4_PREFETCH; \
	Q4K_H_ROW(0, Y0, X4); \
	Q4K_H_ROW(1, Y1, X5); \
	VPHADDD X5, X4, X4; \
	Q4K_H_ROW(2, Y2, X5); \
	Q4K_H_ROW(3, Y3, X7); \
	Q4K_R4_FLOAT

// func dotQ4KPackedRows4AVX2(w []byte, stride int, x []byte, nb int, out []float32)
// Four Q4_K weight rows (stride bytes apart) times one Q8_K activation row
// with dotQ4KPackedAVX2's arithmetic per output, the four rows' float work
// done together: lane r of X8 (X13) gets exactly row r's fused multiply-add
// of the quants (mins) per super-block, as the one-row kernel does in its
// scalar registers, and out[r] = X8[r] - X13[r]. len(w) >= 3*stride +
// 144*nb, len(x) >= 292*nb, len(out) >= 4.
TEXT ·dotQ4KPackedRows4AVX2(SB), NOSPLIT, $0-88
	Q4K_R4_TEXT(Y14, Q4K_R4_BLOCK)

// func dotQ4KPackedQuadAVX2(w []byte, x []byte, nb int, groups int, out []float32)
// dotQ4KPackedRows4AVX2 on groups groups of four rows interleaved in
// q4KForm (Q4K_QUAD_TEXT). nb >= 1, groups >= 1, len(w) >= 576*nb*groups,
// len(x) >= 292*nb, len(out) >= 4*groups.
TEXT ·dotQ4KPackedQuadAVX2(SB), NOSPLIT, $0-88
	Q4K_QUAD_TEXT(Y14, Q4K_H_BLOCK)
