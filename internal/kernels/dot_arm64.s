//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// The NEON kernels of dot_arm64.go. Each reproduces its generic Go
// reference's float32 arithmetic exactly: the same lanes, FMLA where the
// generic code calls fmaf, separate FMUL/FADD where it rounds, and the same
// reduction order (see the stubs' doc comments).

// Q8_0_SCALE loads the fp16 scales of the weight block at R0 and the
// activation block at R1 (post-incrementing both by 2), and sets every lane
// of V18 to half(w.d)*half(x.d) (one float32 product, as the generic code).
#define Q8_0_SCALE \
	MOVHU.P 2(R0), R3 \
	MOVHU.P 2(R1), R4 \
	FMOVS   R3, F16   \
	FMOVS   R4, F17   \
	FCVTHS  F16, F16  \
	FCVTHS  F17, F17  \
	FMULS   F17, F16, F18 \
	VDUP    V18.S[0], V18.S4

// Q8_0_ACC converts the eight int32 lane sums in V6 (lanes 0-3) and V7
// (lanes 4-7) to float32 and fuses them into the accumulators V0, V1:
// acc[k] = fma(d, lane[k], acc[k]).
#define Q8_0_ACC \
	SCVTF4S(6, 6)              \
	SCVTF4S(7, 7)              \
	VFMLA V18.S4, V6.S4, V0.S4 \
	VFMLA V18.S4, V7.S4, V1.S4

// REDUCE8 leaves reduce8 of the eight lanes V0 (0-3), V1 (4-7) in F0:
// t = (s0+s4, s1+s5, s2+s6, s3+s7), then (t0+t2) + (t1+t3).
#define REDUCE8 \
	FADD4S(0, 0, 1)                  \
	VEXT  $8, V0.B16, V0.B16, V2.B16 \
	FADD4S(2, 0, 2)                  \
	FADDP2S(0, 2)

// REDUCE32 leaves reduce32 of the 32 lanes V0-V7 (V(j) = acc[4j:4j+4])
// in F0: x[0:4] = (acc[0:4]+acc[16:20]) + (acc[8:12]+acc[24:28]), x[4:8]
// likewise from acc[4:8], acc[20:24], acc[12:16], acc[28:32]; t =
// x[0:4]+x[4:8]; sum = (t0+t1) + (t2+t3).
#define REDUCE32 \
	FADD4S(8, 0, 4)    \
	FADD4S(9, 2, 6)    \
	FADD4S(8, 8, 9)    \
	FADD4S(10, 1, 5)   \
	FADD4S(11, 3, 7)   \
	FADD4S(10, 10, 11) \
	FADD4S(8, 8, 10)   \
	FADDP4S(8, 8, 8)   \
	FADDP2S(0, 8)

// F16W32 loads 32 fp16 weights from R0 (post-increment) and converts them
// to float32 in V24-V31, in element order.
#define F16W32 \
	VLD1.P 64(R0), [V16.H8, V17.H8, V18.H8, V19.H8] \
	FCVTL4S(24, 16)                                   \
	FCVTL2_4S(25, 16)                                 \
	FCVTL4S(26, 17)                                   \
	FCVTL2_4S(27, 17)                                 \
	FCVTL4S(28, 18)                                   \
	FCVTL2_4S(29, 18)                                 \
	FCVTL4S(30, 19)                                   \
	FCVTL2_4S(31, 19)

// FMA32 is acc[k] = fma(w[k], x[k], acc[k]) for the 32 weights in V24-V31
// and activations in V8-V15.
#define FMA32 \
	VFMLA V8.S4, V24.S4, V0.S4  \
	VFMLA V9.S4, V25.S4, V1.S4  \
	VFMLA V10.S4, V26.S4, V2.S4 \
	VFMLA V11.S4, V27.S4, V3.S4 \
	VFMLA V12.S4, V28.S4, V4.S4 \
	VFMLA V13.S4, V29.S4, V5.S4 \
	VFMLA V14.S4, V30.S4, V6.S4 \
	VFMLA V15.S4, V31.S4, V7.S4

// Q4_0_QUANTS loads the 16 packed bytes of a Q4_0 block (R0) and its 32
// activations (R1) and leaves the weight quants (nibble - 8, elements 0-15
// from the low nibbles, 16-31 from the high ones) in V2, V3 and the
// activations in V4, V5. V15 holds 0x0f bytes, V14 0x08.
#define Q4_0_QUANTS \
	VLD1.P 16(R0), [V2.B16]          \
	VLD1.P 32(R1), [V4.B16, V5.B16]  \
	VUSHR  $4, V2.B16, V3.B16        \
	VAND   V15.B16, V2.B16, V2.B16   \
	VSUB   V14.B16, V2.B16, V2.B16   \
	VSUB   V14.B16, V3.B16, V3.B16

