//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

// AVX2+FMA(+F16C) kernels. Each one is the instruction sequence of llama.cpp's
// x86 AVX2 code for the same operation (ggml-cpu/arch/x86/quants.c, vec.h),
// so lane contents, fused multiply-adds and reductions match the generic Go
// reference (the *_generic.go files) bit for bit. The Go stubs in
// dot_amd64.go carry each function's reference loop and bound every slice
// before the call: the assembly never reads past the slices it is given.

// func dotQ8_0AVX2(w, x []byte, nb int) float32
TEXT ·dotQ8_0AVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
	ONES16(AX, Y15)
	TESTQ CX, CX
	JEQ  q80done

q80loop:
	PREFETCHT0 256(SI)
	HALFPROD(0)
	VMOVDQU 2(SI), Y2
	VMOVDQU 2(DI), Y3
	MULSUM_I8(Y2, Y3, Y4, Y5)
	VFMADD231PS Y4, Y1, Y0
	ADDQ $34, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  q80loop

q80done:
	HSUM8
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// func dotQ5_0AVX2(w, x []byte, nb int) float32
TEXT ·dotQ5_0AVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
	ONES16(AX, Y15)
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14          // 0x0F bytes
	MOVL $0xf0f0f0f0, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13          // 0xF0 bytes
	VMOVDQU ·shufBits(SB), Y12    // byte i <- byte i/8 of qh
	MOVQ $0x7fbfdfeff7fbfdfe, AX
	MOVQ AX, X11
	VPBROADCASTQ X11, Y11          // all bits but bit i%8
	VPCMPEQB Y10, Y10, Y10         // all ones
	TESTQ CX, CX
	JEQ  q50done

q50loop:
	PREFETCHT0 256(SI)
	HALFPROD(0)
	VMOVDQU 6(SI), X2              // bytes_from_nibbles_32
	VPSRLW $4, X2, X3
	VINSERTI128 $1, X3, Y2, Y2
	VPAND Y14, Y2, Y2
	VPBROADCASTD 2(SI), Y3         // bytes_from_bits_32(qh)
	VPSHUFB Y12, Y3, Y3
	VPOR Y11, Y3, Y3
	VPCMPEQB Y10, Y3, Y3
	VPANDN Y13, Y3, Y3             // andnot(bits, 0xF0)
	VPOR Y3, Y2, Y2
	VMOVDQU 2(DI), Y3
	MULSUM_I8(Y2, Y3, Y4, Y5)
	VFMADD231PS Y4, Y1, Y0
	ADDQ $22, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  q50loop

q50done:
	HSUM8
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// func dotQ4KAVX2(w, x []byte, nb int) float32
TEXT ·dotQ4KAVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS X11, X11, X11           // acc_m (4 lanes)
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x80000000, AX
	VMOVD AX, X13                  // float32 sign bit
	TESTQ CX, CX
	JEQ  q4kdone

