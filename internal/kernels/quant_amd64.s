//go:build !purego

#include "textflag.h"

// func quantQ8_0AVX2(x []float32, dst []byte, nb int)
// llama.cpp's AVX2 quantize_row_q8_0: per block of 32, amax = max|x| (vmaxps
// tree), d = amax/127 stored as fp16 (vcvtps2ph, round to nearest even),
// id = 127/amax (0 when amax is 0), q = cvtps_epi32(round_nearest(x*id)),
// packed with signed saturation and put back in order. len(x) >= 32*nb,
// len(dst) >= 34*nb.
TEXT ·quantQ8_0AVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ dst_base+24(FP), DI
	MOVQ nb+48(FP), CX
	MOVL $0x7fffffff, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15          // abs mask
	MOVL $0x42fe0000, AX           // 127.0
	VMOVD AX, X14
	VMOVDQU q8perm<>(SB), Y13
	VXORPS X12, X12, X12
	TESTQ CX, CX
	JEQ  qdone

qloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VANDPS Y15, Y0, Y4
	VANDPS Y15, Y1, Y5
	VMAXPS Y5, Y4, Y4              // max(abs(v0), abs(v1)) as _mm256_max_ps(maxAbs, abs(v1))
	VANDPS Y15, Y2, Y5
	VMAXPS Y5, Y4, Y4
	VANDPS Y15, Y3, Y5
	VMAXPS Y5, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS X4, X5, X5              // _mm_max_ps(hi, lo)
	VMOVHLPS X5, X5, X6
	VMAXPS X6, X5, X5
	VMOVSHDUP X5, X6
	VMAXSS X6, X5, X5              // maxScalar in X5
	VDIVSS X14, X5, X6             // d = max / 127
	VCVTPS2PH $0, X6, X6
	VPEXTRW $0, X6, AX
	MOVW AX, (DI)
	VXORPS X7, X7, X7
	VUCOMISS X12, X5
	JNE  qdiv
	JPC  qzero                     // max == 0 (ordered): id = 0

qdiv:
	VDIVSS X5, X14, X7             // id = 127 / max

qzero:
	VBROADCASTSS X7, Y7
	VMULPS Y7, Y0, Y0
	VMULPS Y7, Y1, Y1
	VMULPS Y7, Y2, Y2
	VMULPS Y7, Y3, Y3
	VROUNDPS $0, Y0, Y0
	VROUNDPS $0, Y1, Y1
	VROUNDPS $0, Y2, Y2
	VROUNDPS $0, Y3, Y3
	VCVTPS2DQ Y0, Y0
	VCVTPS2DQ Y1, Y1
	VCVTPS2DQ Y2, Y2
	VCVTPS2DQ Y3, Y3
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD Y0, Y13, Y0
	VMOVDQU Y0, 2(DI)
	ADDQ $128, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  qloop

qdone:
	VZEROUPPER
	RET

DATA q8perm<>+0(SB)/8, $0x0000000400000000
DATA q8perm<>+8(SB)/8, $0x0000000500000001
DATA q8perm<>+16(SB)/8, $0x0000000600000002
DATA q8perm<>+24(SB)/8, $0x0000000700000003
GLOBL q8perm<>(SB), RODATA|NOPTR, $32

// func f32ToF16AVX2(x []float32, dst []uint16)
// dst[i] = fp16(x[i]) with vcvtps2ph, round to nearest even (ggml's
// GGML_CPU_FP32_TO_FP16 on F16C machines), eight at a time, then one by one.
// len(dst) >= len(x).
TEXT ·f32ToF16AVX2(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ dst_base+24(FP), DI
	MOVQ CX, DX
	ANDQ $-8, DX
	XORQ AX, AX
	CMPQ AX, DX
	JEQ  hctail

hcloop:
	VMOVUPS (SI)(AX*4), Y0
	VCVTPS2PH $0, Y0, X0
	VMOVDQU X0, (DI)(AX*2)
	ADDQ $8, AX
	CMPQ AX, DX
	JLT  hcloop

hctail:
	CMPQ AX, CX
	JGE  hcdone
	VMOVSS (SI)(AX*4), X0
	VCVTPS2PH $0, X0, X0
	VPEXTRW $0, X0, BX
	MOVW BX, (DI)(AX*2)
	INCQ AX
	JMP  hctail

hcdone:
	VZEROUPPER
	RET