// Q5_0_QUANTS is Q4_0_QUANTS for a Q5_0 block (qh, then qs at R0): element
// j gets bit j of qh as its bit 4, then 16 is subtracted (Q5_0_DECODE,
// with V8-V10 scratch). V21 and V20 hold the qh byte index of each element
// (j/8), V19 the bit (1<<(j%8)), V22 0x10 bytes.
#define Q5_0_QUANTS \
	Q5_0_DECODE(R0, V8, V9, V10, V21, V20, V19, V15, V22) \
	VLD1.P 32(R1), [V4.B16, V5.B16]

// LEGACY_CONSTS sets V14, V15 and V19-V22 for the two macros above
// (LANES_NEON uses V24-V27 as scratch, Q8_0_SCALE V16-V18).
#define LEGACY_CONSTS \
	VMOVI $15, V15.B16                 \
	VMOVI $8, V14.B16                  \
	VMOVI $16, V22.B16                 \
	Q5_0_BITS(V21, V20, V19)

// LEGACY_DOT is the loop of a Q4_0/Q5_0 · Q8_0 dot product over R2 blocks,
// QUANTS decoding the weights, LANES forming the int32 lane sums, the
// float32 arithmetic that of dotQ8_0SDOT.
#define LEGACY_DOT(QUANTS, LANES, loop, done) \
	MOVD w_base+0(FP), R0        \
	MOVD x_base+24(FP), R1       \
	MOVD nb+48(FP), R2           \
	LEGACY_CONSTS                \
	ZERO16(0)                    \
	ZERO16(1)                    \
	CBZ  R2, done                \
loop:                            \
	Q8_0_SCALE                   \
	QUANTS                       \
	LANES(6, 7, 2, 3, 4, 5)      \
	Q8_0_ACC                     \
	SUBS $1, R2, R2              \
	BNE  loop                    \
done:                            \
	REDUCE8                      \
	FMOVS F0, ret+56(FP)         \
	RET

// Q8_1_SCALE is Q8_0_SCALE for Q4_1/Q5_1 · Q8_1 blocks: V18 = d_w*d_x in
// every lane, then summs = fma(m_w, s_x, summs) in F23 (the generic code's
// scalar fused multiply-add), R0 and R1 moved past the four bytes.
#define Q8_1_SCALE \
	Q8_0_SCALE            \
	MOVHU.P 2(R0), R3     \
	MOVHU.P 2(R1), R4     \
	FMOVS   R3, F16       \
	FMOVS   R4, F17       \
	FCVTHS  F16, F16      \
	FCVTHS  F17, F17      \
	FMADDS  F17, F23, F16, F23

// Q4_1_QUANTS is Q4_0_QUANTS without the offset: quants 0..15.
#define Q4_1_QUANTS \
	VLD1.P 16(R0), [V2.B16]          \
	VLD1.P 32(R1), [V4.B16, V5.B16]  \
	VUSHR  $4, V2.B16, V3.B16        \
	VAND   V15.B16, V2.B16, V2.B16

// Q5_1_QUANTS is Q5_0_QUANTS without the offset: quants 0..31.
#define Q5_1_QUANTS \
	Q5_DECODE(R0, V8, V9, V10, V21, V20, V19, V15, V22) \
	VLD1.P 32(R1), [V4.B16, V5.B16]

// LEGACY1_DOT is LEGACY_DOT for the Q8_1-activation formats: the lanes as
// there, and reduce8(acc) + summs.
#define LEGACY1_DOT(QUANTS, LANES, loop, done) \
	MOVD w_base+0(FP), R0        \
	MOVD x_base+24(FP), R1       \
	MOVD nb+48(FP), R2           \
	LEGACY_CONSTS                \
	ZERO16(0)                    \
	ZERO16(1)                    \
	ZERO16(23)                   \
	CBZ  R2, done                \
loop:                            \
	Q8_1_SCALE                   \
	QUANTS                       \
	LANES(6, 7, 2, 3, 4, 5)      \
	Q8_0_ACC                     \
	SUBS $1, R2, R2              \
	BNE  loop                    \
done:                            \
	REDUCE8                      \
	FADDS F23, F0, F0            \
	FMOVS F0, ret+56(FP)         \
	RET

// LEGACY_PACKED_DOT is dotQ4_0Q8_0Packed's loop: per block the exact
// int32 sum of the 32 products (the lanes, then across them), converted and
// fused into one float32 accumulator (F23): acc = fma(float32(s),
// half(w.d)*half(x.d), acc).
#define LEGACY_PACKED_DOT(QUANTS, LANES, loop, done) \
	MOVD w_base+0(FP), R0        \
	MOVD x_base+24(FP), R1       \
	MOVD nb+48(FP), R2           \
	LEGACY_CONSTS                \
	ZERO16(23)                   \
	CBZ  R2, done                \
loop:                            \
	Q8_0_SCALE                   \
	QUANTS                       \
	LANES(6, 7, 2, 3, 4, 5)      \
	ADD4S(6, 6, 7)               \
	ADDV4S(6, 6)                 \
	SCVTFS(6, 6)                 \
	FMADDS F18, F23, F6, F23     \
	SUBS $1, R2, R2              \
	BNE  loop                    \
done:                            \
	FMOVS F23, ret+56(FP)        \
	RET

// func dotQ8_0SDOT(w, x []byte, nb int) float32
TEXT ·dotQ8_0SDOT(SB), NOSPLIT, $0-60
	MOVD w_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD nb+48(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	CBZ  R2, q80sdone

q80sloop:
	Q8_0_SCALE
	VLD1.P 32(R0), [V2.B16, V3.B16]
	VLD1.P 32(R1), [V4.B16, V5.B16]
	VEOR   V6.B16, V6.B16, V6.B16
	VEOR   V7.B16, V7.B16, V7.B16
	SDOT4S(6, 2, 4)
	SDOT4S(7, 3, 5)
	Q8_0_ACC
	SUBS   $1, R2, R2
	BNE    q80sloop

q80sdone:
	REDUCE8
	FMOVS F0, ret+56(FP)
	RET

// func dotQ8_0NEON(w, x []byte, nb int) float32
TEXT ·dotQ8_0NEON(SB), NOSPLIT, $0-60
	MOVD w_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD nb+48(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	CBZ  R2, q80ndone

q80nloop:
	Q8_0_SCALE
	VLD1.P 32(R0), [V2.B16, V3.B16]
	VLD1.P 32(R1), [V4.B16, V5.B16]
	// 16-bit products (|p| <= 128*128 fits), pairs widened to int32,
	// then pairs of pairs: the lane sums of four products.
	SMULL8H(8, 2, 4)
	SMULL2_8H(9, 2, 4)
	SMULL8H(10, 3, 5)
	SMULL2_8H(11, 3, 5)
	SADDLP4S(8, 8)
	SADDLP4S(9, 9)
	SADDLP4S(10, 10)
	SADDLP4S(11, 11)
	ADDP4S(6, 8, 9)
	ADDP4S(7, 10, 11)
	Q8_0_ACC
	SUBS $1, R2, R2
	BNE  q80nloop

q80ndone:
	REDUCE8
	FMOVS F0, ret+56(FP)
	RET

// F32DOT leaves dotF32Generic of the R2 float32 values at R0 (a) and R1
// (b) in F0: acc[i%32] = fma(a[i], b[i], acc[i%32]) over the whole groups
// of 32 (V(j) holds acc[4j:4j+4]), reduce32(acc), then sum = fma(a[i],
// b[i], sum) for the rest. R0-R4, V0-V11 and V16-V31 are clobbered.
#define F32DOT(loop, reduce, tail, done) \
	ZERO8                                              \
	LSR  $5, R2, R3                                    \
	AND  $31, R2, R4                                   \
	CBZ  R3, reduce                                    \
loop:                                                  \
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]    \
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]    \
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]    \
	VLD1.P 64(R1), [V28.S4, V29.S4, V30.S4, V31.S4]    \
	VFMLA  V24.S4, V16.S4, V0.S4                       \
	VFMLA  V25.S4, V17.S4, V1.S4                       \
	VFMLA  V26.S4, V18.S4, V2.S4                       \
	VFMLA  V27.S4, V19.S4, V3.S4                       \
	VFMLA  V28.S4, V20.S4, V4.S4                       \
	VFMLA  V29.S4, V21.S4, V5.S4                       \
	VFMLA  V30.S4, V22.S4, V6.S4                       \
	VFMLA  V31.S4, V23.S4, V7.S4                       \
	SUBS   $1, R3, R3                                  \
	BNE    loop                                        \
reduce:                                                \
	REDUCE32                                           \
	CBZ R4, done                                       \
tail:                                                  \
	FMOVS.P 4(R0), F1                                  \
	FMOVS.P 4(R1), F2                                  \
	FMADDS  F2, F0, F1, F0                             \
	SUBS    $1, R4, R4                                 \
	BNE     tail                                       \
