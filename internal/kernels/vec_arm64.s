//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// ROT rotates four pairs: x0 (V0), x1 (V1) by c (V2), s (V3) into V4, V5 as
// RoPE does: fma(x0, c, -(x1*s)) and fma(x0, s, x1*c), the products
// rounded before the fused multiply-add.
#define ROT \
	FMUL4S(4, 1, 3) \
	FNEG4S(4, 4)    \
	FMLA4S(4, 0, 2) \
	FMUL4S(5, 1, 2) \
	FMLA4S(5, 0, 3)

// func ropePairsNEON(x, cs []float32, neox bool) int
TEXT ·ropePairsNEON(SB), NOSPLIT, $0-64
	MOVD  x_base+0(FP), R0
	MOVD  cs_base+24(FP), R1
	MOVD  cs_len+32(FP), R2
	MOVBU neox+48(FP), R6
	LSR   $3, R2, R3 // groups of four pairs
	LSL   $2, R3, R7
	MOVD  R7, ret+56(FP)
	CBZ   R3, ropedone
	CBNZ  R6, ropeneox

ropenormal:
	// pairs (x[2k], x[2k+1]): LD2 splits even and odd elements
	VLD2   (R0), [V0.S4, V1.S4]
	VLD2.P 32(R1), [V2.S4, V3.S4]
	ROT
	VST2.P [V4.S4, V5.S4], 32(R0)
	SUBS   $1, R3, R3
	BNE    ropenormal
	RET

ropeneox:
	// pairs (x[k], x[k+nDims/2])
	LSR $1, R2, R8
	ADD R8<<2, R0, R9

ropeneoxloop:
	VLD1   (R0), [V0.S4]
	VLD1   (R9), [V1.S4]
	VLD2.P 32(R1), [V2.S4, V3.S4]
	ROT
	VST1.P [V4.S4], 16(R0)
	VST1.P [V5.S4], 16(R9)
	SUBS   $1, R3, R3
	BNE    ropeneoxloop

ropedone:
	RET

// func scaleGroupsNEON(x []float32, s float32) int
TEXT ·scaleGroupsNEON(SB), NOSPLIT, $0-40
	MOVD  x_base+0(FP), R0
	MOVD  x_len+8(FP), R2
	FMOVS s+24(FP), F1
	VDUP  V1.S[0], V1.S4
	LSR   $3, R2, R3
	LSL   $3, R3, R7
	MOVD  R7, ret+32(FP)
	CBZ   R3, scaledone

scaleloop:
	VLD1   (R0), [V2.S4, V3.S4]
	FMUL4S(2, 2, 1)
	FMUL4S(3, 3, 1)
	VST1.P [V2.S4, V3.S4], 32(R0)
	SUBS   $1, R3, R3
	BNE    scaleloop

scaledone:
	RET

// func maxGroupsNEON(x []float32) (int, float32)
TEXT ·maxGroupsNEON(SB), NOSPLIT, $0-36
	MOVD  x_base+0(FP), R0
	MOVD  x_len+8(FP), R2
	MOVW  $0xff800000, R5 // -Inf
	VDUP  R5, V0.S4
	VDUP  R5, V1.S4
	LSR   $3, R2, R3
	LSL   $3, R3, R7
	MOVD  R7, ret+24(FP)
	CBZ   R3, maxdone

maxloop:
	VLD1.P 32(R0), [V2.S4, V3.S4]
	FMAX4S(0, 0, 2)
	FMAX4S(1, 1, 3)
	SUBS   $1, R3, R3
	BNE    maxloop

maxdone:
	FMAX4S(0, 0, 1)
	FMAXV4S(0, 0)
	FMOVS F0, ret1+32(FP)
	RET
