//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// The Q8_0 and Q5_0 rows4 kernels: four weight rows (R10-R13) times one activation
// row (R1), the activation block loaded once per block for the four rows;
// each row's arithmetic is dotQ8_0SDOT's (eight lanes, FMLA of
// half(w.d)*half(x.d), reduce8), so each output is the one-row dot bit for
// bit.

// Q8_0_W loads the 32 weight quants of the Q8_0 block at Rrow (past its
// scale) into V2, V3.
#define Q8_0_W(Rrow) \
	VLD1.P 32(Rrow), [V2.B16, V3.B16]

// Q5_0_W decodes the Q5_0 block at Rrow (past its scale: qh, then qs) into
// signed bytes V2 (elements 0-15), V3 (16-31) with Q5_0_DECODE (V0, V1,
// V28 scratch) and the constants of Q5_0_CONSTS (V19-V21, V29, V30).
#define Q5_0_W(Rrow) \
	Q5_0_DECODE(Rrow, V0, V1, V28, V21, V20, V19, V29, V30)

// Q5_0_CONSTS sets Q5_0_W's constants: the qh byte of each element (V21:
// j/8 for j < 16, V20: for j >= 16), its bit (V19), 0x0f (V29), 0x10 (V30).
#define Q5_0_CONSTS \
	VMOVI $15, V29.B16                 \
	VMOVI $16, V30.B16                 \
	Q5_0_BITS(V21, V20, V19)

// NO_CONSTS: Q8_0_W needs none.
#define NO_CONSTS

// ROW4_BLOCK does one block of the row at Rrow into accumulators Vacc0
// (lanes 0-3), Vacc1 (4-7), WQ decoding its quants; the activation's scale
// is in F17, its quants in V4, V5.
#define ROW4_BLOCK(WQ, Rrow, acc0, acc1) \
	MOVHU.P 2(Rrow), R3                \
	FMOVS   R3, F16                    \
	FCVTHS  F16, F16                   \
	FMULS   F17, F16, F18              \
	VDUP    V18.S[0], V18.S4           \
	WQ(Rrow)                           \
	LANES(6, 7, 2, 3, 4, 5)            \
	SCVTF4S(6, 6)                      \
	SCVTF4S(7, 7)                      \
	FMLA4S(acc0, 6, 18)                \
	FMLA4S(acc1, 7, 18)

// ROW4_REDUCE leaves reduce8 of lanes Va (0-3), Vb (4-7) in Sa, with Vt
// scratch: t = a+b, then (t0+t2) + (t1+t3).
#define ROW4_REDUCE(a, b, t) \
	FADD4S(a, a, b) \
	EXT8(t, a, a)   \
	FADD4S(t, a, t) \
	FADDP2S(a, t)

#define ROWS4_BODY(CONSTS, WQ, loop, done) \
	MOVD  w_base+0(FP), R10     \
	MOVD  rowBytes+24(FP), R5   \
	MOVD  x_base+32(FP), R1     \
	MOVD  nb+56(FP), R2         \
	MOVD  out_base+64(FP), R4   \
	ADD   R5, R10, R11          \
	ADD   R5, R11, R12          \
	ADD   R5, R12, R13          \
	ZERO16(8)                   \
	ZERO16(9)                   \
	ZERO16(10)                  \
	ZERO16(11)                  \
	ZERO16(12)                  \
	ZERO16(13)                  \
	ZERO16(14)                  \
	ZERO16(15)                  \
	CONSTS                      \
	CBZ   R2, done              \
loop:                           \
	MOVHU.P 2(R1), R3           \
	FMOVS   R3, F17             \
	FCVTHS  F17, F17            \
	VLD1.P  32(R1), [V4.B16, V5.B16] \
	ROW4_BLOCK(WQ, R10, 8, 9)       \
	ROW4_BLOCK(WQ, R11, 10, 11)     \
	ROW4_BLOCK(WQ, R12, 12, 13)     \
	ROW4_BLOCK(WQ, R13, 14, 15)     \
	SUBS  $1, R2, R2            \
	BNE   loop                  \
done:                           \
	ROW4_REDUCE(8, 9, 2)        \
	ROW4_REDUCE(10, 11, 2)      \
	ROW4_REDUCE(12, 13, 2)      \
	ROW4_REDUCE(14, 15, 2)      \
	FMOVS F8, 0(R4)             \
	FMOVS F10, 4(R4)            \
	FMOVS F12, 8(R4)            \
	FMOVS F14, 12(R4)           \
	RET

#define LANES LANES_SDOT

// func dotQ8_0Rows4SDOT(w []byte, rowBytes int, x []byte, nb int, out []float32)
TEXT ·dotQ8_0Rows4SDOT(SB), NOSPLIT, $0-88
	ROWS4_BODY(NO_CONSTS, Q8_0_W, r4sloop, r4sdone)

#undef LANES
#define LANES LANES_NEON

// func dotQ8_0Rows4NEON(w []byte, rowBytes int, x []byte, nb int, out []float32)
TEXT ·dotQ8_0Rows4NEON(SB), NOSPLIT, $0-88
	ROWS4_BODY(NO_CONSTS, Q8_0_W, r4nloop, r4ndone)

#undef LANES
#define LANES LANES_SDOT

// func dotQ5_0Rows4SDOT(w []byte, rowBytes int, x []byte, nb int, out []float32)
TEXT ·dotQ5_0Rows4SDOT(SB), NOSPLIT, $0-88
	ROWS4_BODY(Q5_0_CONSTS, Q5_0_W, r5sloop, r5sdone)

#undef LANES
#define LANES LANES_NEON

// func dotQ5_0Rows4NEON(w []byte, rowBytes int, x []byte, nb int, out []float32)
TEXT ·dotQ5_0Rows4NEON(SB), NOSPLIT, $0-88
	ROWS4_BODY(Q5_0_CONSTS, Q5_0_W, r5nloop, r5ndone)
