//go:build !purego

#include "textflag.h"
#include "f32rows_amd64.h"

// F32 rows kernels for four, five and six activations against the same
// rows (dotfzmm_amd64.go): dotF32Rows3AVX2's group path with the fourth to
// sixth activations' lanes in Y16..Y27, the registers AVX-512 adds (EVEX
// encoding, AVX512F+VL). Rows in groups of eight only, n a multiple of 32:
// the Go side gives the rest to the AVX2 kernels. x and out point to six
// pointers, the unused ones ignored.

// ZEROQ is ZEROY for the EVEX registers Y16..Y31 (VXORPS there needs
// AVX512DQ; VPXORD is AVX512F).
#define ZEROQ(a, b, c, d) VPXORD a, a, a; VPXORD b, b, b; VPXORD c, c, c; VPXORD d, d, d

// RED finishes activation k's eight rows (its sums at byte base of the
// frame) into *out[k] (out's array in CX).
#define RED(base, k) \
	MOVQ (k*8)(CX), AX \
	REDUCE8(base, base+128, base+32, base+160, base+64, base+192, base+96, base+224, AX)

// PROLOGUE loads the arguments: n in DX, the first row in DI, the stride in
// bytes in R8, rows in R12, x1..x6 in SI, BX, R9, R10, R14, R15; R11 the
// row index.
#define PROLOGUE \
	MOVQ n+0(FP), DX          \
	MOVQ w_base+8(FP), DI     \
	MOVQ stride+32(FP), R8    \
	SHLQ $2, R8               \
	MOVQ rows+40(FP), R12     \
	MOVQ x+48(FP), AX         \
	MOVQ 0(AX), SI            \
	MOVQ 8(AX), BX            \
	MOVQ 16(AX), R9           \
	MOVQ 24(AX), R10          \
	MOVQ 32(AX), R14          \
	MOVQ 40(AX), R15          \
	XORQ R11, R11

#define ZERO4 ZERO3; ZEROQ(Y16, Y17, Y18, Y19)
#define ZERO5 ZERO4; ZEROQ(Y20, Y21, Y22, Y23)
#define ZERO6 ZERO5; ZEROQ(Y24, Y25, Y26, Y27)
#define STEP4 F32ROW3; FMAQ(R10, Y16, Y17, Y18, Y19)
#define STEP5 STEP4; FMAQ(R14, Y20, Y21, Y22, Y23)
#define STEP6 STEP5; FMAQ(R15, Y24, Y25, Y26, Y27)
#define FOLD4 FOLD3; FOLD(Y16, Y17, Y18, Y19, 768)
#define FOLD5 FOLD4; FOLD(Y20, Y21, Y22, Y23, 1024)
#define FOLD6 FOLD5; FOLD(Y24, Y25, Y26, Y27, 1280)
#define RED3 VBROADCASTSS scale+64(FP), Y15; MOVQ out+56(FP), CX; RED(0, 0); RED(256, 1); RED(512, 2)
#define RED4 RED3; RED(768, 3)
#define RED5 RED4; RED(1024, 4)
#define RED6 RED5; RED(1280, 5)

// func dotF32Rows4AVX512(n int, w []float32, stride int, rows int, x *[6]*float32, out *[6]*float32, scale float32)
TEXT ·dotF32Rows4AVX512(SB), 0, $1536-68
	PROLOGUE
	GROUPS(r4grp, r4g8, r4loop, r4sum, r4done, ZERO4, STEP4, FOLD4, RED4)
r4done:
	VZEROUPPER
	RET

// func dotF32Rows5AVX512(n int, w []float32, stride int, rows int, x *[6]*float32, out *[6]*float32, scale float32)
TEXT ·dotF32Rows5AVX512(SB), 0, $1536-68
	PROLOGUE
	GROUPS(r5grp, r5g8, r5loop, r5sum, r5done, ZERO5, STEP5, FOLD5, RED5)
r5done:
	VZEROUPPER
	RET

// func dotF32Rows6AVX512(n int, w []float32, stride int, rows int, x *[6]*float32, out *[6]*float32, scale float32)
TEXT ·dotF32Rows6AVX512(SB), 0, $1536-68
	PROLOGUE
	GROUPS(r6grp, r6g8, r6loop, r6sum, r6done, ZERO6, STEP6, FOLD6, RED6)
r6done:
	VZEROUPPER
	RET
