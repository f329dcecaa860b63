//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// func quantQ8_0NEON(x []float32, dst []byte, nb int)
TEXT ·quantQ8_0NEON(SB), NOSPLIT, $0-56
	MOVD  x_base+0(FP), R0
	MOVD  dst_base+24(FP), R1
	MOVD  nb+48(FP), R2
	MOVW  $0x42fe0000, R5 // 127.0
	FMOVS R5, F20
	CBZ   R2, q8qdone

q8qloop:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	// amax = max |x[j]| (the order of a max does not matter)
	FABS4S(8, 0)
	FABS4S(9, 1)
	FABS4S(10, 2)
	FABS4S(11, 3)
	FABS4S(12, 4)
	FABS4S(13, 5)
	FABS4S(14, 6)
	FABS4S(15, 7)
	FMAX4S(8, 8, 9)
	FMAX4S(10, 10, 11)
	FMAX4S(12, 12, 13)
	FMAX4S(14, 14, 15)
	FMAX4S(8, 8, 10)
	FMAX4S(12, 12, 14)
	FMAX4S(8, 8, 12)
	FMAXV4S(8, 8)
	// d = amax/127 stored as fp16; id = 127/amax. For an all-zero block
	// (amax = 0) id is +Inf where the generic code takes 0: every x*id is
	// then 0*Inf = NaN, which FCVTNS turns into 0, the generic quant.
	FDIVS   F20, F8, F9
	FCVTSH  F9, F9
	FMOVS   F9, R6
	MOVH.P  R6, 2(R1)
	FDIVS   F8, F20, F10
	VDUP    V10.S[0], V10.S4
	// q = int8(roundEven(x*id))
	FMUL4S(0, 0, 10)
	FMUL4S(1, 1, 10)
	FMUL4S(2, 2, 10)
	FMUL4S(3, 3, 10)
	FMUL4S(4, 4, 10)
	FMUL4S(5, 5, 10)
	FMUL4S(6, 6, 10)
	FMUL4S(7, 7, 10)
	FCVTNS4S(0, 0)
	FCVTNS4S(1, 1)
	FCVTNS4S(2, 2)
	FCVTNS4S(3, 3)
	FCVTNS4S(4, 4)
	FCVTNS4S(5, 5)
	FCVTNS4S(6, 6)
	FCVTNS4S(7, 7)
	XTN4H(16, 0)
	XTN2_8H(16, 1)
	XTN4H(17, 2)
	XTN2_8H(17, 3)
	XTN4H(18, 4)
	XTN2_8H(18, 5)
	XTN4H(19, 6)
	XTN2_8H(19, 7)
	XTN8B(21, 16)
	XTN2_16B(21, 17)
	XTN8B(22, 18)
	XTN2_16B(22, 19)
	VST1.P  [V21.B16, V22.B16], 32(R1)
	SUBS    $1, R2, R2
	BNE     q8qloop

q8qdone:
	RET

// func absMaxNEON(x []float32) float32
TEXT ·absMaxNEON(SB), NOSPLIT, $0-28
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R2
	LSR  $4, R2, R2
	ZERO16(16)
	CBZ  R2, amdone

amloop:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FABS4S(0, 0)
	FABS4S(1, 1)
	FABS4S(2, 2)
	FABS4S(3, 3)
	FCMEQ4S(4, 0, 0)
	FCMEQ4S(5, 1, 1)
	FCMEQ4S(6, 2, 2)
	FCMEQ4S(7, 3, 3)
	VAND V4.B16, V0.B16, V0.B16
	VAND V5.B16, V1.B16, V1.B16
	VAND V6.B16, V2.B16, V2.B16
	VAND V7.B16, V3.B16, V3.B16
	FMAX4S(16, 16, 0)
	FMAX4S(16, 16, 1)
	FMAX4S(16, 16, 2)
	FMAX4S(16, 16, 3)
	SUBS $1, R2, R2
	BNE  amloop

amdone:
	FMAXV4S(0, 16)
	FMOVS F0, ret+24(FP)
	RET

// Q8K_Q rounds the four lanes of Vn like tensor's nearestInt(iscale*x):
// f = x*iscale (V20), then float32(f)+1.5·2^23 (V21), whose low 23 bits
// less 2^22 (V22, V23) are the integer, then min(127, ·) (V24).
#define Q8K_Q(n) \
	FMUL4S(n, n, 20)                     \
	FADD4S(n, n, 21)                     \
	AND16(n, n, 22)                      \
	SUB4S(n, n, 23)                      \
	SMIN4S(n, n, 24)

