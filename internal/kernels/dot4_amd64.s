//go:build !purego

#include "textflag.h"

// Four-row kernels: four weight rows (stride bytes apart) times one
// activation row, as llamafile's tinyBLAS_Q0_AVX gemm4xN<1> tile computes
// them. Each output keeps its own 8-lane accumulator with the same fused
// multiply-add per block as the one-row kernel, so every result is bit-for-bit
// the one-row result; the four independent chains hide the FMA latency and
// share the activation loads.

// ROW4(off, acc): acc += d_r · lanes(w_r · x) for the row at off(SI), with
// the activation block in Y4 and the broadcast scale product in Y9.
#define ROW4(addr, acc) VMOVDQU addr, Y5; VPSIGNB Y5, Y5, Y6; VPSIGNB Y5, Y4, Y7; VPMADDUBSW Y7, Y6, Y6; VPMADDWD Y15, Y6, Y6; VCVTDQ2PS Y6, Y6; VFMADD231PS Y6, Y9, acc

// PFDIST is how far ahead of each row the weights are prefetched.
#define PFDIST 256

#define HSUM8TO(y, x, t) VEXTRACTF128 $1, y, t; VADDPS x, t, t; VMOVHLPS t, t, x; VADDPS x, t, t; VMOVSHDUP t, x; VADDSS x, t, x

// func dotQ8_0R4AVX2(w []byte, stride int, x []byte, nb int, out []float32)
TEXT ·dotQ8_0R4AVX2(SB), NOSPLIT, $0-88
	MOVQ w_base+0(FP), SI
	MOVQ stride+24(FP), R8
	MOVQ x_base+32(FP), DI
	MOVQ nb+56(FP), CX
	LEAQ (R8)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (SI)(R8*4), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVL $0x00010001, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	TESTQ CX, CX
	JEQ  r4done

r4loop:
	PREFETCHT0 0(R11)
	PREFETCHT0 64(R11)
	PREFETCHT0 128(R11)
	ADDQ $136, R11
	MOVWLZX (SI), AX               // four weight scales → X8
	VMOVD AX, X8
	VPINSRW $1, (SI)(R8*1), X8, X8
	VPINSRW $2, (SI)(R9*1), X8, X8
	VPINSRW $3, (SI)(R10*1), X8, X8
	VCVTPH2PS X8, X8
	MOVWLZX (DI), AX               // activation scale, broadcast
	VMOVD AX, X9
	VCVTPH2PS X9, X9
	VBROADCASTSS X9, X9
	VMULPS X9, X8, X8              // d_w[r] * d_x
	VINSERTF128 $1, X8, Y8, Y8
	VMOVDQU 2(DI), Y4
	VSHUFPS $0x00, Y8, Y8, Y9
	ROW4(2(SI), Y0)
	VSHUFPS $0x55, Y8, Y8, Y9
	ROW4(2(SI)(R8*1), Y1)
	VSHUFPS $0xaa, Y8, Y8, Y9
	ROW4(2(SI)(R9*1), Y2)
	VSHUFPS $0xff, Y8, Y8, Y9
	ROW4(2(SI)(R10*1), Y3)
	ADDQ $34, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  r4loop

r4done:
	MOVQ out_base+64(FP), DX
	HSUM8TO(Y0, X0, X10)
	HSUM8TO(Y1, X1, X10)
	HSUM8TO(Y2, X2, X10)
	HSUM8TO(Y3, X3, X10)
	VMOVSS X0, (DX)
	VMOVSS X1, 4(DX)
	VMOVSS X2, 8(DX)
	VMOVSS X3, 12(DX)
	VZEROUPPER
	RET

