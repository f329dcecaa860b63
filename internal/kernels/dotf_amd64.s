//go:build !purego

#include "textflag.h"
#include "f32rows_amd64.h"

// Float AVX2+FMA(+F16C) kernels: the F32 and F16 dot products and axpy, the
// instruction sequences of llama.cpp's ggml_vec_dot_f32 / ggml_vec_dot_f16 /
// ggml_vec_mad_f32 (ggml-cpu/vec.h, simd-mappings.h), so lanes, fused
// multiply-adds and reductions match the generic Go reference bit for bit.
// The Go stubs in dot_amd64.go carry each function's reference loop.

// REDUCE32: GGML_F32x8_REDUCE of Y0..Y3 into X0 lane 0.
#define REDUCE32 VADDPS Y2, Y0, Y0; VADDPS Y3, Y1, Y1; VADDPS Y1, Y0, Y0; VEXTRACTF128 $1, Y0, X1; VADDPS X1, X0, X0; VHADDPS X0, X0, X0; VHADDPS X0, X0, X0

// F32TAIL finishes a dot product whose lane sum is in X0: sum = fma(a[i],
// b[i], sum) for i from AX to CX, a at the register a, b at DI.
#define F32TAIL(a, tail, done) \
	CMPQ AX, CX                    \
	JGE  done                      \
tail:                              \
	VMOVSS (a)(AX*4), X1           \
	VFMADD231SS (DI)(AX*4), X1, X0 \
	INCQ AX                        \
	CMPQ AX, CX                    \
	JLT  tail                      \
done:

// F32DOT leaves dotF32Generic of the CX float32 values at SI (a) and DI
// (b) in X0: acc[i%32] = fma(a[i], b[i], acc[i%32]) over the first DX =
// CX&^31 (Y0..Y3), REDUCE32, then F32TAIL. AX and Y0..Y7 are clobbered.
#define F32DOT(loop, red, tail, done) \
	VLOOP(loop, red, ZERO1, F32ROW1) \
	REDUCE32                         \
	F32TAIL(SI, tail, done)

// ROWOUT finishes one activation's dot product of a row in the one-row
// paths of the rows kernels: its lanes y0..y3 moved to Y0..Y3, REDUCE32
// and F32TAIL (from AX = R13, where the vector loop stopped, with x at the
// register x), times scale, stored at out[R11] (out's address read from
// the frame). R12 is clobbered.
#define ROWOUT(y0, y1, y2, y3, x, tail, store, scale, out) \
	VMOVAPS y0, Y0            \
	VMOVAPS y1, Y1            \
	VMOVAPS y2, Y2            \
	VMOVAPS y3, Y3            \
	MOVQ R13, AX              \
	REDUCE32                  \
	F32TAIL(x, tail, store)   \
	VMULSS scale, X0, X0      \
	MOVQ out, R12             \
	VMOVSS X0, (R12)(R11*4)

// func dotF32AVX2(a, b []float32) float32
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-52
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ CX, DX
	ANDQ $-32, DX
	F32DOT(f32loop, f32red, f32tail, f32done)
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func dotF16AVX2(a, b []uint16) float32
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-52
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ CX, DX
	ANDQ $-32, DX
	XORQ AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ AX, DX
	JEQ  f16red

f16loop:
	VCVTPH2PS (SI)(AX*2), Y4
	VCVTPH2PS 16(SI)(AX*2), Y5
	VCVTPH2PS 32(SI)(AX*2), Y6
	VCVTPH2PS 48(SI)(AX*2), Y7
	VCVTPH2PS (DI)(AX*2), Y8
	VCVTPH2PS 16(DI)(AX*2), Y9
	VCVTPH2PS 32(DI)(AX*2), Y10
	VCVTPH2PS 48(DI)(AX*2), Y11
	VFMADD231PS Y8, Y4, Y0
	VFMADD231PS Y9, Y5, Y1
	VFMADD231PS Y10, Y6, Y2
	VFMADD231PS Y11, Y7, Y3
	ADDQ $32, AX
	CMPQ AX, DX
	JLT  f16loop

