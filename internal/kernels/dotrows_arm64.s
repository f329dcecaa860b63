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
	ZERO8_HI                    \
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

// The Q8_0 4×2 tile (tile42): four weight rows (R10-R13) times pairs of
// activation rows (R1, R2), each output's eight lanes in V(4r+2a),
// V(4r+2a+1) (row r, activation a of the pair), formed and accumulated as
// dotQ8_0SDOT does: acc[k] = fma(float32(lane k), d_w*d_x, acc[k]) with the
// block scales from ws (four rows, block-major: R3) and xs (R4, R5), then
// reduce8. Each weight block is loaded once for the two activations, each
// activation block once for the four rows.

// TILE_ROW does block row r (Rrow, past its scale) against activations V16,
// V17 (a = 0) and V18, V19 (a = 1), with scales d_w[r]*d_x[a] in lane r of
// V30 (a = 0) and V31 (a = 1).
#define TILE_ROW(Rrow, r, acc0, acc1, acc2, acc3) \
	ADD    $2, Rrow                          \
	VLD1.P 32(Rrow), [V22.B16, V23.B16]      \
	LANES(28, 29, 22, 23, 16, 17)            \
	SCVTF4S(28, 28)                          \
	SCVTF4S(29, 29)                          \
	FMLAELEM4S(acc0, 28, 30, r)              \
	FMLAELEM4S(acc1, 29, 30, r)              \
	LANES(28, 29, 22, 23, 18, 19)            \
	SCVTF4S(28, 28)                          \
	SCVTF4S(29, 29)                          \
	FMLAELEM4S(acc2, 28, 31, r)              \
	FMLAELEM4S(acc3, 29, 31, r)

// TILE_OUT reduces row r's two outputs (Vacc0/Vacc1: activation 0,
// Vacc2/Vacc3: activation 1) and stores them (Fa0, Fa2: the scalar halves
// of Vacc0, Vacc2) at off(R6) and off(R7).
#define TILE_OUT(acc0, acc1, acc2, acc3, Fa0, Fa2, off) \
	ROW4_REDUCE(acc0, acc1, 24)  \
	ROW4_REDUCE(acc2, acc3, 24)  \
	FMOVS Fa0, off(R6)           \
	FMOVS Fa2, off(R7)

#define TILE42_BODY(pairloop, blockloop, store, done) \
	MOVD w_base+0(FP), R14         \
	MOVD rowBytes+24(FP), R15      \
	MOVD ws_base+32(FP), R19       \
	MOVD x_base+56(FP), R23        \
	MOVD xBytes+80(FP), R20        \
	MOVD xs_base+88(FP), R21       \
	MOVD nb+112(FP), R9            \
	MOVD pairs+120(FP), R0         \
	MOVD out_base+128(FP), R6      \
	MOVD ostride+152(FP), R22      \
	LSL  $2, R22, R22              \
	LSL  $2, R9, R24               \
	CBZ  R0, done                  \
pairloop:                          \
	MOVD R23, R1                   \
	ADD  R20, R1, R2               \
	MOVD R21, R4                   \
	ADD  R24, R4, R5               \
	MOVD R19, R3                   \
	MOVD R14, R10                  \
	ADD  R15, R10, R11             \
	ADD  R15, R11, R12             \
	ADD  R15, R12, R13             \
	ADD  R22, R6, R7               \
	ZERO8                          \
	ZERO8_HI                       \
	MOVD R9, R8                    \
	CBZ  R8, store                 \
blockloop:                         \
	ADD    $2, R1                  \
	VLD1.P 32(R1), [V16.B16, V17.B16] \
	ADD    $2, R2                  \
	VLD1.P 32(R2), [V18.B16, V19.B16] \
	VLD1.P 16(R3), [V20.S4]        \
	FMOVS.P 4(R4), F21             \
	VDUP   V21.S[0], V21.S4        \
	FMUL4S(30, 20, 21)             \
	FMOVS.P 4(R5), F21             \
	VDUP   V21.S[0], V21.S4        \
	FMUL4S(31, 20, 21)             \
	TILE_ROW(R10, 0, 0, 1, 2, 3)   \
	TILE_ROW(R11, 1, 4, 5, 6, 7)   \
	TILE_ROW(R12, 2, 8, 9, 10, 11) \
	TILE_ROW(R13, 3, 12, 13, 14, 15) \
	SUBS $1, R8, R8                \
	BNE  blockloop                 \
store:                             \
	TILE_OUT(0, 1, 2, 3, F0, F2, 0)        \
	TILE_OUT(4, 5, 6, 7, F4, F6, 4)        \
	TILE_OUT(8, 9, 10, 11, F8, F10, 8)      \
	TILE_OUT(12, 13, 14, 15, F12, F14, 12)   \
	ADD  R20, R23, R23             \
	ADD  R20, R23, R23             \
	ADD  R24, R21, R21             \
	ADD  R24, R21, R21             \
	ADD  R22, R7, R6               \
	SUBS $1, R0, R0                \
	BNE  pairloop                  \
done:                              \
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

#undef LANES
#define LANES LANES_SDOT

// func dotQ8_0Tile42SDOT(w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, nb, pairs int, out []float32, ostride int)
TEXT ·dotQ8_0Tile42SDOT(SB), NOSPLIT, $0-160
	TILE42_BODY(t42spair, t42sblock, t42sstore, t42sdone)

#undef LANES
#define LANES LANES_NEON

// func dotQ8_0Tile42NEON(w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, nb, pairs int, out []float32, ostride int)
TEXT ·dotQ8_0Tile42NEON(SB), NOSPLIT, $0-160
	TILE42_BODY(t42npair, t42nblock, t42nstore, t42ndone)
