//go:build !purego

#include "textflag.h"

DATA expIdx<>+0(SB)/4, $0
DATA expIdx<>+4(SB)/4, $0
DATA expIdx<>+8(SB)/4, $0
DATA expIdx<>+12(SB)/4, $0
DATA expIdx<>+16(SB)/4, $0
DATA expIdx<>+20(SB)/4, $0
DATA expIdx<>+24(SB)/4, $0
DATA expIdx<>+28(SB)/4, $0
DATA expIdx<>+32(SB)/4, $1
DATA expIdx<>+36(SB)/4, $1
DATA expIdx<>+40(SB)/4, $1
DATA expIdx<>+44(SB)/4, $1
DATA expIdx<>+48(SB)/4, $1
DATA expIdx<>+52(SB)/4, $1
DATA expIdx<>+56(SB)/4, $1
DATA expIdx<>+60(SB)/4, $1
DATA expIdx<>+64(SB)/4, $2
DATA expIdx<>+68(SB)/4, $2
DATA expIdx<>+72(SB)/4, $2
DATA expIdx<>+76(SB)/4, $2
DATA expIdx<>+80(SB)/4, $2
DATA expIdx<>+84(SB)/4, $2
DATA expIdx<>+88(SB)/4, $2
DATA expIdx<>+92(SB)/4, $2
DATA expIdx<>+96(SB)/4, $3
DATA expIdx<>+100(SB)/4, $3
DATA expIdx<>+104(SB)/4, $3
DATA expIdx<>+108(SB)/4, $3
DATA expIdx<>+112(SB)/4, $3
DATA expIdx<>+116(SB)/4, $3
DATA expIdx<>+120(SB)/4, $3
DATA expIdx<>+124(SB)/4, $3
GLOBL expIdx<>(SB), RODATA|NOPTR, $128

// func expStream(w []byte, x []byte, nb int, out []float32)
TEXT ·expStream(SB), NOSPLIT, $0-80
	MOVQ      w_base+0(FP), SI
	MOVQ      nb+48(FP), CX
	LEAQ      4096(SI), R11
	VPXORD    Z0, Z0, Z0
	VPXORD    Z1, Z1, Z1
	TESTQ     CX, CX
	JEQ       done
loop:
	PREFETCHT0 (R11)
	PREFETCHT0 64(R11)
	PREFETCHT0 128(R11)
	ADDQ       $0x88, R11
	VMOVDQU64 (SI), Z2
	VMOVDQU64 64(SI), Z3
	VPADDQ    Z2, Z0, Z0
	VPADDQ    Z3, Z1, Z1
	MOVQ      128(SI), AX
	ADDQ      $0x88, SI
	DECQ      CX
	JNZ       loop
done:
	VPADDQ Z1, Z0, Z0
	MOVQ   out_base+56(FP), DX
	VMOVSS X0, (DX)
	VZEROUPPER
	RET

// func expNoScale(w []byte, x []byte, nb int, out []float32)
TEXT ·expNoScale(SB), NOSPLIT, $0-80
	MOVQ      w_base+0(FP), SI
	MOVQ      x_base+24(FP), DI
	MOVQ      nb+48(FP), CX
	MOVQ      $0x00000022, R8
	LEAQ      (R8)(R8*1), R9
	LEAQ      (R9)(R8*1), R10
	LEAQ      4096(SI), R11
	VPXORD    Z0, Z0, Z0
	VPXORD    Z1, Z1, Z1
	VPXORD    Z15, Z15, Z15
	VPXORD    Z2, Z2, Z2
	VPXORD    Z3, Z3, Z3
	TESTQ     CX, CX
	JEQ       q4done
q4loop:
	PREFETCHT0 (R11)
	PREFETCHT0 64(R11)
	PREFETCHT0 128(R11)
	ADDQ       $0x88, R11
	VBROADCASTI64X4 2(DI), Z4
	VPSUBB          Z4, Z15, Z14
	VMOVDQU         2(SI), Y5
	VINSERTI64X4    $0x01, 2(SI)(R8*1), Z5, Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z10, Z10, Z10
	VPDPBUSD        Z7, Z6, Z10
	VCVTDQ2PS       Z10, Z10
	VFMADD231PS     Z10, Z2, Z0
	VMOVDQU         2(SI)(R9*1), Y5
	VINSERTI64X4    $0x01, 2(SI)(R10*1), Z5, Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z10, Z10, Z10
	VPDPBUSD        Z7, Z6, Z10
	VCVTDQ2PS       Z10, Z10
	VFMADD231PS     Z10, Z3, Z1
	ADDQ            $0x88, SI
	ADDQ            $0x22, DI
	DECQ            CX
	JNZ             q4loop
q4done:
	VADDPS Z1, Z0, Z0
	MOVQ   out_base+56(FP), DX
	VMOVSS X0, (DX)
	VZEROUPPER
	RET

// func expStreamNoPF(w []byte, x []byte, nb int, out []float32)
TEXT ·expStreamNoPF(SB), NOSPLIT, $0-80
	MOVQ      w_base+0(FP), SI
	MOVQ      nb+48(FP), CX
	VPXORD    Z0, Z0, Z0
	VPXORD    Z1, Z1, Z1
	TESTQ     CX, CX
	JEQ       done
