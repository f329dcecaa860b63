//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

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

// Q8_K quantizer register roles (quantQ8_KAVX2): Y15 abs mask, Y14 magic
// 1.5*2^23, Y13 mantissa mask, Y12 clamp 0x40007f, Y11 low-byte mask,
// Y10 q8perm, Y9 bytes 0x80, Y8 zero, Y7 iscale.


// AMAX4(off): Y0-Y3 = max(Y0-Y3, |x|) over the 32 floats at off(SI). The new
// value is the first source, the accumulator the second, so a NaN lane keeps
// the accumulator (the Go loop skips NaN: ax > amax is false).
#define AMAX4(off) \
	VANDPS off(SI), Y15, Y4; \
	VMAXPS Y0, Y4, Y0; \
	VANDPS off+32(SI), Y15, Y5; \
	VMAXPS Y1, Y5, Y1; \
	VANDPS off+64(SI), Y15, Y4; \
	VMAXPS Y2, Y4, Y2; \
	VANDPS off+96(SI), Y15, Y5; \
	VMAXPS Y3, Y5, Y3

// QINT(off, y): y = the int8 quant of the 8 floats at off(SI) in the low byte
// of each dword, upper bytes zero: nearestInt's bits of iscale*x + 1.5*2^23,
// mantissa - 0x400000 clamped to 127 (as min(0x40007f, mantissa)), low byte.
#define QINT(off, y) \
	VMULPS off(SI), Y7, y; \
	VADDPS Y14, y, y; \
	VPAND Y13, y, y; \
	VPMINSD Y12, y, y; \
	VPAND Y11, y, y

// QCHUNK(off, qoff, s): quantize the 32 floats at off(SI), store the 32 int8
// at qoff(DI) (qoff = 4 + off/4), and s = VPSADBW of the quants biased by
// 0x80 (four qwords: the biased sums of bytes 0-7, 8-15 | 16-23, 24-31).
// Clobbers Y0-Y3 (s may be Y0).
#define QCHUNK(off, qoff, s) \
	QINT(off, Y0); \
	QINT(off+32, Y1); \
	QINT(off+64, Y2); \
	QINT(off+96, Y3); \
	VPACKUSDW Y1, Y0, Y0; \
	VPACKUSDW Y3, Y2, Y2; \
	VPACKUSWB Y2, Y0, Y0; \
	VPERMD Y0, Y10, Y0; \
	VMOVDQU Y0, qoff(DI); \
	VPXOR Y9, Y0, Y0; \
	VPSADBW Y8, Y0, s

// QCHUNK4(off, qoff, r): four chunks from off(SI) to qoff(DI); r = eight
// dword sums of 16 biased quants: lane 0 groups 0, 2, 4, 6 and lane 1
// groups 1, 3, 5, 7 of the four chunks (group = 16 quants). VPACKUSDW keeps
// the low dword of each qword sum (all < 2^12); VPHADDD adds the two halves
// of each group. Clobbers Y0-Y5; r is written last.
#define QCHUNK4(off, qoff, r) \
	QCHUNK(off, qoff, Y4); \
	QCHUNK(off+128, qoff+32, Y0); \
	VPACKUSDW Y0, Y4, Y4; \
	QCHUNK(off+256, qoff+64, Y5); \
	QCHUNK(off+384, qoff+96, Y0); \
	VPACKUSDW Y0, Y5, Y5; \
	VPHADDD Y5, Y4, r

// func quantQ8_KAVX2(x []float32, dst []byte, nb int)
// llama.cpp's quantize_row_q8_K_ref, per block of 256: amax = max|x| over
// the non-NaN values (vmaxps), vmax = the first x with |x| == amax, an
// all-zero block when amax is 0, else iscale = -127/vmax,
// q = min(127, nearest_int(iscale*x)) computed with the same float32 bit
// trick (vmulps, vaddps 1.5*2^23, mantissa bits), truncated to int8, bsums =
// the 16 sums of 16 quants (vpsadbw of q^0x80, minus 16*128), d = 1/iscale.
// Block: 4 bytes d, 256 quants, 32 bytes bsums. len(x) >= 256*nb,
// len(dst) >= 292*nb.
TEXT ·quantQ8_KAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ dst_base+24(FP), DI
	MOVQ nb+48(FP), CX
	BCAST8(AX, $0x7fffffff, X15, Y15)
	BCAST8(AX, $0x4b400000, X14, Y14) // 12582912.0 = 1.5*2^23
	BCAST8(AX, $0x007fffff, X13, Y13)
	BCAST8(AX, $0x0040007f, X12, Y12) // mantissa of 1.5*2^23 + 127
	BCAST8(AX, $0x000000ff, X11, Y11)
	VMOVDQU q8perm<>(SB), Y10
	BCAST8(AX, $0x80808080, X9, Y9)
	VPXOR Y8, Y8, Y8
	TESTQ CX, CX
	JEQ  kdone

