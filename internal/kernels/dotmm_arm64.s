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

// MM_TILE sets V16 to the 2×2 int32 tile of 32-element rows: weights
// interleaved by eight bytes in Vw0-Vw3 (SMMLA register numbers), the
// activations a in V8, V9 and b in V10, V11; V12-V15 are scratch.
#define MM_TILE(w0, w1, w2, w3) \
	VZIP1  V10.D2, V8.D2, V12.D2       \
	VZIP2  V10.D2, V8.D2, V13.D2       \
	VZIP1  V11.D2, V9.D2, V14.D2       \
	VZIP2  V11.D2, V9.D2, V15.D2       \
	ZERO16(16)                         \
	SMMLA4S(16, w0, 12)                \
	SMMLA4S(16, w1, 13)                \
	SMMLA4S(16, w2, 14)                \
	SMMLA4S(16, w3, 15)

// MM_PAIR does one block of activations a (Ra) and b (Rb) against the
// weight operands V6, V7, V2, V4 (rows 0 and 1 interleaved by eight bytes)
// with V19 = [dw0, dw0, dw1, dw1]; acc accumulates.
#define MM_PAIR(Ra, Rb, acc) \
	MOVHU.P 2(Ra), R11                 \
	VMOV    R11, V20.H[0]              \
	VMOV    R11, V20.H[2]              \
	MOVHU.P 2(Rb), R12                 \
	VMOV    R12, V20.H[1]              \
	VMOV    R12, V20.H[3]              \
	FCVTL4S(21, 20)                    \
	FMUL4S(21, 19, 21)                 \
	VLD1.P  32(Ra), [V8.B16, V9.B16]   \
	VLD1.P  32(Rb), [V10.B16, V11.B16] \
	MM_TILE(6, 7, 2, 4)                \
	SCVTF4S(16, 16)                    \
	FMLA4S(acc, 16, 21)

// The i8mm core of repacked Q4_K: two weight rows' super-blocks (R0, R1:
// their 128 bytes of nibbles) times eight Q8_K activations (R2-R9, their
// quants), per 32-element sub-block one 2×2 int32 tile per pair of
// activations from four SMMLA, times the rows' sub-block scales (MLA with
// [sc_r0, sc_r0, sc_r1, sc_r1] from R10), summed into V20-V23: the
// super-block's sumi of dotQ4KQ8KPacked for each row and activation.

// Q4KMM_HALF adds one 32-byte half (the low or the high nibbles, weight
// operands V(w0)-V(w0+3)) of activations a (Ra) and b (Rb) times scales
// Vs into acc.
#define Q4KMM_HALF(Ra, Rb, w0, w1, w2, w3, s, acc) \
	VLD1.P 32(Ra), [V8.B16, V9.B16]    \
	VLD1.P 32(Rb), [V10.B16, V11.B16]  \
	MM_TILE(w0, w1, w2, w3)            \
	MLA4S(acc, 16, s)

#define Q4KMM_PAIR(Ra, Rb, acc) \
	Q4KMM_HALF(Ra, Rb, 0, 1, 2, 3, 17, acc) \
	Q4KMM_HALF(Ra, Rb, 4, 5, 6, 7, 18, acc)

// Q4KMM_GROUP decodes group p of both rows: low nibbles interleaved by
// eight bytes into V0-V3, high nibbles into V4-V7; its scales into V17
// (low), V18 (high).
#define Q4KMM_GROUP \
	VLD1.P 32(R0), [V8.B16, V9.B16]    \
	VLD1.P 32(R1), [V10.B16, V11.B16]  \
	VLD1.P 32(R10), [V17.S4, V18.S4]   \
	VAND   V31.B16, V8.B16, V12.B16    \
	VAND   V31.B16, V9.B16, V13.B16    \
	VAND   V31.B16, V10.B16, V14.B16   \
	VAND   V31.B16, V11.B16, V15.B16   \
	VZIP1  V14.D2, V12.D2, V0.D2       \
	VZIP2  V14.D2, V12.D2, V1.D2       \
	VZIP1  V15.D2, V13.D2, V2.D2       \
	VZIP2  V15.D2, V13.D2, V3.D2       \
	VUSHR  $4, V8.B16, V12.B16         \
	VUSHR  $4, V9.B16, V13.B16         \
	VUSHR  $4, V10.B16, V14.B16        \
	VUSHR  $4, V11.B16, V15.B16        \
	VZIP1  V14.D2, V12.D2, V4.D2       \
	VZIP2  V14.D2, V12.D2, V5.D2       \
	VZIP1  V15.D2, V13.D2, V6.D2       \
	VZIP2  V15.D2, V13.D2, V7.D2       \
	Q4KMM_PAIR(R2, R3, 20)             \
	Q4KMM_PAIR(R4, R5, 21)             \
	Q4KMM_PAIR(R6, R7, 22)             \
	Q4KMM_PAIR(R8, R9, 23)

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
	VZIP1   V5.D2, V3.D2, V2.D2
	VZIP2   V5.D2, V3.D2, V4.D2
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

// func q4KSumi2x8I8MM(qs0, qs1, q8 []byte, stride int, scv [8][4]int32) (sumi [16]int32)
TEXT ·q4KSumi2x8I8MM(SB), NOSPLIT, $0-272
	MOVD  qs0_base+0(FP), R0
	MOVD  qs1_base+24(FP), R1
	MOVD  q8_base+48(FP), R2
	MOVD  stride+72(FP), R11
	ADD   R11, R2, R3
	ADD   R11, R3, R4
	ADD   R11, R4, R5
	ADD   R11, R5, R6
	ADD   R11, R6, R7
	ADD   R11, R7, R8
	ADD   R11, R8, R9
	MOVD  $scv+80(FP), R10
	VMOVI $15, V31.B16
	ZERO16(20)
	ZERO16(21)
	ZERO16(22)
	ZERO16(23)
	Q4KMM_GROUP
	Q4KMM_GROUP
	Q4KMM_GROUP
	Q4KMM_GROUP
	MOVD  $sumi+208(FP), R11
	VST1  [V20.S4, V21.S4, V22.S4, V23.S4], (R11)
	RET
