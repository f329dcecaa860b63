//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// VEXP4 is vexpf (ggml_v_expf) on the four lanes of V0, result in V0, with
// the constants of EXP_CONSTS in V16-V29 and V1-V9 scratch. Every step is
// the generic code's: FMLA/FMLS where it calls fmaf, FMUL where it rounds
// a product, the |n| > 126 and > 192 cases computed for all lanes and
// selected by masks (FCMGT is false for NaN, as _CMP_GT_OQ).
#define VEXP4 \
	VORR V16.B16, V16.B16, V1.B16 \
	FMLA4S(1, 0, 17)              \
	FSUB4S(2, 1, 16)              \
	VORR V0.B16, V0.B16, V3.B16   \
	FMLS4S(3, 2, 18)              \
	FMLS4S(3, 2, 19)              \
	SHL4S(4, 1, 23)               \
	ADD4S(5, 4, 27)               \
	FMUL4S(6, 3, 3)               \
	VORR V21.B16, V21.B16, V7.B16 \
	FMLA4S(7, 20, 3)              \
	VORR V23.B16, V23.B16, V8.B16 \
	FMLA4S(8, 22, 3)              \
	FMLA4S(8, 7, 6)               \
	FMUL4S(9, 24, 3)              \
	FMLA4S(9, 8, 6)               \
	VORR V5.B16, V5.B16, V7.B16   \
	FMLA4S(7, 9, 5)               \
	FABS4S(1, 2)                  \
	FCMGT4S(3, 1, 25)             \
	FCMGT4S(6, 1, 26)             \
	FCMLE0_4S(1, 2)               \
	AND16(1, 1, 28)               \
	ADD4S(8, 1, 29)               \
	SUB4S(4, 4, 1)                \
	VORR V4.B16, V4.B16, V2.B16   \
	FMLA4S(2, 4, 9)               \
	FMUL4S(2, 2, 8)               \
	FMUL4S(8, 8, 8)               \
	BSL16(6, 8, 2)                \
	BSL16(3, 6, 7)                \
	VORR V3.B16, V3.B16, V0.B16

// EXP_CONSTS loads VEXP4's constants (float32 bits, from vexpf).
#define EXP_CONSTS \
	MOVW $0x4b400000, R5 \
	VDUP R5, V16.S4      \
	MOVW $0x3fb8aa3b, R5 \
	VDUP R5, V17.S4      \
	MOVW $0x3f317200, R5 \
	VDUP R5, V18.S4      \
	MOVW $0x35bfbe8e, R5 \
	VDUP R5, V19.S4      \
	MOVW $0x3c072010, R5 \
	VDUP R5, V20.S4      \
	MOVW $0x3d2b9f17, R5 \
	VDUP R5, V21.S4      \
	MOVW $0x3e2aaf33, R5 \
	VDUP R5, V22.S4      \
	MOVW $0x3efffedb, R5 \
	VDUP R5, V23.S4      \
	MOVW $0x3f7ffff6, R5 \
	VDUP R5, V24.S4      \
	MOVW $0x42fc0000, R5 \
	VDUP R5, V25.S4      \
	MOVW $0x43400000, R5 \
	VDUP R5, V26.S4      \
	MOVW $0x3f800000, R5 \
	VDUP R5, V27.S4      \
	MOVW $0x82000000, R5 \
	VDUP R5, V28.S4      \
	MOVW $0x7f000000, R5 \
	VDUP R5, V29.S4

// func expGroupsNEON(x []float32, m float32) (int, float64)
TEXT ·expGroupsNEON(SB), NOSPLIT, $0-48
	MOVD  x_base+0(FP), R0
	MOVD  x_len+8(FP), R2
	FMOVS m+24(FP), F30
	VDUP  V30.S[0], V30.S4
	EXP_CONSTS
	LSR   $3, R2, R3
	LSL   $3, R3, R7
	MOVD  R7, ret+32(FP)
	FMOVD ZR, F31
	CBZ   R3, expdone

exploop:
	// g[k] = vexpf(g[k]-m); sum += float64(reduce8(g))
	VLD1 (R0), [V10.S4, V11.S4]
	FSUB4S(0, 10, 30)
	VEXP4
	VORR V0.B16, V0.B16, V10.B16
	FSUB4S(0, 11, 30)
	VEXP4
	VORR V0.B16, V0.B16, V11.B16
	VST1.P [V10.S4, V11.S4], 32(R0)
	FADD4S(10, 10, 11)
	EXT8(11, 10, 10)
	FADD4S(11, 10, 11)
	FADDP2S(12, 11)
	FCVTSD F12, F12
	FADDD  F12, F31, F31
	SUBS   $1, R3, R3
	BNE    exploop

expdone:
	FMOVD F31, ret1+40(FP)
	RET

// func siluGroupsNEON(gate, up []float32) int
TEXT ·siluGroupsNEON(SB), NOSPLIT, $0-56
	MOVD gate_base+0(FP), R0
	MOVD gate_len+8(FP), R2
	MOVD up_base+24(FP), R1
	EXP_CONSTS
	VEOR V30.B16, V30.B16, V30.B16
	LSR  $3, R2, R3
	LSL  $3, R3, R7
	MOVD R7, ret+48(FP)
	CBZ  R3, siludone

siluloop:
	// gate = g/(1+vexpf(0-g)) * up, four lanes at a time
	VLD1   (R0), [V10.S4, V11.S4]
	VLD1.P 32(R1), [V12.S4, V13.S4]
	FSUB4S(0, 30, 10)
	VEXP4
	FADD4S(0, 27, 0)
	FDIV4S(10, 10, 0)
	FMUL4S(10, 10, 12)
	FSUB4S(0, 30, 11)
	VEXP4
	FADD4S(0, 27, 0)
	FDIV4S(11, 11, 0)
	FMUL4S(11, 11, 13)
	VST1.P [V10.S4, V11.S4], 32(R0)
	SUBS   $1, R3, R3
	BNE    siluloop

siludone:
	RET
