//go:build !purego

#include "textflag.h"

// ggml_v_expf (llama.cpp's AVX2+FMA vectorised e^x) on eight lanes, the same
// instruction for instruction as vec.h, so results equal the generic vexpf
// bit for bit. Input Y0 (preserved), result Y6; clobbers Y2-Y5, Y7-Y15.
// Y1 is left alone for the callers. It defines the labels expslow and
// expdone, so it may be used once per function.
#define VEXPF \
	VMOVUPS expR<>(SB), Y2; \
	VFMADD231PS expLog2e<>(SB), Y0, Y2; \
	VSUBPS expR<>(SB), Y2, Y3; \
	VMOVAPS Y0, Y4; \
	VFNMADD231PS expLn2Hi<>(SB), Y3, Y4; \
	VFNMADD231PS expLn2Lo<>(SB), Y3, Y4; \
	VPSLLD $23, Y2, Y5; \
	VPADDD expOne<>(SB), Y5, Y6; \
	VANDPS expAbs<>(SB), Y3, Y7; \
	VCMPPS $0x1e, exp126<>(SB), Y7, Y7; \
	VMULPS Y4, Y4, Y8; \
	VMOVUPS expC4<>(SB), Y9; \
	VFMADD231PS expC5<>(SB), Y4, Y9; \
	VMOVUPS expC2<>(SB), Y10; \
	VFMADD231PS expC3<>(SB), Y4, Y10; \
	VFMADD231PS Y8, Y9, Y10; \
	VMULPS expC1<>(SB), Y4, Y11; \
	VFMADD231PS Y8, Y10, Y11; \
	VMOVMSKPS Y7, AX; \
	TESTL AX, AX; \
	JNE  expslow; \
	VFMADD231PS Y11, Y6, Y6; \
	JMP  expdone; \
expslow: \
	VXORPS Y12, Y12, Y12; \
	VCMPPS $0x12, Y12, Y3, Y13; \
	VANDPS expG<>(SB), Y13, Y13; \
	VPADDD expBias<>(SB), Y13, Y14; \
	VPSUBD Y13, Y5, Y15; \
	VANDPS expAbs<>(SB), Y3, Y12; \
	VCMPPS $0x1e, exp192<>(SB), Y12, Y12; \
	VMULPS Y14, Y14, Y9; \
	VFMADD231PS Y11, Y15, Y15; \
	VMULPS Y14, Y15, Y15; \
	VFMADD231PS Y11, Y6, Y6; \
	VBLENDVPS Y7, Y15, Y6, Y6; \
	VBLENDVPS Y12, Y9, Y6, Y6; \
expdone:

// func softmaxExpAVX2(x []float32, m []float32) float64
// x[i] = vexpf(x[i] - m[0]) for groups of eight (len(x) a multiple of 8);
// returns Σ_groups float64(hsum8(group)), added in order. m holds eight
// copies of the maximum.
TEXT ·softmaxExpAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ m_base+24(FP), DX
	SHRQ $3, CX
	VXORPD X1, X1, X1
	TESTQ CX, CX
	JEQ  smdone

smloop:
	VMOVUPS (SI), Y0
	VSUBPS (DX), Y0, Y0
	VEXPF
	VMOVUPS Y6, (SI)
	VEXTRACTF128 $1, Y6, X2
	VADDPS X6, X2, X2
	VMOVHLPS X2, X2, X3
	VADDPS X3, X2, X2
	VMOVSHDUP X2, X3
	VADDSS X3, X2, X2
	VCVTSS2SD X2, X2, X2
	VADDSD X2, X1, X1
	ADDQ $32, SI
	DECQ CX
	JNZ  smloop

smdone:
	VZEROUPPER
	MOVSD X1, ret+48(FP)
	RET

// func siluMulAVX2(gate, up []float32)
// gate[i] = (g / (1 + vexpf(0 - g))) * up[i] for groups of eight
// (ggml_v_silu then the swiglu product); len(gate) a multiple of 8,
// len(up) >= len(gate).
TEXT ·siluMulAVX2(SB), NOSPLIT, $0-48
	MOVQ gate_base+0(FP), SI
	MOVQ gate_len+8(FP), CX
	MOVQ up_base+24(FP), DI
	SHRQ $3, CX
	TESTQ CX, CX
	JEQ  sldone

slloop:
	VXORPS Y1, Y1, Y1
	VSUBPS (SI), Y1, Y0
	VEXPF
	VADDPS expOne<>(SB), Y6, Y6
	VMOVUPS (SI), Y1
	VDIVPS Y6, Y1, Y1
	VMULPS (DI), Y1, Y1
	VMOVUPS Y1, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  slloop

sldone:
	VZEROUPPER
	RET

