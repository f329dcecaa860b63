// Macros shared by the hand-written AVX2 kernels (dot_amd64.s, dot5_amd64.s,
// dotq4r4_amd64.s and its ZMM twin dotq4r4zmm_amd64.s).
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
// _mm256_cvtepu8_epi16, on the four dwords of one vector: with u = the
// dwords at 4(SI),
//
//	utmp[0] = u0 & 0x3f3f3f3f      utmp[1] = (u2 & 0x0f0f0f0f) | ((u0 >> 6) & 0x03030303) << 4
//	utmp[2] = u1 & 0x3f3f3f3f      utmp[3] = ((u2 >> 4) & 0x0f0f0f0f) | ((u1 >> 6) & 0x03030303) << 4
//
// as (u0, u2, u1, u2) >> (0, 0, 0, 4) & (k1, k2, k1, k2), ORed with
// (·, u0, ·, u1) >> 2 & (0, 0x30303030, 0, 0x30303030) (bits 6-7 of each
// byte moved to 4-5). Nine vector instructions instead of eighteen scalar
// ones and four inserts: the four-row Q4_K decode kernel ran ~18% faster
// with its rows in L1. Reads 16 bytes (the last 4 are the first quants,
// ignored); clobbers X10. Its three constants repeat in four 128-bit
// lanes, so the group kernels' forms that decode two or four rows at once
// (Q4K_H_SCALES2, Q4K_W_SCALES) read the same ones, 32 or 64 bytes.
DATA kscShift<>+0(SB)/4, $0
DATA kscShift<>+4(SB)/4, $0
DATA kscShift<>+8(SB)/4, $0
DATA kscShift<>+12(SB)/4, $4
DATA kscShift<>+16(SB)/4, $0
DATA kscShift<>+20(SB)/4, $0
DATA kscShift<>+24(SB)/4, $0
DATA kscShift<>+28(SB)/4, $4
DATA kscShift<>+32(SB)/4, $0
DATA kscShift<>+36(SB)/4, $0
DATA kscShift<>+40(SB)/4, $0
DATA kscShift<>+44(SB)/4, $4
DATA kscShift<>+48(SB)/4, $0
DATA kscShift<>+52(SB)/4, $0
DATA kscShift<>+56(SB)/4, $0
DATA kscShift<>+60(SB)/4, $4
GLOBL kscShift<>(SB), RODATA|NOPTR, $64
DATA kscLo<>+0(SB)/4, $0x3f3f3f3f
DATA kscLo<>+4(SB)/4, $0x0f0f0f0f
DATA kscLo<>+8(SB)/4, $0x3f3f3f3f
DATA kscLo<>+12(SB)/4, $0x0f0f0f0f
DATA kscLo<>+16(SB)/4, $0x3f3f3f3f
DATA kscLo<>+20(SB)/4, $0x0f0f0f0f
DATA kscLo<>+24(SB)/4, $0x3f3f3f3f
DATA kscLo<>+28(SB)/4, $0x0f0f0f0f
DATA kscLo<>+32(SB)/4, $0x3f3f3f3f
DATA kscLo<>+36(SB)/4, $0x0f0f0f0f
DATA kscLo<>+40(SB)/4, $0x3f3f3f3f
DATA kscLo<>+44(SB)/4, $0x0f0f0f0f
DATA kscLo<>+48(SB)/4, $0x3f3f3f3f
DATA kscLo<>+52(SB)/4, $0x0f0f0f0f
DATA kscLo<>+56(SB)/4, $0x3f3f3f3f
DATA kscLo<>+60(SB)/4, $0x0f0f0f0f
GLOBL kscLo<>(SB), RODATA|NOPTR, $64
DATA kscHi<>+0(SB)/4, $0
DATA kscHi<>+4(SB)/4, $0x30303030
DATA kscHi<>+8(SB)/4, $0
DATA kscHi<>+12(SB)/4, $0x30303030
DATA kscHi<>+16(SB)/4, $0
DATA kscHi<>+20(SB)/4, $0x30303030
DATA kscHi<>+24(SB)/4, $0
DATA kscHi<>+28(SB)/4, $0x30303030
DATA kscHi<>+32(SB)/4, $0
DATA kscHi<>+36(SB)/4, $0x30303030
DATA kscHi<>+40(SB)/4, $0
DATA kscHi<>+44(SB)/4, $0x30303030
DATA kscHi<>+48(SB)/4, $0
DATA kscHi<>+52(SB)/4, $0x30303030
DATA kscHi<>+56(SB)/4, $0
DATA kscHi<>+60(SB)/4, $0x30303030
GLOBL kscHi<>(SB), RODATA|NOPTR, $64
#define KSCALES \
	VMOVDQU 4(SI), X6; \
	KSC_DECODE($0x40, $0x98, X6, X10); \
	VPMOVZXBW X6, Y6

