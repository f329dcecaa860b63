//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// The fp16 and bf16 weights' prompt-batch heads (dothc4_arm64.go): one
// weight row (R0) times two activation rows (R1, R2), each 32-element
// chunk of weights widened to float32 once for the two. Per activation
// the arithmetic is the one-row head's (dotF16NEON, dotBF16NEON):
// acc[i%32] = fma(w[i], x[i], acc[i%32]), then its reduction. Two
// activations, not four: their 64 float32 accumulators (V0-V7, V8-V15),
// the widened weights (V24-V31), the loaded halves (V16-V19) and one
// activation's widened half chunk (V20-V23) fill the 32 registers.
//
// CVT_LO(d, n) and CVT_HI(d, n) widen the low and high four 16-bit lanes
// of Vn to float32 in Vd: FCVTL (fp16, exact) or SHLL #16 (bf16).

// HC2_WEIGHTS widens 32 weights at R0 (moved past them) into V24-V31.
#define HC2_WEIGHTS \
	VLD1.P 64(R0), [V16.H8, V17.H8, V18.H8, V19.H8] \
	CVT_LO(24, 16) \
	CVT_HI(25, 16) \
	CVT_LO(26, 17) \
	CVT_HI(27, 17) \
	CVT_LO(28, 18) \
	CVT_HI(29, 18) \
	CVT_LO(30, 19) \
	CVT_HI(31, 19)

// HC2_HALF fuses 16 activations at Ra (moved past them) with the widened
// weights Vw0-Vw3 into the accumulators Va0-Va3, as FMA32 does:
// acc = fma(w, x, acc) lane by lane.
#define HC2_HALF(Ra, Vw0, Vw1, Vw2, Vw3, Va0, Va1, Va2, Va3) \
	VLD1.P 32(Ra), [V16.H8, V17.H8] \
	CVT_LO(20, 16)               \
	CVT_HI(21, 16)               \
	CVT_LO(22, 17)               \
	CVT_HI(23, 17)               \
	VFMLA V20.S4, Vw0.S4, Va0.S4 \
	VFMLA V21.S4, Vw1.S4, Va1.S4 \
	VFMLA V22.S4, Vw2.S4, Va2.S4 \
	VFMLA V23.S4, Vw3.S4, Va3.S4

// HC2_C8 leaves in Vt0 dot_arm64.s's REDUCE32 first step over the eight
// accumulators a0-a7 (a_j = acc[4j:4j+4]): c = (acc[0:4]+acc[16:20]) +
// (acc[8:12]+acc[24:28]) and likewise from acc[4:8], then c[0:4]+c[4:8]
// (t1-t3 scratch).
#define HC2_C8(a0, a1, a2, a3, a4, a5, a6, a7, t0, t1, t2, t3) \
	FADD4S(t0, a0, a4)   \
	FADD4S(t1, a2, a6)   \
	FADD4S(t0, t0, t1)   \
	FADD4S(t2, a1, a5)   \
	FADD4S(t3, a3, a7)   \
	FADD4S(t2, t2, t3)   \
	FADD4S(t0, t0, t2)

// REDUCE_F16 finishes REDUCE32 from HC2_C8's t = x[0:4]+x[4:8] in Vt:
// (t0+t1) + (t2+t3) in Ft.
#define REDUCE_F16(t, s) \
	FADDP4S(t, t, t) \
	FADDP2S(t, t)

// REDUCE_BF16 finishes dotBF16NEON's reduction from c[0:4]+c[4:8] in Vt:
// (t0+t2) + (t1+t3) in Ft (Vs scratch).
#define REDUCE_BF16(t, s) \
	EXT8(s, t, t)    \
	FADD4S(s, t, s)  \
	FADDP2S(t, s)

// HC2_BODY is the kernel over the np/32 chunks (np = len(w)), the two heads
// stored to s0, s1.
#define HC2_BODY(REDUCE, loop, done) \
	MOVD w_base+0(FP), R0   \
	MOVD w_len+8(FP), R3    \
	MOVD x0_base+24(FP), R1 \
	MOVD x1_base+48(FP), R2 \
	ZERO8                   \
	ZERO8_HI                \
	LSR  $5, R3, R3         \
	CBZ  R3, done           \
loop:                       \
	HC2_WEIGHTS             \
	HC2_HALF(R1, V24, V25, V26, V27, V0, V1, V2, V3)     \
	HC2_HALF(R1, V28, V29, V30, V31, V4, V5, V6, V7)     \
	HC2_HALF(R2, V24, V25, V26, V27, V8, V9, V10, V11)   \
	HC2_HALF(R2, V28, V29, V30, V31, V12, V13, V14, V15) \
	SUBS $1, R3, R3         \
	BNE  loop               \
done:                       \
	HC2_C8(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19)       \
	REDUCE(16, 17)          \
	HC2_C8(8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23) \
	REDUCE(20, 21)          \
	FMOVS F16, s0+72(FP)    \
	FMOVS F20, s1+76(FP)    \
	RET

#define CVT_LO FCVTL4S
#define CVT_HI FCVTL2_4S

// func dotF16Cols2NEON(w, x0, x1 []uint16) (s0, s1 float32)
TEXT ·dotF16Cols2NEON(SB), NOSPLIT, $0-80
	HC2_BODY(REDUCE_F16, f16c2loop, f16c2done)

#undef CVT_LO
#undef CVT_HI
#define CVT_LO SHLL4S
#define CVT_HI SHLL2_4S

// func dotBF16Cols2NEON(w, x0, x1 []uint16) (s0, s1 float32)
TEXT ·dotBF16Cols2NEON(SB), NOSPLIT, $0-80
	HC2_BODY(REDUCE_BF16, bf16c2loop, bf16c2done)