// ROW4Q5(qh, qs, acc): as ROW4 for a Q5_0 weight block (qh at 2, qs at 6).
// The weights are expanded to unsigned q = lo | hi<<4 in 0..31 and multiplied
// with the signed activations directly; 16·Σy (Y7, shared by the four rows)
// is then taken off each lane. The int32 lanes are exactly Σ(q-16)·y, the
// lanes of the one-row kernel, so the result is bitwise the same with two
// fewer sign operations per row.
#define ROW4Q5(qh, qs, acc) VMOVDQU qs, X5; VPSRLW $4, X5, X6; VINSERTI128 $1, X6, Y5, Y5; VPAND Y14, Y5, Y5; VPBROADCASTD qh, Y6; VPSHUFB Y12, Y6, Y6; VPOR Y11, Y6, Y6; VPCMPEQB Y10, Y6, Y6; VPAND Y13, Y6, Y6; VPOR Y6, Y5, Y5; VPMADDUBSW Y4, Y5, Y6; VPMADDWD Y15, Y6, Y6; VPSUBD Y7, Y6, Y6; VCVTDQ2PS Y6, Y6; VFMADD231PS Y6, Y9, acc

// func dotQ5_0R4AVX2(w []byte, stride int, x []byte, nb int, out []float32)
TEXT ·dotQ5_0R4AVX2(SB), NOSPLIT, $0-88
	MOVQ w_base+0(FP), SI
	MOVQ stride+24(FP), R8
	MOVQ x_base+32(FP), DI
	MOVQ nb+56(FP), CX
	LEAQ (R8)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (SI)(R8*4), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVL $0x00010001, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x10101010, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	VMOVDQU shufBits4<>(SB), Y12
	MOVQ $0x7fbfdfeff7fbfdfe, AX
	MOVQ AX, X11
	VPBROADCASTQ X11, Y11
	VPCMPEQB Y10, Y10, Y10
	TESTQ CX, CX
	JEQ  r4q5done

r4q5loop:
	PREFETCHT0 0(R11)
	PREFETCHT0 64(R11)
	ADDQ $88, R11
	MOVWLZX (SI), AX
	VMOVD AX, X8
	VPINSRW $1, (SI)(R8*1), X8, X8
	VPINSRW $2, (SI)(R9*1), X8, X8
	VPINSRW $3, (SI)(R10*1), X8, X8
	VCVTPH2PS X8, X8
	MOVWLZX (DI), AX
	VMOVD AX, X9
	VCVTPH2PS X9, X9
	VBROADCASTSS X9, X9
	VMULPS X9, X8, X8
	VINSERTF128 $1, X8, Y8, Y8
	VMOVDQU 2(DI), Y4
	VPMADDUBSW Y4, Y13, Y7         // 16·Σy per lane (16·pairs, then quads)
	VPMADDWD Y15, Y7, Y7
	VSHUFPS $0x00, Y8, Y8, Y9
	ROW4Q5(2(SI), 6(SI), Y0)
	VSHUFPS $0x55, Y8, Y8, Y9
	ROW4Q5(2(SI)(R8*1), 6(SI)(R8*1), Y1)
	VSHUFPS $0xaa, Y8, Y8, Y9
	ROW4Q5(2(SI)(R9*1), 6(SI)(R9*1), Y2)
	VSHUFPS $0xff, Y8, Y8, Y9
	ROW4Q5(2(SI)(R10*1), 6(SI)(R10*1), Y3)
	ADDQ $22, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  r4q5loop

r4q5done:
	MOVQ out_base+64(FP), DX
	HSUM8TO(Y0, X0, X10)
	HSUM8TO(Y1, X1, X10)
	HSUM8TO(Y2, X2, X10)
	HSUM8TO(Y3, X3, X10)
	VMOVSS X0, (DX)
	VMOVSS X1, 4(DX)
	VMOVSS X2, 8(DX)
	VMOVSS X3, 12(DX)
	VZEROUPPER
	RET
DATA shufBits4<>+0(SB)/8, $0x0000000000000000
DATA shufBits4<>+8(SB)/8, $0x0101010101010101
DATA shufBits4<>+16(SB)/8, $0x0202020202020202
DATA shufBits4<>+24(SB)/8, $0x0303030303030303
GLOBL shufBits4<>(SB), RODATA|NOPTR, $32