done:

// func dotF32NEON(a, b []float32) float32
TEXT ·dotF32NEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	F32DOT(f32loop, f32reduce, f32tail, f32done)
	FMOVS F0, ret+48(FP)
	RET

// func dotF32RowsNEON(n int, w []float32, stride int, x []float32, scale float32, out []float32)
TEXT ·dotF32RowsNEON(SB), NOSPLIT, $0-96
	MOVD  n+0(FP), R5
	MOVD  w_base+8(FP), R6
	MOVD  stride+32(FP), R7
	LSL   $2, R7, R7
	MOVD  x_base+40(FP), R8
	MOVWU scale+64(FP), R11
	MOVD  out_base+72(FP), R9
	MOVD  out_len+80(FP), R10
	CBZ   R10, f32rdone

f32rrow:
	// out[r] = dotF32(x[:n], row r) * scale
	MOVD  R8, R0
	MOVD  R6, R1
	MOVD  R5, R2
	F32DOT(f32rloop, f32rreduce, f32rtail, f32rdot)
	FMOVS R11, F1
	FMULS F1, F0, F0
	FMOVS.P F0, 4(R9)
	ADD   R7, R6, R6
	SUBS  $1, R10, R10
	BNE   f32rrow

f32rdone:
	RET

// func axpyNEON(alpha float32, x, y []float32)
TEXT ·axpyNEON(SB), NOSPLIT, $0-56
	FMOVS alpha+0(FP), F0
	VDUP  V0.S[0], V0.S4
	MOVD  x_base+8(FP), R0
	MOVD  x_len+16(FP), R2
	MOVD  y_base+32(FP), R1
	LSR   $4, R2, R3
	AND   $15, R2, R4
	CBZ   R3, axpytail0

axpyloop:
	// y[i+k] = fma(alpha, x[i+k], y[i+k]), k < 16
	VLD1.P 64(R0), [V1.S4, V2.S4, V3.S4, V4.S4]
	VLD1   (R1), [V5.S4, V6.S4, V7.S4, V8.S4]
	VFMLA  V0.S4, V1.S4, V5.S4
	VFMLA  V0.S4, V2.S4, V6.S4
	VFMLA  V0.S4, V3.S4, V7.S4
	VFMLA  V0.S4, V4.S4, V8.S4
	VST1.P [V5.S4, V6.S4, V7.S4, V8.S4], 64(R1)
	SUBS   $1, R3, R3
	BNE    axpyloop

axpytail0:
	CBZ R4, axpydone

axpytail:
	FMOVS.P 4(R0), F1
	FMOVS   (R1), F2
	FMADDS  F1, F2, F0, F2
	FMOVS.P F2, 4(R1)
	SUBS    $1, R4, R4
	BNE     axpytail

axpydone:
	RET

// func dotF16NEON(w, x []uint16) float32
TEXT ·dotF16NEON(SB), NOSPLIT, $0-52
	MOVD w_base+0(FP), R0
	MOVD w_len+8(FP), R2
	MOVD x_base+24(FP), R1
	ZERO8
	LSR  $5, R2, R3
	CBZ  R3, f16done

f16loop:
	F16W32
	VLD1.P 64(R1), [V20.H8, V21.H8, V22.H8, V23.H8]
	FCVTL4S(8, 20)
	FCVTL2_4S(9, 20)
	FCVTL4S(10, 21)
	FCVTL2_4S(11, 21)
	FCVTL4S(12, 22)
	FCVTL2_4S(13, 22)
	FCVTL4S(14, 23)
	FCVTL2_4S(15, 23)
	FMA32
	SUBS $1, R3, R3
	BNE  f16loop

f16done:
	REDUCE32
	FMOVS F0, ret+48(FP)
	RET

// func dotF16X32NEON(w []uint16, x []float32) float32
TEXT ·dotF16X32NEON(SB), NOSPLIT, $0-52
	MOVD w_base+0(FP), R0
	MOVD w_len+8(FP), R2
	MOVD x_base+24(FP), R1
	ZERO8
	LSR  $5, R2, R3
	CBZ  R3, f16xdone

f16xloop:
	F16W32
	VLD1.P 64(R1), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R1), [V12.S4, V13.S4, V14.S4, V15.S4]
	FMA32
	SUBS $1, R3, R3
	BNE  f16xloop

f16xdone:
	REDUCE32
	FMOVS F0, ret+48(FP)
	RET

// func dotQ4_0SDOT(w, x []byte, nb int) float32
TEXT ·dotQ4_0SDOT(SB), NOSPLIT, $0-60
	LEGACY_DOT(Q4_0_QUANTS, LANES_SDOT, q40sloop, q40sdone)