kblock:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	AMAX4(0)
	AMAX4(128)
	AMAX4(256)
	AMAX4(384)
	AMAX4(512)
	AMAX4(640)
	AMAX4(768)
	AMAX4(896)
	VMAXPS Y1, Y0, Y0              // no NaN left: operand order is free
	VMAXPS Y3, Y2, Y2
	VMAXPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VMOVHLPS X0, X0, X1
	VMAXPS X1, X0, X0
	VMOVSHDUP X0, X1
	VMAXSS X1, X0, X0              // amax
	VUCOMISS X8, X0
	JEQ  kzero                     // amax == 0 (amax is never NaN)
	VBROADCASTSS X0, Y6

	// vmax: the first x with |x| == amax, 32 floats at a time.
	MOVQ SI, R8
	MOVQ $8, DX

kfind:
	VANDPS (R8), Y15, Y0
	VANDPS 32(R8), Y15, Y1
	VANDPS 64(R8), Y15, Y2
	VANDPS 96(R8), Y15, Y3
	VCMPPS $0, Y6, Y0, Y0          // EQ_OQ
	VCMPPS $0, Y6, Y1, Y1
	VCMPPS $0, Y6, Y2, Y2
	VCMPPS $0, Y6, Y3, Y3
	VORPS Y1, Y0, Y4
	VORPS Y3, Y2, Y5
	VORPS Y5, Y4, Y4
	VMOVMSKPS Y4, AX
	TESTL AX, AX
	JNE  kfound
	ADDQ $128, R8
	DECQ DX
	JNE  kfind
	VMOVAPS X6, X0                 // unreachable (amax is some |x|): vmax = amax
	JMP  kscale

kfound:
	VMOVMSKPS Y0, AX
	VMOVMSKPS Y1, BX
	SHLL $8, BX
	ORL  BX, AX
	VMOVMSKPS Y2, BX
	SHLL $16, BX
	ORL  BX, AX
	VMOVMSKPS Y3, BX
	SHLL $24, BX
	ORL  BX, AX
	BSFL AX, AX
	VMOVSS (R8)(AX*4), X0          // vmax

kscale:
	MOVL $0xc2fe0000, AX           // -127.0
	VMOVD AX, X1
	VDIVSS X0, X1, X7              // iscale = -127/vmax
	MOVL $0x3f800000, AX           // 1.0
	VMOVD AX, X1
	VDIVSS X7, X1, X1              // d = 1/iscale
	VMOVSS X1, (DI)
	VBROADCASTSS X7, Y7

	QCHUNK4(0, 4, Y6)
	QCHUNK4(512, 132, Y7)          // iscale is dead after the last QINT

	// Y6/Y7 lane 0: groups 0,2,4,6 / 8,10,12,14; lane 1: the odd groups.
	VPACKSSDW Y7, Y6, Y6           // lane 0 even groups 0-14, lane 1 odd 1-15
	MOVL $0x08000800, AX           // 16*128 per group, as int16
	VMOVD AX, X1
	VPBROADCASTD X1, Y1
	VPSUBW Y1, Y6, Y6
	VEXTRACTI128 $1, Y6, X1
	VPUNPCKLWD X1, X6, X2          // groups 0-7
	VPUNPCKHWD X1, X6, X3          // groups 8-15
	VMOVDQU X2, 260(DI)
	VMOVDQU X3, 276(DI)
	JMP  knext

kzero:
	VMOVDQU Y8, (DI)
	VMOVDQU Y8, 32(DI)
	VMOVDQU Y8, 64(DI)
	VMOVDQU Y8, 96(DI)
	VMOVDQU Y8, 128(DI)
	VMOVDQU Y8, 160(DI)
	VMOVDQU Y8, 192(DI)
	VMOVDQU Y8, 224(DI)
	VMOVDQU Y8, 256(DI)
	VMOVDQU Y8, 260(DI)            // bytes 260-291

knext:
	ADDQ $1024, SI
	ADDQ $292, DI
	DECQ CX
	JNE  kblock

kdone:
	VZEROUPPER
	RET

// func roundF16AVX2(dst, src []float32)
TEXT ·roundF16AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	MOVQ CX, DX
	ANDQ $-8, DX
	XORQ AX, AX
	CMPQ AX, DX
	JEQ  rftail

rfloop:
	VMOVUPS (SI)(AX*4), Y0
	VCVTPS2PH $0, Y0, X0
	VCVTPH2PS X0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, DX
	JLT  rfloop

rftail:
	CMPQ AX, CX
	JGE  rfdone
	VMOVSS (SI)(AX*4), X0
	VCVTPS2PH $0, X0, X0
	VCVTPH2PS X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ AX
	JMP  rftail

rfdone:
	VZEROUPPER
	RET
