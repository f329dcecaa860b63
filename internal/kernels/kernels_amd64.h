// Macros shared by the hand-written AVX2 kernels (dot_amd64.s, dot5_amd64.s).
// Each is a step of llama.cpp's x86 AVX2 code; see the files that include it.

// PFK is how far ahead of the weight pointer the one-row kernels prefetch:
// the weights are mmapped (4 KiB pages, where hardware prefetchers stop) and
// a decode step streams each matrix once, so the lead must cover the memory
// latency. 2 KiB measured +15-20% Llama-1B Q4_K_M decode over 512 B (4 and 8 KiB
// no better).
#define PFK 2048
#define PFK64 2112
#define PFK128 2176

// BCAST8(r, v, x, y): broadcast the 32-bit constant v to every dword of y.
#define BCAST8(r, v, x, y) MOVL v, r; VMOVD r, x; VPBROADCASTD x, y

// ones16 (Y15) = int16 1s for VPMADDWD pair sums; hsum8 reduces Y0 to X0
// lane 0 as hsum_float_8: ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)). Clobbers X1, X2.
#define ONES16(r, y) MOVL $0x00010001, r; VMOVD r, X15; VPBROADCASTD X15, y
#define HSUM8 VEXTRACTF128 $1, Y0, X1; VADDPS X0, X1, X1; VMOVHLPS X1, X1, X2; VADDPS X2, X1, X1; VMOVSHDUP X1, X2; VADDSS X2, X1, X0

// HALFPROD(woff): X1 lane 0 = fp16 at woff(SI) times fp16 at (DI) (the block
// scale d_w*d_x), broadcast to Y1.
#define HALFPROD(woff) MOVWLZX woff(SI), AX; MOVWLZX (DI), BX; SHLL $16, BX; ORL BX, AX; VMOVD AX, X1; VCVTPH2PS X1, X1; VMOVSHDUP X1, X2; VMULSS X2, X1, X1; VBROADCASTSS X1, Y1

// MULSUM_I8_INT(x, y, t, u): t = int32 lane sums of x·y (signed bytes): |x| ·
// sign(y, x), pairs, then pairs of pairs; MULSUM_I8 converts them to float32
// (mul_sum_i8_pairs_float).
#define MULSUM_I8_INT(x, y, t, u) VPSIGNB x, x, t; VPSIGNB x, y, u; VPMADDUBSW u, t, t; VPMADDWD Y15, t, t
#define MULSUM_I8(x, y, t, u) MULSUM_I8_INT(x, y, t, u); VCVTDQ2PS t, t

// KSCALES: decode the 12 scale bytes at 4(SI) of a Q4_K or Q5_K super-block
// into Y6 = 16 int16 (scales 0-7, mins 8-15), as ggml's utmp shuffle +
// _mm256_cvtepu8_epi16. Clobbers R8-R13.
#define KSCALES \
	MOVL 4(SI), R8; \
	MOVL 8(SI), R9; \
	MOVL 12(SI), R10; \
	MOVL R10, R11; \
	SHRL $4, R11; \
	ANDL $0x0f0f0f0f, R11; \
	MOVL R9, R12; \
	SHRL $6, R12; \
	ANDL $0x03030303, R12; \
	SHLL $4, R12; \
	ORL  R12, R11; \
	MOVL R10, R12; \
	ANDL $0x0f0f0f0f, R12; \
	MOVL R8, R13; \
	SHRL $6, R13; \
	ANDL $0x03030303, R13; \
	SHLL $4, R13; \
	ORL  R13, R12; \
	ANDL $0x3f3f3f3f, R9; \
	ANDL $0x3f3f3f3f, R8; \
	VMOVD R8, X6; \
	VPINSRD $1, R12, X6, X6; \
	VPINSRD $2, R9, X6, X6; \
	VPINSRD $3, R11, X6, X6; \
	VPMOVZXBW X6, Y6

// Q4K_PAIR(j, acc, t0, t1): sub-blocks 2j (low nibbles) and 2j+1 (high
// nibbles) of the Q4_K super-block at SI times the Q8_K quants at DI, scaled
// by their 6-bit scales (shuffled out of Y6 into Y9, Y10), added to the
// int32 lanes of acc; Y14 is the nibble mask, t0 and t1 scratch.
#define Q4K_PAIR(j, acc, t0, t1) \
	VPSHUFB ·shufK4+(64*j)(SB), Y6, Y9; \
	VPSHUFB ·shufK4+(64*j+32)(SB), Y6, Y10; \
	VMOVDQU (16+32*j)(SI), t0; \
	VPSRLW $4, t0, t1; \
	VPAND Y14, t0, t0; \
	VPAND Y14, t1, t1; \
	VPMADDUBSW (4+64*j)(DI), t0, t0; \
	VPMADDUBSW (36+64*j)(DI), t1, t1; \
	VPMADDWD Y9, t0, t0; \
	VPMADDWD Y10, t1, t1; \
	VPADDD t1, t0, t0; \
	VPADDD t0, acc, acc