// KSC_DECODE(sel1, sel2, v, t): KSCALES' decoding in every 128-bit lane of
// v (an X or Y register; t scratch of the same width), the dwords u0, u1,
// u2 picked by the VPSHUFD selectors sel1 (for u0, u0, u0, u1) and sel2
// (for u0, u2, u1, u2): the scales and mins bytes left in v.
#define KSC_DECODE(sel1, sel2, v, t) \
	VPSHUFD sel1, v, t; \
	VPSHUFD sel2, v, v; \
	VPSRLVD kscShift<>(SB), v, v; \
	VPAND kscLo<>(SB), v, v; \
	VPSRLD $2, t, t; \
	VPAND kscHi<>(SB), t, t; \
	VPOR t, v, v

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

// QUAD_PREFETCH is how far ahead of the super-block being read the group
// kernels of interleaved rows (dotQ4KPackedQuadZMM, dotQ6KQuadZMM)
// prefetch, in bytes. Their four rows are one stream; on a Zen 5, Q8_0
// decode at 1 thread (whole 34-byte blocks interleaved, as these kernels
// read their super-blocks) measured 4096 and 8192 best of 512..32768 (512
// slower than none). The Q8_0 group kernels read runs of aligned cache
// lines now (see q8_0Run) and prefetch nothing: that was faster there.
#define QUAD_PREFETCH 4096

// Q4K_R4_SETUP(mask): the four-row Q4_K kernels' start: X8 (acc, one lane
// per row) and X13 (accm) zeroed, mask (Y14 or Z14) the nibble mask.
#define Q4K_R4_SETUP(mask) \
	VXORPS X8, X8, X8; \
	VXORPS X13, X13, X13; \
	MOVL $0x0f0f0f0f, R8; \
	VMOVD R8, X14; \
	VPBROADCASTD X14, mask

// Q4K_R4_STORE(out): the four-row Q4_K kernels' end: out[r] = acc[r] -
// accm[r] (X8, X13) stored at out (the argument's frame slot).
#define Q4K_R4_STORE(out) \
	VSUBPS X13, X8, X8; \
	MOVQ out, R8; \
	VMOVUPS X8, (R8); \
	VZEROUPPER

// Q4K_R4_PREFETCH: the four-row Q4_K kernels' prefetch of the next
// four-row group (AX) at the rate this one is read (4·144 bytes per
// super-block: the four rows are read side by side, so the one-row
// kernels' prefetch ahead of each row would only land in the rows being
// read), then the activation's pairwise bsums (int16, shared by the rows)
// into X15.
#define Q4K_R4_PREFETCH \
	PREFETCHT0 0(AX); \
	PREFETCHT0 64(AX); \
	PREFETCHT0 128(AX); \
	PREFETCHT0 192(AX); \
	PREFETCHT0 256(AX); \
	PREFETCHT0 320(AX); \
	PREFETCHT0 384(AX); \
	PREFETCHT0 448(AX); \
	PREFETCHT0 512(AX); \
	ADDQ $576, AX; \
	Q8K_BSUMS

// Q8K_BSUMS: the activation's pairwise bsums (int16, shared by the rows,
// DI) into X15; clobbers X9.
#define Q8K_BSUMS \
	VMOVDQU 260(DI), Y15; \
	VEXTRACTI128 $1, Y15, X9; \
	VPHADDW X9, X15, X15

