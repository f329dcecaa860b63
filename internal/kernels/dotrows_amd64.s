//go:build !purego

#include "textflag.h"

// Strided-row kernels: one call computes many short dot products (the K and
// V rows of an attention head, 8 to 128 elements each), so the per-row cost
// of a Go call and its slice checks disappears. Each row's arithmetic is the
// instruction sequence of the one-row kernel, so results are bitwise equal.

// RREDUCE32 is dot_amd64.s's REDUCE32: Y0..Y3 → X0 lane 0, in ggml's order.
#define RREDUCE32 VADDPS Y2, Y0, Y0; VADDPS Y3, Y1, Y1; VADDPS Y1, Y0, Y0; VEXTRACTF128 $1, Y0, X1; VADDPS X1, X0, X0; VHADDPS X0, X0, X0; VHADDPS X0, X0, X0

// func dotF16RowsAVX2(w []byte, stride int, x []byte, n int, out []float32, scale float32)
//
// Rows go four at a time: the 32-wide part of each row in turn, then the
// float64 leftovers of the four rows together, one row per lane of Y12, so
// the four sequential sums overlap instead of waiting on each other (heads of
// 8 to 16 elements are all leftovers). Each lane adds the same products in
// the same order as the one-row kernel: fp16·fp16 is exact in float32 and
// widening it to float64 is exact, so the lanes are bitwise the scalar sums.
TEXT ·dotF16RowsAVX2(SB), NOSPLIT, $0-92
	MOVQ w_base+0(FP), R8
	MOVQ stride+24(FP), R9
	MOVQ x_base+32(FP), DI
	MOVQ n+56(FP), CX
	MOVQ out_base+64(FP), R10
	MOVQ out_len+72(FP), R11
	MOVQ CX, DX
	ANDQ $-32, DX
	LEAQ (R9)(R9*2), R13           // 3·stride
	CMPQ R11, $4
	JLT  rone

rgroup:
	MOVQ R8, SI
	XORQ AX, AX                    // 32-wide part of row SI (dotF16AVX2's)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ AX, DX
	JEQ  redg0

loopg0:
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
	JLT  loopg0

redg0:
	RREDUCE32
	VCVTSS2SD X0, X0, X0           // X0 = the row's float64 running sum
	VMOVAPS X0, X12
	LEAQ (R8)(R9*1), SI
	XORQ AX, AX                    // 32-wide part of row SI (dotF16AVX2's)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ AX, DX
	JEQ  redg1

loopg1:
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
	JLT  loopg1

redg1:
	RREDUCE32
	VCVTSS2SD X0, X0, X0           // X0 = the row's float64 running sum
	VUNPCKLPD X0, X12, X12         // X12 = (row 0, row 1)
	LEAQ (R8)(R9*2), SI
	XORQ AX, AX                    // 32-wide part of row SI (dotF16AVX2's)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ AX, DX
	JEQ  redg2

loopg2:
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
	JLT  loopg2

redg2:
	RREDUCE32
	VCVTSS2SD X0, X0, X0           // X0 = the row's float64 running sum
	VMOVAPS X0, X13
	LEAQ (R8)(R13*1), SI
	XORQ AX, AX                    // 32-wide part of row SI (dotF16AVX2's)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ AX, DX
	JEQ  redg3

loopg3:
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
	JLT  loopg3

redg3:
	RREDUCE32
	VCVTSS2SD X0, X0, X0           // X0 = the row's float64 running sum
	VUNPCKLPD X0, X13, X13         // X13 = (row 2, row 3)
	VINSERTF128 $1, X13, Y12, Y12  // Y12 = the four rows' float64 sums
	CMPQ AX, CX
	JGE  rgfin

rgtail:
	LEAQ (R8)(AX*2), BX
	MOVWLZX (BX), R12
	VMOVD R12, X1
	VPINSRW $1, (BX)(R9*1), X1, X1
	VPINSRW $2, (BX)(R9*2), X1, X1
	VPINSRW $3, (BX)(R13*1), X1, X1
	VCVTPH2PS X1, X1               // element AX of the four rows
	MOVWLZX (DI)(AX*2), R12
	VMOVD R12, X2
	VCVTPH2PS X2, X2
	VBROADCASTSS X2, X2
	VMULPS X2, X1, X1              // exact products
	VCVTPS2PD X1, Y1
	VADDPD Y1, Y12, Y12
	INCQ AX
	CMPQ AX, CX
	JLT  rgtail

rgfin:
	VCVTPD2PSY Y12, X12
	VBROADCASTSS scale+88(FP), X1
	VMULPS X1, X12, X12
	VMOVUPS X12, (R10)
	ADDQ $16, R10
	LEAQ (R8)(R9*4), R8
	SUBQ $4, R11
	CMPQ R11, $4
	JGE  rgroup

rone:
	TESTQ R11, R11
	JEQ  rdone

rrow:
	MOVQ R8, SI
	XORQ AX, AX                    // 32-wide part of row SI (dotF16AVX2's)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ AX, DX
	JEQ  redr

loopr:
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
	JLT  loopr

redr:
	RREDUCE32
	VCVTSS2SD X0, X0, X0           // X0 = the row's float64 running sum
	CMPQ AX, CX
	JGE  rfin

rtail:
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
	JLT  rtail

rfin:
	VCVTSD2SS X0, X0, X0
	VMULSS scale+88(FP), X0, X0
	VMOVSS X0, (R10)
	ADDQ $4, R10
	ADDQ R9, R8
	DECQ R11
	JNZ  rrow

rdone:
	VZEROUPPER
	RET
