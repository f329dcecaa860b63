//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// The repacked Q4_0 cols4 kernel: one weight row (R0) times four Q8_0
// activation rows (R1-R4, stride apart), each weight block decoded once
// for the four; per activation the arithmetic of dotQ4_0PackedSDOT: s =
// the block's exact int32 dot product, acc = fma(float32(s), d_w*d_x,
// acc) in F20-F23.

// Q40C4_ACT does one activation block at Ra against the weight quants in
// V2, V3 (d_w in F16) into Facc.
#define Q40C4_ACT(Ra, Facc) \
	MOVHU.P 2(Ra), R6               \
	FMOVS   R6, F17                 \
	FCVTHS  F17, F17                \
	FMULS   F17, F16, F18           \
	VLD1.P  32(Ra), [V4.B16, V5.B16] \
	LANES(6, 7, 2, 3, 4, 5)         \
	ADD4S(6, 6, 7)                  \
	ADDV4S(6, 6)                    \
	SCVTFS(6, 6)                    \
	FMADDS  F18, Facc, F6, Facc

#define Q40C4_BODY(loop, done) \
	COLS4_ARGS(R7)                  \
	VMOVI $15, V15.B16              \
	VMOVI $8, V14.B16               \
	ZERO16(20)                      \
	ZERO16(21)                      \
	ZERO16(22)                      \
	ZERO16(23)                      \
	CBZ   R7, done                  \
loop:                               \
	MOVHU.P 2(R0), R6               \
	FMOVS   R6, F16                 \
	FCVTHS  F16, F16                \
	VLD1.P  16(R0), [V2.B16]        \
	VUSHR   $4, V2.B16, V3.B16      \
	VAND    V15.B16, V2.B16, V2.B16 \
	VSUB    V14.B16, V2.B16, V2.B16 \
	VSUB    V14.B16, V3.B16, V3.B16 \
	Q40C4_ACT(R1, F20)              \
	Q40C4_ACT(R2, F21)              \
	Q40C4_ACT(R3, F22)              \
	Q40C4_ACT(R4, F23)              \
	SUBS  $1, R7, R7                \
	BNE   loop                      \
done:                               \
	FMOVS F20, out+64(FP)           \
	FMOVS F21, out+68(FP)           \
	FMOVS F22, out+72(FP)           \
	FMOVS F23, out+76(FP)           \
	RET

#define LANES LANES_SDOT

// func dotQ4_0PackedCols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ4_0PackedCols4SDOT(SB), NOSPLIT, $0-80
	Q40C4_BODY(q40c4sloop, q40c4sdone)

#undef LANES
#define LANES LANES_NEON

// func dotQ4_0PackedCols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)
TEXT ·dotQ4_0PackedCols4NEON(SB), NOSPLIT, $0-80
	Q40C4_BODY(q40c4nloop, q40c4ndone)
