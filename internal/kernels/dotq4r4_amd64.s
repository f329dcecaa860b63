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
	// Touch the next group's weights at the rate this one is read (4·144
	// bytes per super-block): the four rows are read side by side, so the
	// one-row kernels' prefetch ahead of each row would only land in the
	// rows being read.
	PREFETCHT0 0(AX)
	PREFETCHT0 64(AX)
	PREFETCHT0 128(AX)
	PREFETCHT0 192(AX)
	PREFETCHT0 256(AX)
	PREFETCHT0 320(AX)
	PREFETCHT0 384(AX)
	PREFETCHT0 448(AX)
	PREFETCHT0 512(AX)
	ADDQ $576, AX
	VMOVDQU 260(DI), Y15           // pairwise bsums (int16), shared by the rows
	VEXTRACTI128 $1, Y15, X9
	VPHADDW X9, X15, X15
	MOVQ BX, SI
	Q4K_R4_ROW(Y0, X4)
	ADDQ DX, SI
	Q4K_R4_ROW(Y1, X5)
	VPHADDD X5, X4, X4             // rows 0, 1: two partial mins sums each
	ADDQ DX, SI
	Q4K_R4_ROW(Y2, X5)
	ADDQ DX, SI
	Q4K_R4_ROW(Y3, X7)
	VPHADDD X7, X5, X5
	VPHADDD X5, X4, X4             // X4 = the four rows' mins sums
	VCVTDQ2PS X4, X4
	VPHADDD Y1, Y0, Y9             // quants: Y0..Y3 → X9 = (Σ0, Σ1, Σ2, Σ3)
	VPHADDD Y3, Y2, Y10
	VPHADDD Y10, Y9, Y9
	VEXTRACTI128 $1, Y9, X10
	VPADDD X10, X9, X9
	VCVTDQ2PS X9, X9
	VMOVD (BX), X10                // (d, dmin) of rows 0..3 as fp16 pairs
	VPINSRD $1, (BX)(DX*1), X10, X10
	VPINSRD $2, (BX)(DX*2), X10, X10
	VPINSRD $3, (BX)(R14*1), X10, X10
	VCVTPH2PS X10, Y10             // (d0, m0, d1, m1 | d2, m2, d3, m3)
	VEXTRACTF128 $1, Y10, X11
	VSHUFPS $0x88, X11, X10, X12   // (d0, d1, d2, d3)
	VSHUFPS $0xdd, X11, X10, X10   // (m0, m1, m2, m3)
	VBROADCASTSS (DI), X11         // y.d
	VMULPS X11, X12, X12           // d = x.d * y.d
	VMULPS X11, X10, X10           // dmin = x.dmin * y.d
	VFMADD231PS X12, X9, X8        // acc = fma(sumi, d, acc)
	VFMADD231PS X10, X4, X13       // accm = fma(prod, dmin, accm)
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
