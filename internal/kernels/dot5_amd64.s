//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

// AVX2+FMA(+F16C) dot kernels for Q5_K, Q4_0 (plain and repacked), Q4_1,
// Q5_1 and BF16 weights. Like dot_amd64.s, each one is the instruction
// sequence of llama.cpp's x86 AVX2 code for the format
// (ggml-cpu/arch/x86/quants.c, repack.cpp, ggml_vec_dot_bf16), so lane
// contents, fused multiply-adds and reductions equal those of the generic Go
// reference (dot_legacy_generic.go, dot_k_generic.go, dot_float_generic.go,
// dot_repack_generic.go) bit for bit. The Go stubs in dot5_amd64.go carry each
// function's reference loop and bound every slice before the call: the
// assembly never reads past the slices it is given (prefetches may point
// past them; they never fault). Shared macros are in kernels_amd64.h, the
// shuffle tables shufK4 and shufBits in dot_amd64.s.

// NIBBLES32(off, y, t): y = bytes_from_nibbles_32 of the 16 bytes at off(SI):
// the 16 low nibbles, then the 16 high nibbles. Y14 = 0x0F bytes.
#define NIBBLES32(off, y, t) VMOVDQU off(SI), t; VPSRLW $4, t, X4; VINSERTI128 $1, X4, y, y; VPAND Y14, y, y

// ---------------------------------------------------------------------------
// Q5_K

// Q5K_PAIR(j, oplo, nlo, ophi, nhi): sub-blocks 2j (low nibbles | qh bit 2j
// << 4) and 2j+1 (high nibbles | qh bit 2j+1 << 4) of the super-block, each
// multiplied (unsigned 0..31) with its 32 activations, pair-summed, scaled by
// its 6-bit scale (shuffled out of Y6) and added into the eight int32 lanes
// of Y8. oplo/ophi shift the qh bytes (Y3) so that the wanted bit lands on
// bit 4 of every byte; Y13 = 0x10 bytes keeps only it.
#define Q5K_PAIR(j, oplo, nlo, ophi, nhi) \
	VPSHUFB ·shufK4+(64*j)(SB), Y6, Y9; \
	VPSHUFB ·shufK4+(64*j+32)(SB), Y6, Y10; \
	VMOVDQU (48+32*j)(SI), Y1; \
	VPSRLW $4, Y1, Y2; \
	VPAND Y14, Y1, Y1; \
	VPAND Y14, Y2, Y2; \
	oplo $nlo, Y3, Y4; \
	VPAND Y13, Y4, Y4; \
	VPOR Y4, Y1, Y1; \
	ophi $nhi, Y3, Y4; \
	VPAND Y13, Y4, Y4; \
	VPOR Y4, Y2, Y2; \
	VPMADDUBSW (4+64*j)(DI), Y1, Y1; \
	VPMADDUBSW (36+64*j)(DI), Y2, Y2; \
	VPMADDWD Y9, Y1, Y1; \
	VPMADDWD Y10, Y2, Y2; \
	VPADDD Y2, Y1, Y1; \
	VPADDD Y1, Y8, Y8

// func dotQ5KAVX2(w, x []byte, nb int) float32
TEXT ·dotQ5KAVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0              // acc (8 lanes)
	VXORPS X11, X11, X11           // summs (scalar)
	BCAST8(AX, $0x0f0f0f0f, X14, Y14)
	BCAST8(AX, $0x10101010, X13, Y13)
	MOVL $0x80000000, AX
	VMOVD AX, X12                  // float32 sign bit
	TESTQ CX, CX
	JEQ  q5kdone

