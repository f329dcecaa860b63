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