loop:
	VMOVDQU64 (SI), Z2
	VMOVDQU64 64(SI), Z3
	VPADDQ    Z2, Z0, Z0
	VPADDQ    Z3, Z1, Z1
	MOVQ      128(SI), AX
	ADDQ      $0x88, SI
	DECQ      CX
	JNZ       loop
done:
	VPADDQ Z1, Z0, Z0
	MOVQ   out_base+56(FP), DX
	VMOVSS X0, (DX)
	VZEROUPPER
	RET

// func expMembw(w []byte, x []byte, nb int, out []float32): 256-byte steps, nb*136 bytes
TEXT ·expMembw(SB), NOSPLIT, $0-80
	MOVQ      w_base+0(FP), SI
	MOVQ      nb+48(FP), CX
	IMULQ     $136, CX
	SHRQ      $8, CX
	VPXORD    Z0, Z0, Z0
	TESTQ     CX, CX
	JEQ       done
loop:
	VPADDQ    (SI), Z0, Z0
	VPADDQ    64(SI), Z0, Z0
	VPADDQ    128(SI), Z0, Z0
	VPADDQ    192(SI), Z0, Z0
	ADDQ      $256, SI
	DECQ      CX
	JNZ       loop
done:
	MOVQ   out_base+56(FP), DX
	VMOVSS X0, (DX)
	VZEROUPPER
	RET

// func expSplit(w []byte, x []byte, nb int, out []float32)
// layout per chunk of 8 blocks: 64 bytes scales [b][r], then 8 x 128 quants [b][r][32]
TEXT ·expSplit(SB), NOSPLIT, $0-80
	MOVQ      w_base+0(FP), R12
	MOVQ      x_base+24(FP), DI
	MOVQ      nb+48(FP), CX
	LEAQ      64(R12), SI
	MOVQ      $8, DX
	VPXORD    Z0, Z0, Z0
	VPXORD    Z1, Z1, Z1
	VPXORD    Z15, Z15, Z15
	VMOVDQU64 expIdx<>+0(SB), Z12
	VMOVDQU64 expIdx<>+64(SB), Z13
	TESTQ     CX, CX
	JEQ       sdone
sloop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	VCVTPH2PS    (R12), X8
	VPBROADCASTW (DI), X9
	VCVTPH2PS    X9, X9
	VMULPS       X9, X8, X8
	VPERMPS      Z8, Z12, Z2
	VPERMPS      Z8, Z13, Z3
	VBROADCASTI64X4 2(DI), Z4
	VPSUBB          Z4, Z15, Z14
	VMOVDQU64       (SI), Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z10, Z10, Z10
	VPDPBUSD        Z7, Z6, Z10
	VCVTDQ2PS       Z10, Z10
	VFMADD231PS     Z10, Z2, Z0
	VMOVDQU64       64(SI), Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z11, Z11, Z11
	VPDPBUSD        Z7, Z6, Z11
	VCVTDQ2PS       Z11, Z11
	VFMADD231PS     Z11, Z3, Z1
	ADDQ            $8, R12
	ADDQ            $128, SI
	ADDQ            $34, DI
	DECQ            DX
	JNZ             snext
	MOVQ            SI, R12
	ADDQ            $64, SI
	MOVQ            $8, DX
snext:
	DECQ            CX
	JNZ             sloop
sdone:
	VADDPS Z1, Z0, Z0
	MOVQ   out_base+56(FP), DX
	VMOVSS X0, (DX)
	VZEROUPPER
	RET

// func expSplitNoPF(w []byte, x []byte, nb int, out []float32)
// layout per chunk of 8 blocks: 64 bytes scales [b][r], then 8 x 128 quants [b][r][32]
TEXT ·expSplitNoPF(SB), NOSPLIT, $0-80
	MOVQ      w_base+0(FP), R12
	MOVQ      x_base+24(FP), DI
	MOVQ      nb+48(FP), CX
	LEAQ      64(R12), SI
	MOVQ      $8, DX
	VPXORD    Z0, Z0, Z0
	VPXORD    Z1, Z1, Z1
	VPXORD    Z15, Z15, Z15
	VMOVDQU64 expIdx<>+0(SB), Z12
	VMOVDQU64 expIdx<>+64(SB), Z13
	TESTQ     CX, CX
	JEQ       tdone
tloop:
	VCVTPH2PS    (R12), X8
	VPBROADCASTW (DI), X9
	VCVTPH2PS    X9, X9
	VMULPS       X9, X8, X8
	VPERMPS      Z8, Z12, Z2
	VPERMPS      Z8, Z13, Z3
	VBROADCASTI64X4 2(DI), Z4
	VPSUBB          Z4, Z15, Z14
	VMOVDQU64       (SI), Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z10, Z10, Z10
	VPDPBUSD        Z7, Z6, Z10
	VCVTDQ2PS       Z10, Z10
	VFMADD231PS     Z10, Z2, Z0
	VMOVDQU64       64(SI), Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z11, Z11, Z11
	VPDPBUSD        Z7, Z6, Z11
	VCVTDQ2PS       Z11, Z11
	VFMADD231PS     Z11, Z3, Z1
	ADDQ            $8, R12
	ADDQ            $128, SI
	ADDQ            $34, DI
	DECQ            DX
	JNZ             tnext
	MOVQ            SI, R12
	ADDQ            $64, SI
	MOVQ            $8, DX
