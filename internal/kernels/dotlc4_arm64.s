//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// The legacy formats' cols4 kernels (dotlc4_arm64.go): one weight row (R0)
// times four activation rows (R1-R4, stride apart), each weight block
// decoded once for the four. Per activation a the arithmetic is the one-row
// kernel's (LEGACY_DOT, LEGACY1_DOT in dot_arm64.s): d = fp16(w.d) *
// fp16(x.d), acc[k] = fma(d, lane[k], acc[k]) over eight lanes, then
// reduce8(acc) (+ summs, summs = fma(fp16(w.m), fp16(x.s), summs), for the
// Q8_1-activation formats). The four activations' d (and x.s) are gathered
// into the lanes of one vector, so that one FMUL (FMLA) rounds each as the
// scalar instruction does.
//
// Registers: weight quants V2, V3; activation quants V4, V5; lanes V6, V7;
// accumulators V0, V1 (a = 0), V11, V12 (1), V28, V29 (2), V30, V31 (3);
// d_w in V16 (every lane), the four d in V18; m_w in V17, the four x.s in
// V13, the four summs in V23; V8-V10, V14, V15, V19-V22 the decoders'
// (dot_arm64.s's LEGACY_CONSTS), V24-V27 LANES_NEON's scratch; R6, R7 and
// R8 scratch, R9 the block count.

// LC4_HALVES loads the fp16 at each of R1-R4 (each moved past it) into
// lanes 0-3 of Vd and widens them to float32 (exact).
#define LC4_HALVES(Vd, d) \
	MOVHU.P 2(R1), R6 \
	VMOV    R6, Vd.H[0] \
	MOVHU.P 2(R2), R6 \
	VMOV    R6, Vd.H[1] \
	MOVHU.P 2(R3), R6 \
	VMOV    R6, Vd.H[2] \
	MOVHU.P 2(R4), R6 \
	VMOV    R6, Vd.H[3] \
	FCVTL4S(d, d)

// LC4_WHALF loads the fp16 at R0 (moved past it) into every lane of Vd as
// float32.
#define LC4_WHALF(Fd, Vd) \
	MOVHU.P 2(R0), R6 \
	FMOVS   R6, Fd    \
	FCVTHS  Fd, Fd    \
	VDUP    Vd.S[0], Vd.S4

// LC4_SCALE sets lane a of V18 to d_w*d_x[a] (d_w first, as the scalar
// FMULS of Q8_0_SCALE).
#define LC4_SCALE \
	LC4_WHALF(F16, V16) \
	LC4_HALVES(V18, 18) \
	FMUL4S(18, 16, 18)

// LC4_SUMMS is Q8_1_SCALE's min term for the four activations:
// summs[a] = fma(m_w, s_x[a], summs[a]) in lane a of V23.
#define LC4_SUMMS \
	LC4_WHALF(F17, V17) \
	LC4_HALVES(V13, 13) \
	FMLA4S(23, 17, 13)

// LC4_ACT forms activation a's lanes (32 quants at Ra) against the weight
// quants in V2, V3 and fuses them into its accumulators Va0, Va1 with lane a
// of V18.
#define LC4_ACT(LANES, Ra, a0, a1, a) \
	VLD1.P 32(Ra), [V4.B16, V5.B16] \
	LANES(6, 7, 2, 3, 4, 5)         \
	SCVTF4S(6, 6)                   \
	SCVTF4S(7, 7)                   \
	FMLAELEM4S(a0, 6, 18, a)        \
	FMLAELEM4S(a1, 7, 18, a)

#define LC4_ACTS(LANES) \
	LC4_ACT(LANES, R1, 0, 1, 0)    \
	LC4_ACT(LANES, R2, 11, 12, 1)  \
	LC4_ACT(LANES, R3, 28, 29, 2)  \
	LC4_ACT(LANES, R4, 30, 31, 3)

// LC4_REDUCE leaves reduce8 of the lanes Va0 (0-3), Va1 (4-7) in Fa0, as
// REDUCE8: t = (s0+s4, ..., s3+s7), then (t0+t2) + (t1+t3).
#define LC4_REDUCE(a0, a1) \
	FADD4S(a0, a0, a1) \
	EXT8(a1, a0, a0)   \
	FADD4S(a1, a0, a1) \
	FADDP2S(a0, a1)

// LC4_NIBBLES decodes the 16 packed bytes at R0 into the quants of elements
// 0-15 (low nibbles, V2) and 16-31 (high, V3), 0..15.
#define LC4_NIBBLES \
	VLD1.P 16(R0), [V2.B16]   \
	VUSHR  $4, V2.B16, V3.B16 \
	VAND   V15.B16, V2.B16, V2.B16