// func quantQ8_KNEON(x []float32, q []byte, iscale float32)
TEXT ·quantQ8_KNEON(SB), NOSPLIT, $0-52
	MOVD  x_base+0(FP), R0
	MOVD  q_base+24(FP), R1
	FMOVS iscale+48(FP), F20
	VDUP  V20.S[0], V20.S4
	ADD   $256, R1, R3 // bsums after the 256 quants
	MOVW  $0x4b400000, R5 // 12582912.0 = 1.5·2^23
	VDUP  R5, V21.S4
	MOVW  $0x007fffff, R5
	VDUP  R5, V22.S4
	MOVW  $0x00400000, R5
	VDUP  R5, V23.S4
	MOVW  $127, R5
	VDUP  R5, V24.S4
	MOVD  $4, R2

q8kloop:
	// 64 values: quants in V4-V7, their four sums of 16 stored as int16.
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R0), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R0), [V12.S4, V13.S4, V14.S4, V15.S4]
	Q8K_Q(0)
	Q8K_Q(1)
	Q8K_Q(2)
	Q8K_Q(3)
	Q8K_Q(4)
	Q8K_Q(5)
	Q8K_Q(6)
	Q8K_Q(7)
	Q8K_Q(8)
	Q8K_Q(9)
	Q8K_Q(10)
	Q8K_Q(11)
	Q8K_Q(12)
	Q8K_Q(13)
	Q8K_Q(14)
	Q8K_Q(15)
	XTN4H(16, 0)
	XTN2_8H(16, 1)
	XTN4H(17, 2)
	XTN2_8H(17, 3)
	XTN4H(18, 4)
	XTN2_8H(18, 5)
	XTN4H(19, 6)
	XTN2_8H(19, 7)
	XTN4H(0, 8)
	XTN2_8H(0, 9)
	XTN4H(1, 10)
	XTN2_8H(1, 11)
	XTN4H(2, 12)
	XTN2_8H(2, 13)
	XTN4H(3, 14)
	XTN2_8H(3, 15)
	XTN8B(4, 16)
	XTN2_16B(4, 17)
	XTN8B(5, 18)
	XTN2_16B(5, 19)
	XTN8B(6, 0)
	XTN2_16B(6, 1)
	XTN8B(7, 2)
	XTN2_16B(7, 3)
	VST1.P [V4.B16, V5.B16, V6.B16, V7.B16], 64(R1)
	SADDLP8H(8, 4)
	SADDLP8H(9, 5)
	SADDLP8H(10, 6)
	SADDLP8H(11, 7)
	ADDP8H(8, 8, 9)
	ADDP8H(10, 10, 11)
	ADDP8H(8, 8, 10)
	ADDP8H(8, 8, 8)
	FMOVD  F8, R6
	MOVD.P R6, 8(R3)
	SUBS   $1, R2, R2
	BNE    q8kloop
	RET

// func f32ToF16NEON(x []float32, dst []uint16)
TEXT ·f32ToF16NEON(SB), NOSPLIT, $0-48
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R2
	MOVD dst_base+24(FP), R1
	LSR  $3, R2, R3
	AND  $7, R2, R4
	CBZ  R3, h16tail0

h16loop:
	VLD1.P 32(R0), [V0.S4, V1.S4]
	FCVTN4H(2, 0)
	FCVTN2_8H(2, 1)
	VST1.P [V2.H8], 16(R1)
	SUBS   $1, R3, R3
	BNE    h16loop

h16tail0:
	CBZ R4, h16done

h16tail:
	FMOVS.P 4(R0), F0
	FCVTSH  F0, F0
	FMOVS   F0, R3
	MOVH.P  R3, 2(R1)
	SUBS    $1, R4, R4
	BNE     h16tail

h16done:
	RET

// func roundF16NEON(dst, src []float32)
TEXT ·roundF16NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R1
	MOVD src_base+24(FP), R0
	MOVD src_len+32(FP), R2
	LSR  $3, R2, R3
	AND  $7, R2, R4
	CBZ  R3, r16tail0

r16loop:
	VLD1.P 32(R0), [V0.S4, V1.S4]
	FCVTN4H(2, 0)
	FCVTN2_8H(2, 1)
	FCVTL4S(0, 2)
	FCVTL2_4S(1, 2)
	VST1.P [V0.S4, V1.S4], 32(R1)
	SUBS   $1, R3, R3
	BNE    r16loop

r16tail0:
	CBZ R4, r16done

r16tail:
	FMOVS.P 4(R0), F0
	FCVTSH  F0, F0
	FCVTHS  F0, F0
	FMOVS.P F0, 4(R1)
	SUBS    $1, R4, R4
	BNE     r16tail

r16done:
	RET
