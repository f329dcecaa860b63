//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// The i8mm (SMMLA) prompt kernel of repacked Q4_0: two weight rows (R0,
// R1) times eight Q8_0 activation rows (R2-R9), per block one 2×2 int32
// tile per pair of activations from four SMMLA (eight products a lane
// each, 32 in all: the block's exact integer dot product, as
// dotQ4_0Q8_0Packed's s0+s1), then acc = fma(float32(s), d_w*d_x, acc) in
// the lanes [row 0 · act a, row 0 · act b, row 1 · act a, row 1 · act b],
// the one-row kernel's arithmetic for each output.

// MM_PAIR does one block of activations a (Ra) and b (Rb) against the
// weight operands V6-V9 (rows 0 and 1 interleaved by eight bytes) with
// V19 = [dw0, dw0, dw1, dw1]; acc accumulates.
#define MM_PAIR(Ra, Rb, acc) \
	MOVHU.P 2(Ra), R11                 \
	VMOV    R11, V20.H[0]              \
	VMOV    R11, V20.H[2]              \
	MOVHU.P 2(Rb), R12                 \
	VMOV    R12, V20.H[1]              \
	VMOV    R12, V20.H[3]              \
	FCVTL4S(21, 20)                    \
	FMUL4S(21, 19, 21)                 \
	VLD1.P  32(Ra), [V10.B16, V11.B16] \
	VLD1.P  32(Rb), [V12.B16, V13.B16] \
	VZIP1   V12.D2, V10.D2, V14.D2     \
	VZIP2   V12.D2, V10.D2, V15.D2     \
	VZIP1   V13.D2, V11.D2, V16.D2     \
	VZIP2   V13.D2, V11.D2, V17.D2     \
	ZERO16(18)                         \
	SMMLA4S(18, 6, 14)                 \
	SMMLA4S(18, 7, 15)                 \
	SMMLA4S(18, 8, 16)                 \
	SMMLA4S(18, 9, 17)                 \
	SCVTF4S(18, 18)                    \
	FMLA4S(acc, 18, 21)

// func dotQ4_0Rows2Cols8I8MM(w []byte, rowBytes int, x []byte, xBytes int, nb int) (out [16]float32)
TEXT ·dotQ4_0Rows2Cols8I8MM(SB), NOSPLIT, $0-136
	MOVD  w_base+0(FP), R0
	MOVD  rowBytes+24(FP), R1
	ADD   R0, R1, R1
	MOVD  x_base+32(FP), R2
	MOVD  xBytes+56(FP), R10
	ADD   R10, R2, R3
	ADD   R10, R3, R4
	ADD   R10, R4, R5
	ADD   R10, R5, R6
	ADD   R10, R6, R7
	ADD   R10, R7, R8
	ADD   R10, R8, R9
	MOVD  nb+64(FP), R10
	VMOVI $15, V31.B16
	VMOVI $8, V30.B16
	ZERO16(22)
	ZERO16(23)
	ZERO16(24)
	ZERO16(25)
	CBZ   R10, done

loop:
	MOVHU.P 2(R0), R11
	VMOV    R11, V20.H[0]
	VMOV    R11, V20.H[1]
	MOVHU.P 2(R1), R11
	VMOV    R11, V20.H[2]
	VMOV    R11, V20.H[3]
	FCVTL4S(19, 20)
	VLD1.P  16(R0), [V0.B16]
	VLD1.P  16(R1), [V1.B16]
	VAND    V31.B16, V0.B16, V2.B16
	VUSHR   $4, V0.B16, V3.B16
	VAND    V31.B16, V1.B16, V4.B16
	VUSHR   $4, V1.B16, V5.B16
	VSUB    V30.B16, V2.B16, V2.B16
	VSUB    V30.B16, V3.B16, V3.B16
	VSUB    V30.B16, V4.B16, V4.B16
	VSUB    V30.B16, V5.B16, V5.B16
	VZIP1   V4.D2, V2.D2, V6.D2
	VZIP2   V4.D2, V2.D2, V7.D2
	VZIP1   V5.D2, V3.D2, V8.D2
	VZIP2   V5.D2, V3.D2, V9.D2
	MM_PAIR(R2, R3, 22)
	MM_PAIR(R4, R5, 23)
	MM_PAIR(R6, R7, 24)
	MM_PAIR(R8, R9, 25)
	SUBS    $1, R10, R10
	BNE     loop

done:
	MOVD $out+72(FP), R11
	VST1 [V22.S4, V23.S4, V24.S4, V25.S4], (R11)
	RET
