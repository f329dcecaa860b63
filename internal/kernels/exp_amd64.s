//go:build !purego

#include "textflag.h"

// ggml_v_expf (llama.cpp's AVX2+FMA vectorised e^x) on eight lanes, the same
// instruction for instruction as vec.h, so results equal the generic vexpf
// bit for bit. Input Y0 (preserved), result Y6; clobbers Y2-Y5, Y7-Y15.
// Y1 is left alone for the callers.
#define VEXPF \
	VMOVAPS expR<>(SB), Y2; \
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
	VMOVAPS expC4<>(SB), Y9; \
	VFMADD231PS expC5<>(SB), Y4, Y9; \
	VMOVAPS expC2<>(SB), Y10; \
	VFMADD231PS expC3<>(SB), Y4, Y10; \
	VFMADD231PS Y8, Y9, Y10; \
	VMULPS expC1<>(SB), Y4, Y11; \
	VFMADD231PS Y8, Y10, Y11; \
	VMOVMSKPS Y7, AX; \
	TESTL AX, AX; \
	JNE  6(PC); \
	VFMADD231PS Y11, Y6, Y6; \
	JMP  17(PC); \
	NOP; NOP; NOP; \
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
	VBLENDVPS Y12, Y9, Y6, Y6