tnext:
	DECQ            CX
	JNZ             tloop
tdone:
	VADDPS Z1, Z0, Z0
	MOVQ   out_base+56(FP), DX
	VMOVSS X0, (DX)
	VZEROUPPER
	RET

TEXT ·expQuadNoPF(SB), NOSPLIT, $0-80
	// The row-major kernel's registers with a stride of one block (R8 = 34):
	// the rows of a block are adjacent and a block step is four blocks.
	// R11 prefetches quadPrefetch bytes ahead.
	MOVQ      w_base+0(FP), SI
	MOVQ      x_base+24(FP), DI
	MOVQ      nb+48(FP), CX
	MOVQ      $0x00000022, R8
	LEAQ      (R8)(R8*1), R9
	LEAQ      (R9)(R8*1), R10
	LEAQ      4096(SI), R11
	VPXORD    Z0, Z0, Z0
	VPXORD    Z1, Z1, Z1
	VPXORD    Z15, Z15, Z15
	VMOVDQU64 expIdx<>+0(SB), Z12
	VMOVDQU64 expIdx<>+64(SB), Z13
	TESTQ     CX, CX
	JEQ       qndone

qnloop:
	ADDQ       $0x88, R11

	// four weight scales times the activation scale → Y8
	MOVWQZX      (SI), AX
	MOVWQZX      (SI)(R8*1), BX
	SHLQ         $0x10, BX
	ORQ          BX, AX
	MOVWQZX      (SI)(R9*1), BX
	SHLQ         $0x20, BX
	ORQ          BX, AX
	MOVWQZX      (SI)(R10*1), BX
	SHLQ         $0x30, BX
	ORQ          BX, AX
	VMOVQ        AX, X8
	VCVTPH2PS    X8, X8
	MOVWLZX      (DI), AX
	VMOVD        AX, X9
	VCVTPH2PS    X9, X9
	VBROADCASTSS X9, X9
	VMULPS       X9, X8, X8
	VINSERTF128  $0x01, X8, Y8, Y8

	// spread per pair
	VPERMPS         Z8, Z12, Z2
	VPERMPS         Z8, Z13, Z3
	VBROADCASTI64X4 2(DI), Z4
	VPSUBB          Z4, Z15, Z14
	VMOVDQU         2(SI), Y5
	VINSERTI64X4    $0x01, 2(SI)(R8*1), Z5, Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z10, Z10, Z10
	VPDPBUSD        Z7, Z6, Z10
	VCVTDQ2PS       Z10, Z10
	VFMADD231PS     Z10, Z2, Z0
	VMOVDQU         2(SI)(R9*1), Y5
	VINSERTI64X4    $0x01, 2(SI)(R10*1), Z5, Z5
	VPABSB          Z5, Z6
	VPMOVB2M        Z5, K1
	VPBLENDMB       Z14, Z4, K1, Z7
	VPXORD          Z10, Z10, Z10
	VPDPBUSD        Z7, Z6, Z10
	VCVTDQ2PS       Z10, Z10
	VFMADD231PS     Z10, Z3, Z1
	ADDQ            $0x88, SI
	ADDQ            $0x22, DI
	DECQ            CX
	JNZ             qnloop

qndone:
	VEXTRACTF64X4 $0x01, Z0, Y2
	VEXTRACTF64X4 $0x01, Z1, Y3
	MOVQ          out_base+56(FP), DX
	VEXTRACTF128  $0x01, Y0, X10
	VADDPS        X0, X10, X10
	VMOVHLPS      X10, X10, X0
	VADDPS        X0, X10, X10
	VMOVSHDUP     X10, X0
	VADDSS        X0, X10, X0
	VEXTRACTF128  $0x01, Y2, X10
	VADDPS        X2, X10, X10
	VMOVHLPS      X10, X10, X2
	VADDPS        X2, X10, X10
	VMOVSHDUP     X10, X2
	VADDSS        X2, X10, X2
	VEXTRACTF128  $0x01, Y1, X10
	VADDPS        X1, X10, X10
	VMOVHLPS      X10, X10, X1
	VADDPS        X1, X10, X10
	VMOVSHDUP     X10, X1
	VADDSS        X1, X10, X1
	VEXTRACTF128  $0x01, Y3, X10
	VADDPS        X3, X10, X10
	VMOVHLPS      X10, X10, X3
	VADDPS        X3, X10, X10
	VMOVSHDUP     X10, X3
	VADDSS        X3, X10, X3
	VMOVSS        X0, (DX)
	VMOVSS        X2, 4(DX)
	VMOVSS        X1, 8(DX)
	VMOVSS        X3, 12(DX)
	VZEROUPPER
	RET