DATA expR<>+0(SB)/8, $0x4b4000004b400000
DATA expR<>+8(SB)/8, $0x4b4000004b400000
DATA expR<>+16(SB)/8, $0x4b4000004b400000
DATA expR<>+24(SB)/8, $0x4b4000004b400000
GLOBL expR<>(SB), RODATA|NOPTR, $32
DATA expLog2e<>+0(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expLog2e<>+8(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expLog2e<>+16(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expLog2e<>+24(SB)/8, $0x3fb8aa3b3fb8aa3b
GLOBL expLog2e<>(SB), RODATA|NOPTR, $32
DATA expLn2Lo<>+0(SB)/8, $0x35bfbe8e35bfbe8e
DATA expLn2Lo<>+8(SB)/8, $0x35bfbe8e35bfbe8e
DATA expLn2Lo<>+16(SB)/8, $0x35bfbe8e35bfbe8e
DATA expLn2Lo<>+24(SB)/8, $0x35bfbe8e35bfbe8e
GLOBL expLn2Lo<>(SB), RODATA|NOPTR, $32
DATA expLn2Hi<>+0(SB)/8, $0x3f3172003f317200
DATA expLn2Hi<>+8(SB)/8, $0x3f3172003f317200
DATA expLn2Hi<>+16(SB)/8, $0x3f3172003f317200
DATA expLn2Hi<>+24(SB)/8, $0x3f3172003f317200
GLOBL expLn2Hi<>(SB), RODATA|NOPTR, $32
DATA expOne<>+0(SB)/8, $0x3f8000003f800000
DATA expOne<>+8(SB)/8, $0x3f8000003f800000
DATA expOne<>+16(SB)/8, $0x3f8000003f800000
DATA expOne<>+24(SB)/8, $0x3f8000003f800000
GLOBL expOne<>(SB), RODATA|NOPTR, $32
DATA exp126<>+0(SB)/8, $0x42fc000042fc0000
DATA exp126<>+8(SB)/8, $0x42fc000042fc0000
DATA exp126<>+16(SB)/8, $0x42fc000042fc0000
DATA exp126<>+24(SB)/8, $0x42fc000042fc0000
GLOBL exp126<>(SB), RODATA|NOPTR, $32
DATA exp192<>+0(SB)/8, $0x4340000043400000
DATA exp192<>+8(SB)/8, $0x4340000043400000
DATA exp192<>+16(SB)/8, $0x4340000043400000
DATA exp192<>+24(SB)/8, $0x4340000043400000
GLOBL exp192<>(SB), RODATA|NOPTR, $32
DATA expC5<>+0(SB)/8, $0x3c0720103c072010
DATA expC5<>+8(SB)/8, $0x3c0720103c072010
DATA expC5<>+16(SB)/8, $0x3c0720103c072010
DATA expC5<>+24(SB)/8, $0x3c0720103c072010
GLOBL expC5<>(SB), RODATA|NOPTR, $32
DATA expC4<>+0(SB)/8, $0x3d2b9f173d2b9f17
DATA expC4<>+8(SB)/8, $0x3d2b9f173d2b9f17
DATA expC4<>+16(SB)/8, $0x3d2b9f173d2b9f17
DATA expC4<>+24(SB)/8, $0x3d2b9f173d2b9f17
GLOBL expC4<>(SB), RODATA|NOPTR, $32
DATA expC3<>+0(SB)/8, $0x3e2aaf333e2aaf33
DATA expC3<>+8(SB)/8, $0x3e2aaf333e2aaf33
DATA expC3<>+16(SB)/8, $0x3e2aaf333e2aaf33
DATA expC3<>+24(SB)/8, $0x3e2aaf333e2aaf33
GLOBL expC3<>(SB), RODATA|NOPTR, $32
DATA expC2<>+0(SB)/8, $0x3efffedb3efffedb
DATA expC2<>+8(SB)/8, $0x3efffedb3efffedb
DATA expC2<>+16(SB)/8, $0x3efffedb3efffedb
DATA expC2<>+24(SB)/8, $0x3efffedb3efffedb
GLOBL expC2<>(SB), RODATA|NOPTR, $32
DATA expC1<>+0(SB)/8, $0x3f7ffff63f7ffff6
DATA expC1<>+8(SB)/8, $0x3f7ffff63f7ffff6
DATA expC1<>+16(SB)/8, $0x3f7ffff63f7ffff6
DATA expC1<>+24(SB)/8, $0x3f7ffff63f7ffff6
GLOBL expC1<>(SB), RODATA|NOPTR, $32
DATA expG<>+0(SB)/8, $0x8200000082000000
DATA expG<>+8(SB)/8, $0x8200000082000000
DATA expG<>+16(SB)/8, $0x8200000082000000
DATA expG<>+24(SB)/8, $0x8200000082000000
GLOBL expG<>(SB), RODATA|NOPTR, $32
DATA expBias<>+0(SB)/8, $0x7f0000007f000000
DATA expBias<>+8(SB)/8, $0x7f0000007f000000
DATA expBias<>+16(SB)/8, $0x7f0000007f000000
DATA expBias<>+24(SB)/8, $0x7f0000007f000000
GLOBL expBias<>(SB), RODATA|NOPTR, $32
DATA expAbs<>+0(SB)/8, $0x7fffffff7fffffff
DATA expAbs<>+8(SB)/8, $0x7fffffff7fffffff
DATA expAbs<>+16(SB)/8, $0x7fffffff7fffffff
DATA expAbs<>+24(SB)/8, $0x7fffffff7fffffff
GLOBL expAbs<>(SB), RODATA|NOPTR, $32

// func maxAVX2(x []float32) float32
// The largest element of x (VMAXPS lane by lane, then across the lanes);
// len(x) a multiple of 8, at least 8. NaNs are not propagated reliably:
// Softmax's results are all NaN either way.
TEXT ·maxAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VMOVUPS (SI), Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JEQ  mxdone

mxloop:
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  mxloop

mxdone:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func scaleAVX2(x []float32, s float32)
// x[i] *= s; len(x) a multiple of 8.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VBROADCASTSS s+24(FP), Y1
	SHRQ $3, CX
	JEQ  scdone

scloop:
	VMULPS (SI), Y1, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	DECQ CX
	JNZ  scloop

scdone:
	VZEROUPPER
	RET