// The weight decoders: after d (and m) the block's quants into V2, V3.
#define LC4_Q4_0 \
	LC4_NIBBLES \
	VSUB V14.B16, V2.B16, V2.B16 \
	VSUB V14.B16, V3.B16, V3.B16

#define LC4_Q4_1 LC4_NIBBLES

#define LC4_Q5_1 Q5_DECODE(R0, V8, V9, V10, V21, V20, V19, V15, V22)

// LC4_SETUP loads the arguments (w, x []byte, xBytes, nb int) and sets the
// constants and accumulators.
#define LC4_SETUP \
	COLS4_ARGS(R9)          \
	VMOVI $15, V15.B16      \
	VMOVI $8, V14.B16       \
	VMOVI $16, V22.B16      \
	Q5_0_BITS(V21, V20, V19) \
	ZERO16(0)               \
	ZERO16(1)               \
	ZERO16(11)              \
	ZERO16(12)              \
	ZERO16(28)              \
	ZERO16(29)              \
	ZERO16(30)              \
	ZERO16(31)              \
	ZERO16(23)

// LC4_REDUCE4 reduces the four activations' accumulators into F0, F11,
// F28, F30.
#define LC4_REDUCE4 \
	LC4_REDUCE(0, 1)   \
	LC4_REDUCE(11, 12) \
	LC4_REDUCE(28, 29) \
	LC4_REDUCE(30, 31)

#define LC4_STORE \
	FMOVS F0, out+64(FP)  \
	FMOVS F11, out+68(FP) \
	FMOVS F28, out+72(FP) \
	FMOVS F30, out+76(FP) \
	RET

// LC4_ADD_SUMMS adds lane a of V23 (summs[a]) to Fa: Fa = Fa + summs[a],
// the one-row kernel's FADDS operand order.
#define LC4_ADD_SUMMS(Fa, a) \
	VDUP  V23.S[a], V13.S4 \
	FADDS F13, Fa, Fa

// LC4_BODY is a Q8_0-activation format's kernel (QUANTS decoding the
// weight quants after LC4_SCALE has read d, LANES forming the int32 lane
// sums: LANES_SDOT or LANES_NEON).
#define LC4_BODY(QUANTS, LANES, loop, done) \
	LC4_SETUP        \
	CBZ R9, done     \
loop:                \
	LC4_SCALE        \
	QUANTS           \
	LC4_ACTS(LANES)  \
	SUBS $1, R9, R9  \
	BNE  loop        \
done:                \
	LC4_REDUCE4      \
	LC4_STORE

// LC4_BODY1 is LC4_BODY for the Q8_1-activation formats: d, then m and the
// min term, then the quants; the result reduce8(acc) + summs.
#define LC4_BODY1(QUANTS, LANES, loop, done) \
	LC4_SETUP        \
	CBZ R9, done     \
loop:                \
	LC4_SCALE        \
	LC4_SUMMS        \
	QUANTS           \
	LC4_ACTS(LANES)  \
	SUBS $1, R9, R9  \
	BNE  loop        \
done:                \
	LC4_REDUCE4      \
	LC4_ADD_SUMMS(F0, 0)  \
	LC4_ADD_SUMMS(F11, 1) \
	LC4_ADD_SUMMS(F28, 2) \
	LC4_ADD_SUMMS(F30, 3) \
	LC4_STORE

// func dotQ4_0Cols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ4_0Cols4SDOT(SB), NOSPLIT, $0-80
	LC4_BODY(LC4_Q4_0, LANES_SDOT, lq40c4sloop, lq40c4sdone)

// func dotQ4_0Cols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ4_0Cols4NEON(SB), NOSPLIT, $0-80
	LC4_BODY(LC4_Q4_0, LANES_NEON, lq40c4nloop, lq40c4ndone)

// func dotQ4_1Cols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ4_1Cols4SDOT(SB), NOSPLIT, $0-80
	LC4_BODY1(LC4_Q4_1, LANES_SDOT, q41c4sloop, q41c4sdone)

// func dotQ4_1Cols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ4_1Cols4NEON(SB), NOSPLIT, $0-80
	LC4_BODY1(LC4_Q4_1, LANES_NEON, q41c4nloop, q41c4ndone)

// func dotQ5_1Cols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ5_1Cols4SDOT(SB), NOSPLIT, $0-80
	LC4_BODY1(LC4_Q5_1, LANES_SDOT, q51c4sloop, q51c4sdone)

// func dotQ5_1Cols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ5_1Cols4NEON(SB), NOSPLIT, $0-80
	LC4_BODY1(LC4_Q5_1, LANES_NEON, q51c4nloop, q51c4ndone)
