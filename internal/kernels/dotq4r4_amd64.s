//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

// Q4K_R4_ROW(acc, mins): one weight row's super-block (SI): its scales and
// mins (KSCALES, clobbers X10), the mins times the pairwise bsums (X15)
// into mins, the four nibble pairs into acc.
#define Q4K_R4_ROW(acc, mins) \
	KSCALES; \
	Q4K_R4_SPREAD(acc, mins); \
	Q4K_PAIR(0, acc, Y11, Y12); \
	Q4K_PAIR(1, acc, Y11, Y12); \
	Q4K_PAIR(2, acc, Y11, Y12); \
	Q4K_PAIR(3, acc, Y11, Y12)

// Q4K_R4_SPREAD(acc, mins): after a row's scales and mins are widened
// into Y6 (scales low, mins high), the mins times the pairwise bsums (X15)
// into mins, the scales spread to both lanes of Y6 (Q4K_PAIR's shuffles
// read them there), acc zeroed.
#define Q4K_R4_SPREAD(acc, mins) \
	VEXTRACTI128 $1, Y6, X9; \
	VPMADDWD X15, X9, mins; \
	VINSERTI128 $1, X6, Y6, Y6; \
	VPXOR acc, acc, acc

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

// The group kernel (q4KForm) decodes the scales and mins of two rows at
// once: KSCALES on the two 128-bit lanes of one YMM load of their heads
// (lane r is row r's head: its d and dmin dword, then the dwords u0, u1,
// u2 of its 12 scale bytes, so KSCALES' VPSHUFD selectors are one
// higher), with its shifts and masks in both lanes.
//
// Q4K_H_SCALES2(r): the scales and mins bytes of rows r and r+1 of the
// super-block in q4KForm at BX (KSCALES before its widening): row r's in
// X6, row r+1's in X7; clobbers Y10.
#define Q4K_H_SCALES2(r) \
	VMOVDQU (Q4K_HEAD*r)(BX), Y6; \
	KSC_DECODE($0x95, $0xed, Y6, Y10); \
	VEXTRACTI128 $1, Y6, X7

// Q4K_H_ROW(r, bytes, acc, n, mins): Q4K_R4_ROW for row r of a
// super-block in q4KForm (BX), its scales and mins bytes in bytes
// (Q4K_H_SCALES2), its int32 lanes in acc (which is Yn): Q4K_H_ROW_START,
// then its four nibble pairs.
#define Q4K_H_ROW(r, bytes, acc, n, mins) \
	Q4K_H_ROW_START(r, bytes, acc, mins); \
	Q4K_PAIR(0, acc, Y11, Y12); \
	Q4K_PAIR(1, acc, Y11, Y12); \
	Q4K_PAIR(2, acc, Y11, Y12); \
	Q4K_PAIR(3, acc, Y11, Y12)

// Q4K_H_ROW_START(r, bytes, acc, mins): a row's scales widened into Y6
// (both lanes) and its mins times the bsums into mins, acc zeroed, SI set
// 16 bytes before its quants (BX+64+128r), where Q4K_PAIR expects a whole
// super-block.
#define Q4K_H_ROW_START(r, bytes, acc, mins) \
	VPMOVZXBW bytes, Y6; \
	Q4K_R4_SPREAD(acc, mins); \
	LEAQ (4*Q4K_HEAD-16+128*r)(BX), SI

// Q4K_H_BLOCK(row): Q4K_R4_BLOCK for the four rows of a super-block in
// q4KForm (BX, DX = 16: Q4K_QUAD_TEXT), each row summed by row (Q4K_H_ROW
// or Q4K_HV_ROW). Row 1's bytes wait in X7 while row 0 is summed, row 3's
// while row 2 is (X7 then takes row 3's mins).
#define Q4K_H_BLOCK(row) \
	Q4K_R4_PREFETCH; \
	Q4K_H_SCALES2(0); \
	row(0, X6, Y0, 0, X4); \
	row(1, X7, Y1, 1, X5); \
	VPHADDD X5, X4, X4; \
	Q4K_H_SCALES2(2); \
	row(2, X6, Y2, 2, X5); \
	row(3, X7, Y3, 3, X7); \
	Q4K_R4_FLOAT

#define Q4K_H_BLOCK_AVX2 Q4K_H_BLOCK(Q4K_H_ROW)

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
	Q4K_QUAD_TEXT(Y14, Q4K_H_BLOCK_AVX2)

// The group kernel with AVX-VNNI (the avxvnni set, Alder Lake and later):
// VPDPWSSD, VEX-encoded, adds each pair's scaled sums to the row's int32
// lanes where Q4K_PAIR takes VPMADDWD twice and VPADDD twice. Same int32
// lanes (exact sums that wrap alike), so the same bits. Go's assembler
// knows VPDPWSSD only with the EVEX encoding (AVX-512 VL), so it is
// written as bytes: VEX.256.66.0F38.W0 52 /r, VPDPWSSD ymm(acc), ymm2, ymm3
// with ymm2 in vvvv (inverted) and ymm3 in ModRM.rm.

// VPDPWSSD_ACC(n, vvvv, rm): acc Yn (0..7) += pair products of the int16
// lanes of the register whose inverted vvvv field is given (0x25: Y11,
// 0x1d: Y12) and of Y(8+rm) (ModRM.rm with VEX.B clear: 0xc2).
#define VPDPWSSD_ACC(n, vvvv, rm) \
	BYTE $0xc4; BYTE $0xc2; BYTE $(vvvv); BYTE $0x52; BYTE $(0xc0+8*n+rm)

// Q4K_PAIR_VNNI(j, n): Q4K_PAIR into Yn with VPDPWSSD: Y11 (low nibbles'
// pair sums) times Y9 (their scales), Y12 times Y10.
#define Q4K_PAIR_VNNI(j, n) \
	VPSHUFB ·shufK4+(64*j)(SB), Y6, Y9; \
	VPSHUFB ·shufK4+(64*j+32)(SB), Y6, Y10; \
	VMOVDQU (16+32*j)(SI), Y11; \
	VPSRLW $4, Y11, Y12; \
	VPAND Y14, Y11, Y11; \
	VPAND Y14, Y12, Y12; \
	VPMADDUBSW (4+64*j)(DI), Y11, Y11; \
	VPMADDUBSW (36+64*j)(DI), Y12, Y12; \
	VPDPWSSD_ACC(n, 0x25, 1); \
	VPDPWSSD_ACC(n, 0x1d, 2)

// Q4K_HV_ROW(r, bytes, acc, n, mins): Q4K_H_ROW with Q4K_PAIR_VNNI.
#define Q4K_HV_ROW(r, bytes, acc, n, mins) \
	Q4K_H_ROW_START(r, bytes, acc, mins); \
	Q4K_PAIR_VNNI(0, n); \
	Q4K_PAIR_VNNI(1, n); \
	Q4K_PAIR_VNNI(2, n); \
	Q4K_PAIR_VNNI(3, n)

#define Q4K_H_BLOCK_AVXVNNI Q4K_H_BLOCK(Q4K_HV_ROW)

// func dotQ4KPackedQuadAVXVNNI(w []byte, x []byte, nb int, groups int, out []float32)
// dotQ4KPackedQuadAVX2 with VPDPWSSD (AVX-VNNI).
TEXT ·dotQ4KPackedQuadAVXVNNI(SB), NOSPLIT, $0-88
	Q4K_QUAD_TEXT(Y14, Q4K_H_BLOCK_AVXVNNI)