// func dotQ4_0NEON(w, x []byte, nb int) float32
TEXT ·dotQ4_0NEON(SB), NOSPLIT, $0-60
	LEGACY_DOT(Q4_0_QUANTS, LANES_NEON, q40nloop, q40ndone)

// func dotQ5_0SDOT(w, x []byte, nb int) float32
TEXT ·dotQ5_0SDOT(SB), NOSPLIT, $0-60
	LEGACY_DOT(Q5_0_QUANTS, LANES_SDOT, q50sloop, q50sdone)

// func dotQ5_0NEON(w, x []byte, nb int) float32
TEXT ·dotQ5_0NEON(SB), NOSPLIT, $0-60
	LEGACY_DOT(Q5_0_QUANTS, LANES_NEON, q50nloop, q50ndone)

// BF16_32 loads 32 bf16 values from Rp (post-increment) into V16-V19 and
// widens them to float32 in Vd..Vd+7 (element order).
#define BF16_32(Rp, d0, d1, d2, d3, d4, d5, d6, d7) \
	VLD1.P 64(Rp), [V16.H8, V17.H8, V18.H8, V19.H8] \
	SHLL4S(d0, 16)                                    \
	SHLL2_4S(d1, 16)                                  \
	SHLL4S(d2, 17)                                    \
	SHLL2_4S(d3, 17)                                  \
	SHLL4S(d4, 18)                                    \
	SHLL2_4S(d5, 18)                                  \
	SHLL4S(d6, 19)                                    \
	SHLL2_4S(d7, 19)

// func dotBF16NEON(w, x []uint16) float32
TEXT ·dotBF16NEON(SB), NOSPLIT, $0-52
	MOVD w_base+0(FP), R0
	MOVD w_len+8(FP), R2
	MOVD x_base+24(FP), R1
	ZERO8
	LSR  $5, R2, R3
	CBZ  R3, bf16done

bf16loop:
	BF16_32(R0, 24, 25, 26, 27, 28, 29, 30, 31)
	BF16_32(R1, 8, 9, 10, 11, 12, 13, 14, 15)
	FMA32
	SUBS $1, R3, R3
	BNE  bf16loop

bf16done:
	// c[l] = (acc[l]+acc[16+l]) + (acc[8+l]+acc[24+l]) as in reduce32,
	// then reduce8(c): t = c[0:4]+c[4:8], (t0+t2) + (t1+t3).
	FADD4S(8, 0, 4)
	FADD4S(9, 2, 6)
	FADD4S(8, 8, 9)
	FADD4S(10, 1, 5)
	FADD4S(11, 3, 7)
	FADD4S(10, 10, 11)
	FADD4S(8, 8, 10)
	EXT8(2, 8, 8)
	FADD4S(2, 8, 2)
	FADDP2S(0, 2)
	FMOVS F0, ret+48(FP)
	RET

// func dotQ4_1SDOT(w, x []byte, nb int) float32
TEXT ·dotQ4_1SDOT(SB), NOSPLIT, $0-60
	LEGACY1_DOT(Q4_1_QUANTS, LANES_SDOT, q41sloop, q41sdone)

// func dotQ4_1NEON(w, x []byte, nb int) float32
TEXT ·dotQ4_1NEON(SB), NOSPLIT, $0-60
	LEGACY1_DOT(Q4_1_QUANTS, LANES_NEON, q41nloop, q41ndone)

// func dotQ5_1SDOT(w, x []byte, nb int) float32
TEXT ·dotQ5_1SDOT(SB), NOSPLIT, $0-60
	LEGACY1_DOT(Q5_1_QUANTS, LANES_SDOT, q51sloop, q51sdone)

// func dotQ5_1NEON(w, x []byte, nb int) float32
TEXT ·dotQ5_1NEON(SB), NOSPLIT, $0-60
	LEGACY1_DOT(Q5_1_QUANTS, LANES_NEON, q51nloop, q51ndone)

// func dotQ4_0PackedSDOT(w, x []byte, nb int) float32
TEXT ·dotQ4_0PackedSDOT(SB), NOSPLIT, $0-60
	LEGACY_PACKED_DOT(Q4_0_QUANTS, LANES_SDOT, q40psloop, q40psdone)

// func dotQ4_0PackedNEON(w, x []byte, nb int) float32
TEXT ·dotQ4_0PackedNEON(SB), NOSPLIT, $0-60
	LEGACY_PACKED_DOT(Q4_0_QUANTS, LANES_NEON, q40pnloop, q40pndone)