q5kloop:
	PREFETCHT0 PFK(SI)
	PREFETCHT0 (PFK+64)(SI)
	PREFETCHT0 (PFK+128)(SI)
	VMOVSS (DI), X1                // y.d
	MOVL (SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2               // (x.d, x.dmin)
	VMULSS X2, X1, X5              // d = y.d * x.d
	VBROADCASTSS X5, Y5
	VMOVSHDUP X2, X4
	VXORPS X12, X1, X1             // -y.d
	VMULSS X4, X1, X4              // dmin = -y.d * x.dmin

	KSCALES

	// mins: summs = fma(dmin, Σ mins·(bsums pairs), summs)
	VMOVDQU 260(DI), Y7
	VEXTRACTI128 $1, Y7, X8
	VPHADDW X8, X7, X7             // q8s[j] = bsums[2j] + bsums[2j+1] (int16)
	VEXTRACTI128 $1, Y6, X9
	VPMADDWD X7, X9, X9
	VPHADDD X9, X9, X9
	VPHADDD X9, X9, X9
	VCVTDQ2PS X9, X9
	VFMADD231SS X4, X9, X11

	VINSERTI128 $1, X6, Y6, Y6     // scales in both lanes
	VMOVDQU 16(SI), Y3             // qh
	VPXOR Y8, Y8, Y8
	Q5K_PAIR(0, VPSLLW, 4, VPSLLW, 3)
	Q5K_PAIR(1, VPSLLW, 2, VPSLLW, 1)
	Q5K_PAIR(2, VPSRLW, 0, VPSRLW, 1)
	Q5K_PAIR(3, VPSRLW, 2, VPSRLW, 3)
	VCVTDQ2PS Y8, Y8
	VFMADD231PS Y8, Y5, Y0         // acc = fma(d, sumi, acc)

	ADDQ $176, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q5kloop

q5kdone:
	HSUM8
	VADDSS X11, X0, X0             // reduce8(acc) + summs
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// ---------------------------------------------------------------------------
// Legacy 32-element blocks

// Q40_SCALES4: X1 = the four block scales d_b = fp16(w.d)*fp16(x.d) of
// the Q4_0 blocks at SI (18 bytes apart) and Q8_0 blocks at DI (34 bytes
// apart), converted together. Clobbers AX, BX, R8, X2.
#define Q40_SCALES4 \
	MOVWLZX (SI), AX; \
	MOVWLZX 18(SI), BX; \
	SHLQ $16, BX; \
	ORQ  BX, AX; \
	MOVWLZX 36(SI), BX; \
	SHLQ $32, BX; \
	ORQ  BX, AX; \
	MOVWLZX 54(SI), BX; \
	SHLQ $48, BX; \
	ORQ  BX, AX; \
	MOVWLZX (DI), R8; \
	MOVWLZX 34(DI), BX; \
	SHLQ $16, BX; \
	ORQ  BX, R8; \
	MOVWLZX 68(DI), BX; \
	SHLQ $32, BX; \
	ORQ  BX, R8; \
	MOVWLZX 102(DI), BX; \
	SHLQ $48, BX; \
	ORQ  BX, R8; \
	VMOVQ AX, X1; \
	VPINSRQ $1, R8, X1, X1; \
	VCVTPH2PS X1, Y1; \
	VEXTRACTF128 $1, Y1, X2; \
	VMULPS X2, X1, X1

// Q40_LANES(woff, xoff, y): y = the eight int32 lane sums (q-8)·x.qs of the
// Q4_0 block at woff(SI) and the Q8_0 block at xoff(DI) (lane k: elements
// 4k..4k+3, the 16 low nibbles then the 16 high ones). Clobbers Y2-Y3, X4.
#define Q40_LANES(woff, xoff, y) \
	NIBBLES32(woff+2, Y2, X2); \
	VPSUBB Y13, Y2, Y2; \
	VMOVDQU (xoff+2)(DI), Y3; \
	MULSUM_I8_INT(Y2, Y3, y, Y3)

// func dotQ4_0AVX2(w, x []byte, nb int) float32
// Four blocks per iteration share the scale conversion; each block's lanes
// are still fused into acc in block order.
TEXT ·dotQ4_0AVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
	ONES16(AX, Y15)
	BCAST8(AX, $0x0f0f0f0f, X14, Y14)
	BCAST8(AX, $0x08080808, X13, Y13)
	MOVQ CX, DX
	SHRQ $2, DX                    // groups of four blocks
	ANDQ $3, CX                    // then single blocks
	TESTQ DX, DX
	JEQ  q40one

q40four:
	PREFETCHT0 PFK(SI)
	PREFETCHT0 (PFK+64)(SI)
	Q40_SCALES4
	VINSERTF128 $1, X1, Y1, Y1     // (d0..d3, d0..d3)
	Q40_LANES(0, 0, Y5)
	Q40_LANES(18, 34, Y6)
	Q40_LANES(36, 68, Y7)
	Q40_LANES(54, 102, Y8)
	VCVTDQ2PS Y5, Y5
	VCVTDQ2PS Y6, Y6
	VCVTDQ2PS Y7, Y7
	VCVTDQ2PS Y8, Y8
	VPERMILPS $0x00, Y1, Y9
	VFMADD231PS Y5, Y9, Y0         // acc = fma(d_b, lanes_b, acc), b = 0..3
	VPERMILPS $0x55, Y1, Y9
	VFMADD231PS Y6, Y9, Y0
	VPERMILPS $0xaa, Y1, Y9
	VFMADD231PS Y7, Y9, Y0
	VPERMILPS $0xff, Y1, Y9
	VFMADD231PS Y8, Y9, Y0
	ADDQ $72, SI
	ADDQ $136, DI
	DECQ DX
	JNZ  q40four

q40one:
	TESTQ CX, CX
	JEQ  q40done

q40loop:
	HALFPROD(0)
	Q40_LANES(0, 0, Y4)
	VCVTDQ2PS Y4, Y4
	VFMADD231PS Y4, Y1, Y0         // acc = fma(d, lanes, acc)
	ADDQ $18, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  q40loop

q40done:
	HSUM8
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// func dotQ4_0PackedAVX2(w, x []byte, nb int) float32
// One float32 accumulator: per block acc = fma(float32(Σ q·y), d_w*d_x, acc)
// (ggml_gemv_q4_0_8x8_q8_0's arithmetic for one output). Four blocks per
// iteration share the scale conversion and the horizontal integer sums;
// the four fused multiply-adds stay in block order.
TEXT ·dotQ4_0PackedAVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS X0, X0, X0
	ONES16(AX, Y15)
	BCAST8(AX, $0x0f0f0f0f, X14, Y14)
	BCAST8(AX, $0x08080808, X13, Y13)
	MOVQ CX, DX
	SHRQ $2, DX
	ANDQ $3, CX
	TESTQ DX, DX
	JEQ  q40pone

q40pfour:
	PREFETCHT0 PFK(SI)
	PREFETCHT0 (PFK+64)(SI)
	Q40_SCALES4
	Q40_LANES(0, 0, Y5)
	Q40_LANES(18, 34, Y6)
	Q40_LANES(36, 68, Y7)
	Q40_LANES(54, 102, Y8)
	VPHADDD Y6, Y5, Y5             // exact int32 block sums s0..s3
	VPHADDD Y8, Y7, Y7
	VPHADDD Y7, Y5, Y5
	VEXTRACTI128 $1, Y5, X6
	VPADDD X6, X5, X5
	VCVTDQ2PS X5, X5
	VFMADD231SS X1, X5, X0         // acc = fma(s0, d0, acc)
	VMOVSHDUP X5, X6
	VMOVSHDUP X1, X7
	VFMADD231SS X7, X6, X0         // block 1
	VMOVHLPS X5, X5, X5
	VMOVHLPS X1, X1, X1
	VFMADD231SS X1, X5, X0         // block 2
	VMOVSHDUP X5, X6
	VMOVSHDUP X1, X7
	VFMADD231SS X7, X6, X0         // block 3
	ADDQ $72, SI
	ADDQ $136, DI
	DECQ DX
	JNZ  q40pfour

q40pone:
	TESTQ CX, CX
	JEQ  q40pdone

q40ploop:
	HALFPROD(0)
	Q40_LANES(0, 0, Y4)
	VEXTRACTI128 $1, Y4, X5        // exact int32 sum of the 8 lanes
	VPADDD X5, X4, X4
	VPHADDD X4, X4, X4
	VPHADDD X4, X4, X4
	VCVTDQ2PS X4, X4
	VFMADD231SS X1, X4, X0         // acc = fma(sum, d, acc)
	ADDQ $18, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  q40ploop

q40pdone:
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// DM5: the fp16 pairs (w.d, w.m) at (SI) and (x.d, x.s) at (DI) as float32:
// Y1 = broadcast w.d*x.d; X11 = fma(w.m, x.s, X11) (the summs of the _1 formats).
#define DM5 \
	VMOVD (SI), X2; \
	VPINSRD $1, (DI), X2, X2; \
	VCVTPH2PS X2, X2; \
	VMOVHLPS X2, X2, X3; \
	VMULSS X3, X2, X1; \
	VBROADCASTSS X1, Y1; \
	VMOVSHDUP X2, X2; \
	VMOVSHDUP X3, X3; \
	VFMADD231SS X3, X2, X11

// func dotQ4_1AVX2(w, x []byte, nb int) float32
TEXT ·dotQ4_1AVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0              // acc
	VXORPS X11, X11, X11           // summs
	ONES16(AX, Y15)
	BCAST8(AX, $0x0f0f0f0f, X14, Y14)
	TESTQ CX, CX
	JEQ  q41done

q41loop:
	PREFETCHT0 PFK(SI)
	DM5
	NIBBLES32(4, Y2, X2)
	VPMADDUBSW 4(DI), Y2, Y2       // unsigned q (0..15) · signed y
	VPMADDWD Y15, Y2, Y2
	VCVTDQ2PS Y2, Y2
	VFMADD231PS Y2, Y1, Y0
	ADDQ $20, SI
	ADDQ $36, DI
	DECQ CX
	JNZ  q41loop

q41done:
	HSUM8
	VADDSS X11, X0, X0             // reduce8(acc) + summs
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// func dotQ5_1AVX2(w, x []byte, nb int) float32
TEXT ·dotQ5_1AVX2(SB), NOSPLIT, $0-60
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0              // acc
	VXORPS X11, X11, X11           // summs
	ONES16(AX, Y15)
	BCAST8(AX, $0x0f0f0f0f, X14, Y14)
	BCAST8(AX, $0x10101010, X13, Y13)
	VMOVDQU ·shufBits(SB), Y12   // byte i <- byte i/8 of qh
	MOVQ $0x7fbfdfeff7fbfdfe, AX
	MOVQ AX, X10
	VPBROADCASTQ X10, Y10          // all bits but bit i%8
	VPCMPEQB Y9, Y9, Y9            // all ones
	TESTQ CX, CX
	JEQ  q51done

q51loop:
	PREFETCHT0 PFK(SI)
	DM5
	NIBBLES32(8, Y2, X2)
	VPBROADCASTD 4(SI), Y3         // bytes_from_bits_32(qh)
	VPSHUFB Y12, Y3, Y3
	VPOR Y10, Y3, Y3
	VPCMPEQB Y9, Y3, Y3
	VPAND Y13, Y3, Y3              // 0x10 where the bit is set
	VPOR Y3, Y2, Y2
	VPMADDUBSW 4(DI), Y2, Y2       // unsigned q (0..31) · signed y
	VPMADDWD Y15, Y2, Y2
	VCVTDQ2PS Y2, Y2
	VFMADD231PS Y2, Y1, Y0
	ADDQ $24, SI
	ADDQ $36, DI
	DECQ CX
	JNZ  q51loop

q51done:
	HSUM8
	VADDSS X11, X0, X0
	VZEROUPPER
	MOVSS X0, ret+56(FP)
	RET

// ---------------------------------------------------------------------------
// BF16

// BF16X8(off, r, y): y = the 8 bf16 values at off(r)(AX*2) as float32.
#define BF16X8(off, r, y) VPMOVZXWD off(r)(AX*2), y; VPSLLD $16, y, y

// func dotBF16AVX2(a, b []uint16) float32
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-52
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ CX, DX
	ANDQ $-32, DX
	XORQ AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ AX, DX
	JEQ  bf16red

bf16loop:
	PREFETCHT0 PFK(SI)(AX*2)
	BF16X8(0, SI, Y4)
	BF16X8(16, SI, Y5)
	BF16X8(32, SI, Y6)
	BF16X8(48, SI, Y7)
	BF16X8(0, DI, Y8)
	BF16X8(16, DI, Y9)
	BF16X8(32, DI, Y10)
	BF16X8(48, DI, Y11)
	VFMADD231PS Y8, Y4, Y0
	VFMADD231PS Y9, Y5, Y1
	VFMADD231PS Y10, Y6, Y2
	VFMADD231PS Y11, Y7, Y3
	ADDQ $32, AX
	CMPQ AX, DX
	JLT  bf16loop

bf16red:
	VADDPS Y2, Y0, Y0              // (c1+c3) + (c2+c4)
	VADDPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	HSUM8
	VCVTSS2SD X0, X0, X0           // leftovers are summed in float64
	CMPQ AX, CX
	JGE  bf16done

bf16tail:
	MOVWLZX (SI)(AX*2), BX
	SHLL $16, BX
	VMOVD BX, X1
	MOVWLZX (DI)(AX*2), BX
	SHLL $16, BX
	VMOVD BX, X2
	VMULSS X2, X1, X1
	VCVTSS2SD X1, X1, X1
	VADDSD X1, X0, X0
	INCQ AX
	CMPQ AX, CX
	JLT  bf16tail

bf16done:
	VCVTSD2SS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET
