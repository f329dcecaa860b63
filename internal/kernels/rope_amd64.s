//go:build !purego

#include "textflag.h"

// func ropeNormAVX2(x, cs []float32, n int)
// Normal-mode RoPE over pairs (x[2k], x[2k+1]), four pairs per iteration
// (n pairs, a multiple of 4): t = x1·s, u = x1·c, then x0' = x0·c - t and
// x1' = x0·s + u each with one rounding (the fmaf of RoPE). The pair's
// partner comes from VPERMILPS, c and s from VMOVSLDUP/VMOVSHDUP of the
// interleaved cs, and even/odd results are blended.
TEXT ·ropeNormAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ cs_base+24(FP), DI
	MOVQ n+48(FP), CX
	SHRQ $2, CX
	JEQ  rndone

rnloop:
	VMOVUPS (SI), Y0                // (x0, x1) pairs
	VMOVUPS (DI), Y1                // (c, s) pairs
	VMOVSLDUP Y1, Y2                // c c
	VMOVSHDUP Y1, Y3                // s s
	VPERMILPS $0xb1, Y0, Y4         // (x1, x0)
	VMULPS Y3, Y4, Y5               // even lanes: t = x1·s
	VFMSUB231PS Y2, Y0, Y5          // even: x0·c - t
	VMULPS Y2, Y0, Y6               // odd lanes: u = x1·c
	VFMADD231PS Y3, Y4, Y6          // odd: x0·s + u
	VBLENDPS $0xaa, Y6, Y5, Y5
	VMOVUPS Y5, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  rnloop

rndone:
	VZEROUPPER
	RET

// func ropeNeoxAVX2(x, cs []float32, n, half int)
// Neox-mode RoPE over pairs (x[k], x[k+half]), eight pairs per iteration
// (n pairs, a multiple of 8), with the same two roundings per output as
// ropeNormAVX2; c and s of pairs k..k+7 are deinterleaved from cs[2k:] by
// VSHUFPS and VPERMPD.
TEXT ·ropeNeoxAVX2(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), SI
	MOVQ cs_base+24(FP), DI
	MOVQ n+48(FP), CX
	MOVQ half+56(FP), DX
	SHRQ $3, CX
	JEQ  rxdone

rxloop:
	VMOVUPS (DI), Y0                // c0 s0 … c3 s3
	VMOVUPS 32(DI), Y1              // c4 s4 … c7 s7
	VSHUFPS $0x88, Y1, Y0, Y2       // c0 c1 c4 c5 | c2 c3 c6 c7
	VSHUFPS $0xdd, Y1, Y0, Y3
	VPERMPD $0xd8, Y2, Y2           // c0 … c7
	VPERMPD $0xd8, Y3, Y3           // s0 … s7
	VMOVUPS (SI), Y4                // x0
	VMOVUPS (SI)(DX*4), Y5          // x1
	VMULPS Y3, Y5, Y6               // t = x1·s
	VFMSUB231PS Y2, Y4, Y6          // x0·c - t
	VMULPS Y2, Y5, Y7               // u = x1·c
	VFMADD231PS Y3, Y4, Y7          // x0·s + u
	VMOVUPS Y6, (SI)
	VMOVUPS Y7, (SI)(DX*4)
	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  rxloop

rxdone:
	VZEROUPPER
	RET