f16red:
	REDUCE32
	VCVTSS2SD X0, X0, X0           // leftovers are summed in float64
	CMPQ AX, CX
	JGE  f16done

f16tail:
	MOVWLZX (SI)(AX*2), BX
	VMOVD BX, X1
	VCVTPH2PS X1, X1
	MOVWLZX (DI)(AX*2), BX
	VMOVD BX, X2
	VCVTPH2PS X2, X2
	VMULSS X2, X1, X1
	VCVTSS2SD X1, X1, X1
	VADDSD X1, X0, X0
	INCQ AX
	CMPQ AX, CX
	JLT  f16tail

f16done:
	VCVTSD2SS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func axpyAVX2(alpha float32, x, y []float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI
	MOVQ CX, DX
	ANDQ $-16, DX
	XORQ AX, AX
	CMPQ AX, DX
	JEQ  axpytail8

axpyloop:
	VMOVUPS (DI)(AX*4), Y1
	VMOVUPS 32(DI)(AX*4), Y2
	VFMADD231PS (SI)(AX*4), Y0, Y1
	VFMADD231PS 32(SI)(AX*4), Y0, Y2
	VMOVUPS Y1, (DI)(AX*4)
	VMOVUPS Y2, 32(DI)(AX*4)
	ADDQ $16, AX
	CMPQ AX, DX
	JLT  axpyloop

axpytail8:
	CMPQ AX, CX
	JGE  axpydone

axpytail:
	VMOVSS (DI)(AX*4), X1
	VFMADD231SS (SI)(AX*4), X0, X1
	VMOVSS X1, (DI)(AX*4)
	INCQ AX
	CMPQ AX, CX
	JLT  axpytail

axpydone:
	VZEROUPPER
	RET

// func dotF32RowsAVX2(n int, w []float32, stride int, x []float32, scale float32, out []float32)
// Per row: dotF32AVX2's loop with a = x, b = the row (SI, DI as there).
// Groups of eight rows as described above GROUPBOUND.
TEXT ·dotF32RowsAVX2(SB), 0, $256-96
// R1RED: the groups' REDUCE8s (defined after the TEXT line, where go vet reads its frame offsets).
#define R1RED \
	VBROADCASTSS scale+64(FP), Y15                 \
	REDUCE8(0, 128, 32, 160, 64, 192, 96, 224, R9)
	MOVQ n+0(FP), CX
	MOVQ w_base+8(FP), DI
	MOVQ stride+32(FP), R8
	SHLQ $2, R8
	MOVQ x_base+40(FP), SI
	MOVQ out_base+72(FP), R9
	MOVQ out_len+80(FP), R10
	MOVQ CX, DX
	ANDQ $-32, DX
	XORQ R11, R11
	GROUPBOUND(f32rgrp)
	GROUPS(f32rgrp, f32rg8, f32rgloop, f32rgsum, f32rrow, ZERO1, F32ROW1, FOLD1, R1RED)

f32rrow:
	CMPQ R11, R10
	JGE  f32rdone
	F32DOT(f32rloop, f32rred, f32rtail, f32rstore)
	VMULSS scale+64(FP), X0, X0
	VMOVSS X0, (R9)(R11*4)
	ADDQ R8, DI
	INCQ R11
	JMP  f32rrow

f32rdone:
	VZEROUPPER
	RET

// func dotF32Rows2AVX2(n int, w []float32, stride int, x1, x2 []float32, scale float32, out1, out2 []float32)
// dotF32RowsAVX2 for two activations against the same rows, each row read
// once: x1's lanes in Y0..Y3, x2's in Y8..Y11, each reduced and finished by
// the scalar tail exactly as dotF32AVX2 does (fma is commutative in its
// product, so row × x and x × row give the same bits).
// Groups of eight rows as described above GROUPBOUND.
TEXT ·dotF32Rows2AVX2(SB), 0, $512-144
// R2RED: the groups' REDUCE8s (defined after the TEXT line, where go vet reads its frame offsets).
#define R2RED \
	VBROADCASTSS scale+88(FP), Y15                        \
	REDUCE8(0, 128, 32, 160, 64, 192, 96, 224, R9)        \
	MOVQ out2_base+120(FP), AX                            \
	REDUCE8(256, 384, 288, 416, 320, 448, 352, 480, AX)
	MOVQ n+0(FP), CX
	MOVQ w_base+8(FP), DI
	MOVQ stride+32(FP), R8
	SHLQ $2, R8
	MOVQ x1_base+40(FP), SI
	MOVQ x2_base+64(FP), BX
	MOVQ out1_base+96(FP), R9
	MOVQ out1_len+104(FP), R10
	MOVQ CX, DX
	ANDQ $-32, DX
	XORQ R11, R11
	GROUPBOUND(f32r2grp)
	GROUPS(f32r2grp, f32r2g8, f32r2gloop, f32r2gsum, f32r2row, ZERO2, F32ROW2, FOLD2, R2RED)

f32r2row:
	CMPQ R11, R10
	JGE  f32r2done
	VLOOP(f32r2loop, f32r2red, ZERO2, F32ROW2)
	MOVQ AX, R13
	ROWOUT(Y0, Y1, Y2, Y3, SI, f32r2tail1, f32r2store1, scale+88(FP), out1_base+96(FP))
	ROWOUT(Y8, Y9, Y10, Y11, BX, f32r2tail2, f32r2store2, scale+88(FP), out2_base+120(FP))
	ADDQ R8, DI
	INCQ R11
	JMP  f32r2row

f32r2done:
	VZEROUPPER
	RET

// func dotF32Rows3AVX2(n int, w []float32, stride int, x1, x2, x3 []float32, scale float32, out1, out2, out3 []float32)
// dotF32Rows2AVX2 for three activations against the same rows, each row
// read once: x1's lanes in Y0..Y3, x2's in Y8..Y11, x3's in Y12..Y15, each
// reduced and finished by the scalar tail exactly as dotF32AVX2 does. The
// outputs' addresses are read from the frame at each row's stores (no
// register is left for them).
// Groups of eight rows as described above GROUPBOUND.
TEXT ·dotF32Rows3AVX2(SB), 0, $768-192
// R3RED: the groups' REDUCE8s (defined after the TEXT line, where go vet reads its frame offsets).
#define R3RED \
	VBROADCASTSS scale+112(FP), Y15                       \
	MOVQ out1_base+120(FP), AX                            \
	REDUCE8(0, 128, 32, 160, 64, 192, 96, 224, AX)        \
	MOVQ out2_base+144(FP), AX                            \
	REDUCE8(256, 384, 288, 416, 320, 448, 352, 480, AX)   \
	MOVQ out3_base+168(FP), AX                            \
	REDUCE8(512, 640, 544, 672, 576, 704, 608, 736, AX)
	MOVQ n+0(FP), CX
	MOVQ w_base+8(FP), DI
	MOVQ stride+32(FP), R8
	SHLQ $2, R8
	MOVQ x1_base+40(FP), SI
	MOVQ x2_base+64(FP), BX
	MOVQ x3_base+88(FP), R9
	MOVQ out1_len+128(FP), R10
	MOVQ CX, DX
	ANDQ $-32, DX
	XORQ R11, R11
	GROUPBOUND(f32r3grp)
	GROUPS(f32r3grp, f32r3g8, f32r3gloop, f32r3gsum, f32r3row, ZERO3, F32ROW3, FOLD3, R3RED)

f32r3row:
	CMPQ R11, R10
	JGE  f32r3done
	VLOOP(f32r3loop, f32r3red, ZERO3, F32ROW3)
	MOVQ AX, R13
	ROWOUT(Y0, Y1, Y2, Y3, SI, f32r3tail1, f32r3store1, scale+112(FP), out1_base+120(FP))
	ROWOUT(Y8, Y9, Y10, Y11, BX, f32r3tail2, f32r3store2, scale+112(FP), out2_base+144(FP))
	ROWOUT(Y12, Y13, Y14, Y15, R9, f32r3tail3, f32r3store3, scale+112(FP), out3_base+168(FP))
	ADDQ R8, DI
	INCQ R11
	JMP  f32r3row

f32r3done:
	VZEROUPPER
	RET
