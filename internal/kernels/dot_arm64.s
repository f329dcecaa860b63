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

// func dotF32NEON(a, b []float32) float32
TEXT ·dotF32NEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	LSR  $5, R2, R3
	AND  $31, R2, R4
	CBZ  R3, f32reduce

f32loop:
	// acc[k] = fma(a[i+k], b[i+k], acc[k]), k < 32: V(j) holds acc[4j:4j+4].
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R1), [V28.S4, V29.S4, V30.S4, V31.S4]
	VFMLA  V24.S4, V16.S4, V0.S4
	VFMLA  V25.S4, V17.S4, V1.S4
	VFMLA  V26.S4, V18.S4, V2.S4
	VFMLA  V27.S4, V19.S4, V3.S4
	VFMLA  V28.S4, V20.S4, V4.S4
	VFMLA  V29.S4, V21.S4, V5.S4
	VFMLA  V30.S4, V22.S4, V6.S4
	VFMLA  V31.S4, V23.S4, V7.S4
	SUBS   $1, R3, R3
	BNE    f32loop

f32reduce:
	// reduce32: x[0:4] = (acc[0:4]+acc[16:20]) + (acc[8:12]+acc[24:28]),
	// x[4:8] likewise from acc[4:8], acc[20:24], acc[12:16], acc[28:32];
	// t = x[0:4]+x[4:8]; sum = (t0+t1) + (t2+t3).
	FADD4S(8, 0, 4)
	FADD4S(9, 2, 6)
	FADD4S(8, 8, 9)
	FADD4S(10, 1, 5)
	FADD4S(11, 3, 7)
	FADD4S(10, 10, 11)
	FADD4S(8, 8, 10)
	FADDP4S(8, 8, 8)
	FADDP2S(0, 8)
	CBZ R4, f32done

f32tail:
	// sum = fma(a[i], b[i], sum)
	FMOVS.P 4(R0), F1
	FMOVS.P 4(R1), F2
	FMADDS  F2, F0, F1, F0
	SUBS    $1, R4, R4
	BNE     f32tail

f32done:
	FMOVS F0, ret+48(FP)
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