// ROW4C2(addr, sh, a0, a1): weight row block at addr times both activation
// blocks (Y8, Y9), scale products shuffled out of Y13 / Y14 with sh.
#define ROW4C2(addr, sh, a0, a1) \
	VMOVDQU addr, Y10; \
	VPSIGNB Y10, Y10, Y11; \
	VPSIGNB Y10, Y8, Y12; \
	VPMADDUBSW Y12, Y11, Y12; \
	VPMADDWD ones16x4<>(SB), Y12, Y12; \
	VCVTDQ2PS Y12, Y12; \
	VSHUFPS sh, Y13, Y13, Y15; \
	VFMADD231PS Y12, Y15, a0; \
	VPSIGNB Y10, Y9, Y12; \
	VPMADDUBSW Y12, Y11, Y12; \
	VPMADDWD ones16x4<>(SB), Y12, Y12; \
	VCVTDQ2PS Y12, Y12; \
	VSHUFPS sh, Y14, Y14, Y15; \
	VFMADD231PS Y12, Y15, a1

// func dotQ8_0R4C2AVX2(w []byte, stride int, x []byte, xstride int, nb int, out []float32)
// out[r] = dot(w row r, x row 0), out[4+r] = dot(w row r, x row 1) for
// r = 0..3: llamafile's tinyBLAS 4×2 tile, each output bit-identical to the
// one-row kernel. len(w) >= 3*stride + 34*nb, len(x) >= xstride + 34*nb,
// len(out) >= 8.
TEXT ·dotQ8_0R4C2AVX2(SB), NOSPLIT, $0-96
	MOVQ w_base+0(FP), SI
	MOVQ stride+24(FP), R8
	MOVQ x_base+32(FP), DI
	MOVQ xstride+56(FP), DX
	MOVQ nb+64(FP), CX
	LEAQ (R8)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JEQ  c2done

c2loop:
	MOVWLZX (SI), AX
	VMOVD AX, X13
	VPINSRW $1, (SI)(R8*1), X13, X13
	VPINSRW $2, (SI)(R9*1), X13, X13
	VPINSRW $3, (SI)(R10*1), X13, X13
	VCVTPH2PS X13, X13             // d_w[0..3]
	MOVWLZX (DI)(DX*1), AX
	VMOVD AX, X15
	VCVTPH2PS X15, X15
	VBROADCASTSS X15, X15
	VMULPS X15, X13, X14           // d_w[r] * d_x1
	VINSERTF128 $1, X14, Y14, Y14
	MOVWLZX (DI), AX
	VMOVD AX, X15
	VCVTPH2PS X15, X15
	VBROADCASTSS X15, X15
	VMULPS X15, X13, X13           // d_w[r] * d_x0
	VINSERTF128 $1, X13, Y13, Y13
	VMOVDQU 2(DI), Y8
	VMOVDQU 2(DI)(DX*1), Y9
	ROW4C2(2(SI), $0x00, Y0, Y4)
	ROW4C2(2(SI)(R8*1), $0x55, Y1, Y5)
	ROW4C2(2(SI)(R9*1), $0xaa, Y2, Y6)
	ROW4C2(2(SI)(R10*1), $0xff, Y3, Y7)
	ADDQ $34, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  c2loop

c2done:
	MOVQ out_base+72(FP), BX
	HSUM8TO(Y0, X0, X10)
	HSUM8TO(Y1, X1, X10)
	HSUM8TO(Y2, X2, X10)
	HSUM8TO(Y3, X3, X10)
	HSUM8TO(Y4, X4, X10)
	HSUM8TO(Y5, X5, X10)
	HSUM8TO(Y6, X6, X10)
	HSUM8TO(Y7, X7, X10)
	VMOVSS X0, (BX)
	VMOVSS X1, 4(BX)
	VMOVSS X2, 8(BX)
	VMOVSS X3, 12(BX)
	VMOVSS X4, 16(BX)
	VMOVSS X5, 20(BX)
	VMOVSS X6, 24(BX)
	VMOVSS X7, 28(BX)
	VZEROUPPER
	RET

DATA ones16x4<>+0(SB)/8, $0x0001000100010001
DATA ones16x4<>+8(SB)/8, $0x0001000100010001
DATA ones16x4<>+16(SB)/8, $0x0001000100010001
DATA ones16x4<>+24(SB)/8, $0x0001000100010001
GLOBL ones16x4<>(SB), RODATA|NOPTR, $32