// Q4K_R4_FLOAT: the four-row Q4_K kernels' float work for one super-block,
// one lane per row, with the rows' mins sums in X4 (rows 0, 1) and X5, X7
// (rows 2, 3) and their quants' int32 lanes in Y0..Y3: X9 = (Σ0, Σ1, Σ2,
// Σ3); the (d, dmin) fp16 pairs of rows 0..3 (BX, DX apart, R14 = 3·DX)
// converted and split into X12 = d and X10 = dmin, times y.d (DI); then
// acc X8 = fma(sumi, d, acc) and accm X13 = fma(prod, dmin, accm).
#define Q4K_R4_FLOAT \
	VPHADDD X7, X5, X5; \
	VPHADDD X5, X4, X4; \
	VCVTDQ2PS X4, X4; \
	VPHADDD Y1, Y0, Y9; \
	VPHADDD Y3, Y2, Y10; \
	VPHADDD Y10, Y9, Y9; \
	VEXTRACTI128 $1, Y9, X10; \
	VPADDD X10, X9, X9; \
	VCVTDQ2PS X9, X9; \
	VMOVD (BX), X10; \
	VPINSRD $1, (BX)(DX*1), X10, X10; \
	VPINSRD $2, (BX)(DX*2), X10, X10; \
	VPINSRD $3, (BX)(R14*1), X10, X10; \
	VCVTPH2PS X10, Y10; \
	VEXTRACTF128 $1, Y10, X11; \
	VSHUFPS $0x88, X11, X10, X12; \
	VSHUFPS $0xdd, X11, X10, X10; \
	VBROADCASTSS (DI), X11; \
	VMULPS X11, X12, X12; \
	VMULPS X11, X10, X10; \
	VFMADD231PS X12, X9, X8; \
	VFMADD231PS X10, X4, X13

// Q4K_R4_TEXT(mask, block) and Q4K_QUAD_TEXT(mask, block) are the bodies of
// the four-row and group Q4_K kernels (AVX2 in dotq4r4_amd64.s with Y14
// and Q4K_R4_BLOCK, ZMM in dotq4r4zmm_amd64.s with Z14 and Q4K_Z_BLOCK);
// their labels are the function's own.
//
// Q4K_R4_TEXT: four rows stride (DX) bytes apart (R14 = 3·DX); AX
// prefetches the next four-row group.
#define Q4K_R4_TEXT(mask, block) \
	MOVQ w_base+0(FP), BX; \
	MOVQ stride+24(FP), DX; \
	MOVQ x_base+32(FP), DI; \
	MOVQ nb+56(FP), CX; \
	LEAQ (DX)(DX*2), R14; \
	LEAQ (BX)(DX*4), AX; \
	Q4K_R4_SETUP(mask); \
	TESTQ CX, CX; \
	JEQ  done; \
loop: \
	block; \
	ADDQ $144, BX; \
	ADDQ $292, DI; \
	DECQ CX; \
	JNZ  loop; \
done: \
	Q4K_R4_STORE(out_base+64(FP)); \
	RET

// Q4K_HEAD is q4KHead (groupform.go): the bytes of a Q4_K super-block's
// head in q4KForm.
#define Q4K_HEAD 16

// Q4K_QUAD_TEXT: groups groups of four rows interleaved in q4KForm, one
// after the other: a super-block of the four rows is their 16-byte heads
// (fp16 d and dmin, 12 bytes of scales) at BX, BX+16, BX+32, BX+48, then
// their 128 bytes of quants at BX+64+128r; the next super-block 4·144 on,
// one stream. DX = 16 (R14 = 48) is the heads' stride for Q4K_R4_FLOAT;
// the block macro finds the rest from BX. AX prefetches QUAD_PREFETCH
// bytes ahead, running on from group to group.
#define Q4K_QUAD_TEXT(mask, block) \
	MOVQ w_base+0(FP), BX; \
	MOVQ x_base+24(FP), R12; \
	MOVQ nb+48(FP), R13; \
	MOVQ groups+56(FP), R9; \
	MOVQ out_base+64(FP), R10; \
	MOVQ $Q4K_HEAD, DX; \
	LEAQ (DX)(DX*2), R14; \
	LEAQ QUAD_PREFETCH(BX), AX; \
group: \
	MOVQ R12, DI; \
	MOVQ R13, CX; \
	Q4K_R4_SETUP(mask); \
loop: \
	block; \
	ADDQ $576, BX; \
	ADDQ $292, DI; \
	DECQ CX; \
	JNZ  loop; \
	Q4K_R4_STORE(R10); \
	ADDQ $16, R10; \
	DECQ R9; \
	JNZ  group; \
	RET
