//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

// Q4K_R4_ROW(acc, mins): one weight row's super-block (SI): its scales and
// mins (KSCALES, clobbers X10), the mins times the pairwise bsums (X15)
// into mins, the four nibble pairs into acc.
#define Q4K_R4_ROW(acc, mins) \
	KSCALES; \
	VEXTRACTI128 $1, Y6, X9; \
	VPMADDWD X15, X9, mins; \
	VINSERTI128 $1, X6, Y6, Y6; \
	VPXOR acc, acc, acc; \
	Q4K_PAIR(0, acc, Y11, Y12); \
	Q4K_PAIR(1, acc, Y11, Y12); \
	Q4K_PAIR(2, acc, Y11, Y12); \
	Q4K_PAIR(3, acc, Y11, Y12)

// func dotQ4KPackedRows4AVX2(w []byte, stride int, x []byte, nb int, out []float32)
// Four Q4_K weight rows (stride bytes apart) times one Q8_K activation row
// with dotQ4KPackedAVX2's arithmetic per output, the four rows' float work
// done together: lane r of X8 (X13) gets exactly row r's fused multiply-add
// of the quants (mins) per super-block, as the one-row kernel does in its
// scalar registers, and out[r] = X8[r] - X13[r]. len(w) >= 3*stride +
// 144*nb, len(x) >= 292*nb, len(out) >= 4.
TEXT ·dotQ4KPackedRows4AVX2(SB), NOSPLIT, $0-88
	MOVQ w_base+0(FP), BX
	MOVQ stride+24(FP), DX
	MOVQ x_base+32(FP), DI
	MOVQ nb+56(FP), CX
	LEAQ (DX)(DX*2), R14
	LEAQ (BX)(DX*4), AX            // the next four-row group, prefetched
	VXORPS X8, X8, X8              // acc, one lane per row
	VXORPS X13, X13, X13           // accm
	MOVL $0x0f0f0f0f, R8
	VMOVD R8, X14
	VPBROADCASTD X14, Y14
	TESTQ CX, CX
	JEQ  r4done

r4loop:
	Q4K_R4_PREFETCH                // the next group's weights; bsums → X15
	MOVQ BX, SI
	Q4K_R4_ROW(Y0, X4)
	ADDQ DX, SI
	Q4K_R4_ROW(Y1, X5)
	VPHADDD X5, X4, X4             // rows 0, 1: two partial mins sums each
	ADDQ DX, SI
	Q4K_R4_ROW(Y2, X5)
	ADDQ DX, SI
	Q4K_R4_ROW(Y3, X7)
	Q4K_R4_FLOAT                   // the four outputs' fused multiply-adds
	ADDQ $144, BX
	ADDQ $292, DI
	DECQ CX
	JNZ  r4loop

r4done:
	VSUBPS X13, X8, X8
	MOVQ out_base+64(FP), R8
	VMOVUPS X8, (R8)
	VZEROUPPER
	RET