q4kloop:
	PREFETCHT0 PFK(SI)
	PREFETCHT0 PFK64(SI)
	VMOVSS (DI), X1                // y.d
	MOVL (SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2               // (x.d, x.dmin)
	VMULSS X2, X1, X3              // d = y.d * x.d
	VBROADCASTSS X3, Y5
	VMOVSHDUP X2, X4
	VXORPS X13, X1, X1             // -y.d
	VMULSS X4, X1, X4              // dmin = -y.d * x.dmin
	VBROADCASTSS X4, X4

	KSCALES                        // utmp: 6-bit scales (int16 0-7) and mins (8-15)

	// mins: acc_m += dmin * (mins · pairwise bsums)
	VMOVDQU 260(DI), Y7
	VEXTRACTI128 $1, Y7, X8
	VPHADDW X8, X7, X7
	VEXTRACTI128 $1, Y6, X9
	VPMADDWD X7, X9, X9
	VCVTDQ2PS X9, X9
	VFMADD231PS X9, X4, X11

	VINSERTI128 $1, X6, Y6, Y6     // scales in both lanes
	VPXOR Y8, Y8, Y8
	Q4K_PAIR(0, Y8, Y1, Y2)
	Q4K_PAIR(1, Y8, Y1, Y2)
	Q4K_PAIR(2, Y8, Y1, Y2)
	Q4K_PAIR(3, Y8, Y1, Y2)
	VCVTDQ2PS Y8, Y8
	VFMADD231PS Y8, Y5, Y0

	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4kloop

q4kdone:
	HSUM8
	VMOVHLPS X11, X11, X1
	VADDPS X1, X11, X11
	VMOVSHDUP X11, X1
	VADDSS X1, X11, X11
	VADDSS X11, X0, X0
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// HSUMI8(y, x): x lane 0 = the wrapping int32 sum of y's eight lanes.
#define HSUMI8(y, x) VEXTRACTI128 $1, y, X15; VPADDD X15, x, x; VPHADDD x, x, x; VPHADDD x, x, x

// func dotQ4KPackedAVX2(w, x []byte, nb int) float32
TEXT ·dotQ4KPackedAVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS X0, X0, X0              // acc
	VXORPS X11, X11, X11           // accm
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	TESTQ CX, CX
	JEQ  q4pdone

q4ploop:
	PREFETCHT0 PFK(SI)             // weights are mmapped: prefetch across 4 KiB pages
	PREFETCHT0 PFK64(SI)
	VMOVSS (DI), X1                // y.d
	MOVL (SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2               // (x.d, x.dmin)
	VMULSS X1, X2, X5              // d = x.d * y.d
	VMOVSHDUP X2, X4
	VMULSS X1, X4, X4              // dmin = x.dmin * y.d
	KSCALES
	VMOVDQU 260(DI), Y7            // mins · pairwise bsums, 4 lanes
	VEXTRACTI128 $1, Y7, X8
	VPHADDW X8, X7, X7
	VEXTRACTI128 $1, Y6, X9
	VPMADDWD X7, X9, X9
	VPHADDD X9, X9, X9
	VPHADDD X9, X9, X9
	VCVTDQ2PS X9, X9
	VFMADD231SS X4, X9, X11        // accm = fma(prod, dmin, accm)
	VINSERTI128 $1, X6, Y6, Y6
	VPXOR Y8, Y8, Y8
	Q4K_PAIR(0, Y8, Y1, Y2)
	Q4K_PAIR(1, Y8, Y1, Y2)
	Q4K_PAIR(2, Y8, Y1, Y2)
	Q4K_PAIR(3, Y8, Y1, Y2)
	HSUMI8(Y8, X8)
	VCVTDQ2PS X8, X8
	VFMADD231SS X5, X8, X0         // acc = fma(sumi, d, acc)
	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4ploop

q4pdone:
	VSUBSS X11, X0, X0
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET


// MINS4(m, x): x = the four int32 products of the Q4_K mins (X7) with the
// pairwise sums of the 16 Q8_K bsums at m.
#define MINS4(m, x) VMOVDQU m, Y13; VEXTRACTI128 $1, Y13, X11; VPHADDW X11, X13, X13; VPMADDWD X7, X13, x

// func dotQ4KPackedCols4AVX2(w []byte, x []byte, xstride int, nb int, acc []float32)
// One Q4_K weight row times four Q8_K activation rows (xstride bytes apart)
// with dotQ4KPackedAVX2's arithmetic per output: the weight nibbles and
// scales are unpacked once for the four rows. acc[a] and acc[4+a] receive
// the two float32 accumulators (quants, mins) of output a; the result is
// acc[a] - acc[4+a]. len(w) >= 144*nb, len(x) >= 3*xstride + 292*nb,
// len(acc) >= 8.
TEXT ·dotQ4KPackedCols4AVX2(SB), NOSPLIT, $0-88
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ xstride+48(FP), DX
	MOVQ nb+56(FP), CX
	MOVQ acc_base+64(FP), BX
	VXORPS X0, X0, X0
	VMOVUPS Y0, (BX)
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	TESTQ CX, CX
	JEQ  c4done

c4loop:
	PREFETCHT0 PFK(SI)
	PREFETCHT0 PFK64(SI)
	KSCALES
	LEAQ (DX)(DX*2), R12
	ADDQ DI, R12
	VEXTRACTI128 $1, Y6, X7        // mins
	VINSERTI128 $1, X6, Y6, Y6     // scales in both lanes
	MOVL (SI), AX
	VMOVD AX, X5
	VCVTPH2PS X5, X5               // (x.d, x.dmin)
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPSHUFB ·shufK4+0(SB), Y6, Y9
	VPSHUFB ·shufK4+32(SB), Y6, Y10
	VMOVDQU 16(SI), Y11
	VPSRLW $4, Y11, Y12
	VPAND Y14, Y11, Y11
	VPAND Y14, Y12, Y12
	VPMADDUBSW 4(DI), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 36(DI), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 4(DI)(DX*1), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 36(DI)(DX*1), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 4(DI)(DX*2), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 36(DI)(DX*2), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 4(R12), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y3, Y3
	VPMADDUBSW 36(R12), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y3, Y3
	VPSHUFB ·shufK4+64(SB), Y6, Y9
	VPSHUFB ·shufK4+96(SB), Y6, Y10
	VMOVDQU 48(SI), Y11
	VPSRLW $4, Y11, Y12
	VPAND Y14, Y11, Y11
	VPAND Y14, Y12, Y12
	VPMADDUBSW 68(DI), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 100(DI), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 68(DI)(DX*1), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 100(DI)(DX*1), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 68(DI)(DX*2), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 100(DI)(DX*2), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 68(R12), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y3, Y3
	VPMADDUBSW 100(R12), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y3, Y3
	VPSHUFB ·shufK4+128(SB), Y6, Y9
	VPSHUFB ·shufK4+160(SB), Y6, Y10
	VMOVDQU 80(SI), Y11
	VPSRLW $4, Y11, Y12
	VPAND Y14, Y11, Y11
	VPAND Y14, Y12, Y12
	VPMADDUBSW 132(DI), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 164(DI), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 132(DI)(DX*1), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 164(DI)(DX*1), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 132(DI)(DX*2), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 164(DI)(DX*2), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 132(R12), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y3, Y3
	VPMADDUBSW 164(R12), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y3, Y3
	VPSHUFB ·shufK4+192(SB), Y6, Y9
	VPSHUFB ·shufK4+224(SB), Y6, Y10
	VMOVDQU 112(SI), Y11
	VPSRLW $4, Y11, Y12
	VPAND Y14, Y11, Y11
	VPAND Y14, Y12, Y12
	VPMADDUBSW 196(DI), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 228(DI), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y0, Y0
	VPMADDUBSW 196(DI)(DX*1), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 228(DI)(DX*1), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y1, Y1
	VPMADDUBSW 196(DI)(DX*2), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 228(DI)(DX*2), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y2, Y2
	VPMADDUBSW 196(R12), Y11, Y13
	VPMADDWD Y9, Y13, Y13
	VPADDD Y13, Y3, Y3
	VPMADDUBSW 228(R12), Y12, Y13
	VPMADDWD Y10, Y13, Y13
	VPADDD Y13, Y3, Y3
	// The four outputs' sums are reduced together, one lane per activation
	// row: integer sums are exact in any order, and lane a then gets the
	// same float multiply and fused multiply-add as dotQ4KPackedAVX2.
	VPHADDD Y1, Y0, Y8             // quants: Y0..Y3 → X8 = (Σ0, Σ1, Σ2, Σ3)
	VPHADDD Y3, Y2, Y9
	VPHADDD Y9, Y8, Y8
	VEXTRACTI128 $1, Y8, X9
	VPADDD X9, X8, X8
	VCVTDQ2PS X8, X8
	VMOVSS (DI), X15               // X15 = the four y.d
	VINSERTPS $0x10, (DI)(DX*1), X15, X15
	VINSERTPS $0x20, (DI)(DX*2), X15, X15
	VINSERTPS $0x30, (R12), X15, X15
	VBROADCASTSS X5, X9
	VMULPS X15, X9, X9             // x.d * y.d
	VMOVUPS (BX), X10
	VFMADD231PS X9, X8, X10        // acc = fma(sumi, d, acc)
	VMOVUPS X10, (BX)
	MINS4(260(DI), X0)             // mins · pairwise bsums, per activation row
	MINS4(260(DI)(DX*1), X1)
	MINS4(260(DI)(DX*2), X2)
	MINS4(260(R12), X3)
	VPHADDD X1, X0, X0
	VPHADDD X3, X2, X2
	VPHADDD X2, X0, X0             // (Σ0, Σ1, Σ2, Σ3)
	VCVTDQ2PS X0, X0
	VMOVSHDUP X5, X9
	VBROADCASTSS X9, X9
	VMULPS X15, X9, X9             // x.dmin * y.d
	VMOVUPS 16(BX), X10
	VFMADD231PS X9, X0, X10        // accm = fma(summ, dmin, accm)
	VMOVUPS X10, 16(BX)
	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  c4loop

c4done:
	VZEROUPPER
	RET

// Q6K_CHUNK(hmask, hshift, lo, loshift, off, is): 32 quants of 6 bits (low
// nibbles from lo, 2 high bits from Y8) times 32 activations at off(DI),
// times the two int8 scales is, is+1; added into Y5.
#define Q6K_CHUNK_TAIL(off, is) \
	VPMADDUBSW (off)(DI), Y4, Y4; \
	VPSHUFB shufQ6<>+(16*(is))(SB), X3, X9; \
	VPMOVSXBW X9, Y9; \
	VPMADDWD Y9, Y4, Y4; \
	VPADDD Y4, Y5, Y5

#define Q6K_HALF(j) \
	VMOVDQU (64*j)(SI), Y6; \
	VMOVDQU (64*j+32)(SI), Y7; \
	VMOVDQU (128+32*j)(SI), Y8; \
	VPAND Y13, Y8, Y9; \
	VPSLLW $4, Y9, Y9; \
	VPAND Y14, Y6, Y4; \
	VPOR Y9, Y4, Y4; \
	Q6K_CHUNK_TAIL(4+128*j, 4*j); \
	VPAND Y12, Y8, Y9; \
	VPSLLW $2, Y9, Y9; \
	VPAND Y14, Y7, Y4; \
	VPOR Y9, Y4, Y4; \
	Q6K_CHUNK_TAIL(36+128*j, 4*j+1); \
	VPAND Y11, Y8, Y9; \
	VPSRLW $4, Y6, Y4; \
	VPAND Y14, Y4, Y4; \
	VPOR Y9, Y4, Y4; \
	Q6K_CHUNK_TAIL(68+128*j, 4*j+2); \
	VPAND Y10, Y8, Y9; \
	VPSRLW $2, Y9, Y9; \
	VPSRLW $4, Y7, Y4; \
	VPAND Y14, Y4, Y4; \
	VPOR Y9, Y4, Y4; \
	Q6K_CHUNK_TAIL(100+128*j, 4*j+3)


// func dotQ6KAVX2(w, x []byte, nb int) float32
TEXT ·dotQ6KAVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
	BCAST8(AX, $0x0f0f0f0f, X14, Y14)
	BCAST8(AX, $0x03030303, X13, Y13)
	BCAST8(AX, $0x0c0c0c0c, X12, Y12)
	BCAST8(AX, $0x30303030, X11, Y11)
	BCAST8(AX, $0xc0c0c0c0, X10, Y10)
	TESTQ CX, CX
	JEQ  q6kdone

q6kloop:
	PREFETCHT0 PFK(SI)
	PREFETCHT0 PFK64(SI)
	PREFETCHT0 PFK128(SI)
	VMOVSS (DI), X1
	MOVWLZX 208(SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2
	VMULSS X2, X1, X1              // d = y.d * x.d
	VBROADCASTSS X1, Y1
	VMOVDQU 260(DI), Y2            // bsums
	VMOVDQU 192(SI), X3            // int8 scales
	VPMOVSXBW X3, Y4
	VPMADDWD Y4, Y2, Y2
	VPSLLD $5, Y2, Y2              // q8sclsub = 32 · Σ scale·bsum
	VPXOR Y5, Y5, Y5
	Q6K_HALF(0)
	Q6K_HALF(1)
	VPSUBD Y2, Y5, Y5
	VCVTDQ2PS Y5, Y5
	VFMADD231PS Y5, Y1, Y0
	ADDQ $210, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q6kloop

q6kdone:
	HSUM8
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

DATA ·shufK4+0(SB)/8, $0x0100010001000100
DATA ·shufK4+8(SB)/8, $0x0100010001000100
DATA ·shufK4+16(SB)/8, $0x0100010001000100
DATA ·shufK4+24(SB)/8, $0x0100010001000100
DATA ·shufK4+32(SB)/8, $0x0302030203020302
DATA ·shufK4+40(SB)/8, $0x0302030203020302
DATA ·shufK4+48(SB)/8, $0x0302030203020302
DATA ·shufK4+56(SB)/8, $0x0302030203020302
DATA ·shufK4+64(SB)/8, $0x0504050405040504
DATA ·shufK4+72(SB)/8, $0x0504050405040504
DATA ·shufK4+80(SB)/8, $0x0504050405040504
DATA ·shufK4+88(SB)/8, $0x0504050405040504
DATA ·shufK4+96(SB)/8, $0x0706070607060706
DATA ·shufK4+104(SB)/8, $0x0706070607060706
DATA ·shufK4+112(SB)/8, $0x0706070607060706
DATA ·shufK4+120(SB)/8, $0x0706070607060706
DATA ·shufK4+128(SB)/8, $0x0908090809080908
DATA ·shufK4+136(SB)/8, $0x0908090809080908
DATA ·shufK4+144(SB)/8, $0x0908090809080908
DATA ·shufK4+152(SB)/8, $0x0908090809080908
DATA ·shufK4+160(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA ·shufK4+168(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA ·shufK4+176(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA ·shufK4+184(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA ·shufK4+192(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA ·shufK4+200(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA ·shufK4+208(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA ·shufK4+216(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA ·shufK4+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA ·shufK4+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA ·shufK4+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA ·shufK4+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL ·shufK4(SB), RODATA|NOPTR, $256 // also used by dot5_amd64.s
DATA shufQ6<>+0(SB)/8, $0x0000000000000000
DATA shufQ6<>+8(SB)/8, $0x0101010101010101
DATA shufQ6<>+16(SB)/8, $0x0202020202020202
DATA shufQ6<>+24(SB)/8, $0x0303030303030303
DATA shufQ6<>+32(SB)/8, $0x0404040404040404
DATA shufQ6<>+40(SB)/8, $0x0505050505050505
DATA shufQ6<>+48(SB)/8, $0x0606060606060606
DATA shufQ6<>+56(SB)/8, $0x0707070707070707
DATA shufQ6<>+64(SB)/8, $0x0808080808080808
DATA shufQ6<>+72(SB)/8, $0x0909090909090909
DATA shufQ6<>+80(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA shufQ6<>+88(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA shufQ6<>+96(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA shufQ6<>+104(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA shufQ6<>+112(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA shufQ6<>+120(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL shufQ6<>(SB), RODATA|NOPTR, $128
DATA ·shufBits+0(SB)/8, $0x0000000000000000
DATA ·shufBits+8(SB)/8, $0x0101010101010101
DATA ·shufBits+16(SB)/8, $0x0202020202020202
DATA ·shufBits+24(SB)/8, $0x0303030303030303
GLOBL ·shufBits(SB), RODATA|NOPTR, $32 // also used by dot5_amd64.s

// func expandQ5_0AVX2(src, dst []byte, nb int)
// The Q8_0 form of nb Q5_0 blocks: d copied, quants bytes_from_nibbles_32 |
// andnot(bytes_from_bits_32(qh), 0xF0), i.e. (nibble | high bit << 4) - 16,
// as dotQ5_0AVX2 builds them in registers.
TEXT ·expandQ5_0AVX2(SB), NOSPLIT, $0-56
	MOVQ src_base+0(FP), SI
	MOVQ dst_base+24(FP), DI
	MOVQ nb+48(FP), CX
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14          // 0x0F bytes
	MOVL $0xf0f0f0f0, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13          // 0xF0 bytes
	VMOVDQU ·shufBits(SB), Y12    // byte i <- byte i/8 of qh
	MOVQ $0x7fbfdfeff7fbfdfe, AX
	MOVQ AX, X11
	VPBROADCASTQ X11, Y11          // all bits but bit i%8
	VPCMPEQB Y10, Y10, Y10         // all ones
	TESTQ CX, CX
	JEQ  x50done

x50loop:
	MOVWLZX (SI), AX
	MOVW AX, (DI)
	VMOVDQU 6(SI), X2
	VPSRLW $4, X2, X3
	VINSERTI128 $1, X3, Y2, Y2
	VPAND Y14, Y2, Y2
	VPBROADCASTD 2(SI), Y3
	VPSHUFB Y12, Y3, Y3
	VPOR Y11, Y3, Y3
	VPCMPEQB Y10, Y3, Y3
	VPANDN Y13, Y3, Y3
	VPOR Y3, Y2, Y2
	VMOVDQU Y2, 2(DI)
	ADDQ $22, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  x50loop

x50done:
	VZEROUPPER
	RET
