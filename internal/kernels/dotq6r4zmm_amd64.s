//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

// The four-row Q6_K decode kernel on ZMM registers (AVX-512 F/BW). Each row
// keeps dotQ6KAVX2's float work: one 8-lane accumulator (Y0..Y3) with the
// same fused multiply-add per super-block and the same final hsum. Its
// integer lanes are computed two chunks per instruction: the ZMM's lower
// half holds a chunk of the super-block's first half (j = 0), its upper
// half the same chunk of the second (j = 1), and the halves are added
// before the one-row kernel's subtraction and conversion. The sums are
// exact (6-bit quants times int8 pair sums fit int16, the int8 scales times
// them int32, and int32 addition wraps the same in any order), so lane i
// holds the one-row kernel's lane i and every result is bit-identical.

// q6ShufZ picks the two int8 scales of chunk c of each half (scales 2c,
// 2c+1 for j = 0 in the low 128-bit lane, 8+2c, 9+2c for j = 1 in the
// high one) for VPMOVSXBW: 32 bytes per chunk.
DATA q6ShufZ<>+0(SB)/8, $0x0000000000000000
DATA q6ShufZ<>+8(SB)/8, $0x0101010101010101
DATA q6ShufZ<>+16(SB)/8, $0x0808080808080808
DATA q6ShufZ<>+24(SB)/8, $0x0909090909090909
DATA q6ShufZ<>+32(SB)/8, $0x0202020202020202
DATA q6ShufZ<>+40(SB)/8, $0x0303030303030303
DATA q6ShufZ<>+48(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA q6ShufZ<>+56(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA q6ShufZ<>+64(SB)/8, $0x0404040404040404
DATA q6ShufZ<>+72(SB)/8, $0x0505050505050505
DATA q6ShufZ<>+80(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA q6ShufZ<>+88(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA q6ShufZ<>+96(SB)/8, $0x0606060606060606
DATA q6ShufZ<>+104(SB)/8, $0x0707070707070707
DATA q6ShufZ<>+112(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA q6ShufZ<>+120(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL q6ShufZ<>(SB), RODATA|NOPTR, $128

// Q6K_Z_TAIL(x, c): the 6-bit quants of chunk c of both halves (Z6) times
// the activations arranged in x, times their int8 scales (Y8 holds the 16
// scales in both lanes), added into Z5; Z26 scratch.
#define Q6K_Z_TAIL(x, c) \
	VPMADDUBSW x, Z6, Z6; \
	VPSHUFB q6ShufZ<>+(32*c)(SB), Y8, Y26; \
	VPMOVSXBW Y26, Z26; \
	Q6K_Z_SCALED

// Q6K_Z_SCALED: Z5 += the int16 pair products of the scales (Z26) and
// the quant pair sums (Z6): VPMADDWD and VPADDD, or one VPDPWSSD in the
// VNNI kernels below (the same int32 lanes: both wrap alike).
#define Q6K_Z_SCALED \
	VPMADDWD Z26, Z6, Z6; \
	VPADDD Z6, Z5, Z5

// Q6K_Z_ROW(acc): one weight row's super-block (SI) into its float
// accumulator acc, as one iteration of dotQ6KAVX2: X15 holds y.d, Y7 the
// activation's bsums, Z20..Z23 its quants arranged per chunk, Z10..Z14 the
// bit masks. Clobbers Y4..Y6, Y8, Y9, Z16..Z19, Z26.
#define Q6K_Z_ROW(acc) \
	MOVWLZX 208(SI), AX; \
	VMOVD AX, X9; \
	VCVTPH2PS X9, X9; \
	VMULSS X9, X15, X9; \
	VBROADCASTSS X9, Y9; \
	VBROADCASTI128 192(SI), Y8; \
	VPMOVSXBW X8, Y4; \
	VPMADDWD Y4, Y7, Y4; \
	VPSLLD $5, Y4, Y4; \
	VPXORD Z5, Z5, Z5; \
	VMOVDQU64 (SI), Y16; \
	VINSERTI64X4 $1, 64(SI), Z16, Z16; \
	VMOVDQU64 32(SI), Y17; \
	VINSERTI64X4 $1, 96(SI), Z17, Z17; \
	VMOVDQU64 128(SI), Z18; \
	VPANDD Z13, Z18, Z19; \
	VPSLLW $4, Z19, Z19; \
	VPANDD Z14, Z16, Z6; \
	VPORD Z19, Z6, Z6; \
	Q6K_Z_TAIL(Z20, 0); \
	VPANDD Z12, Z18, Z19; \
	VPSLLW $2, Z19, Z19; \
	VPANDD Z14, Z17, Z6; \
	VPORD Z19, Z6, Z6; \
	Q6K_Z_TAIL(Z21, 1); \
	VPANDD Z11, Z18, Z19; \
	VPSRLW $4, Z16, Z6; \
	VPANDD Z14, Z6, Z6; \
	VPORD Z19, Z6, Z6; \
	Q6K_Z_TAIL(Z22, 2); \
	VPANDD Z10, Z18, Z19; \
	VPSRLW $2, Z19, Z19; \
	VPSRLW $4, Z17, Z6; \
	VPANDD Z14, Z6, Z6; \
	VPORD Z19, Z6, Z6; \
	Q6K_Z_TAIL(Z23, 3); \
	VEXTRACTI64X4 $1, Z5, Y6; \
	VPADDD Y6, Y5, Y5; \
	VPSUBD Y4, Y5, Y5; \
	VCVTDQ2PS Y5, Y5; \
	VFMADD231PS Y5, Y9, acc

// Q8K_Z_CHUNK(c, y, z): the activation quants (DI) of chunk c of both
// halves: 4+32c in the lower half of z, 132+32c in the upper (y: z's lower
// half).
#define Q8K_Z_CHUNK(c, y, z) \
	VMOVDQU64 (4+32*c)(DI), y; \
	VINSERTI64X4 $1, (132+32*c)(DI), z, z

// HSUM8_TO(y, x): lane 0 of x = hsum_float_8 of y (x: y's low half), as
// HSUM8; clobbers X4, X5.
#define HSUM8_TO(y, x) \
	VEXTRACTF128 $1, y, X4; \
	VADDPS x, X4, X4; \
	VMOVHLPS X4, X4, X5; \
	VADDPS X5, X4, X4; \
	VMOVSHDUP X4, X5; \
	VADDSS X5, X4, x

#define BCASTZ(r, v, x, z) MOVL v, r; VMOVD r, x; VPBROADCASTD x, z

// Q6K_Z_BLOCK: one super-block of the four rows (row 0 at BX, the rows DX
// apart) times the activation block at DI, R11 prefetching ahead at the
// rate the rows are read (4·210 bytes per super-block).
#define Q6K_Z_BLOCK \
	PREFETCHT0 0(R11); \
	PREFETCHT0 64(R11); \
	PREFETCHT0 128(R11); \
	PREFETCHT0 192(R11); \
	PREFETCHT0 256(R11); \
	PREFETCHT0 320(R11); \
	PREFETCHT0 384(R11); \
	PREFETCHT0 448(R11); \
	PREFETCHT0 512(R11); \
	PREFETCHT0 576(R11); \
	PREFETCHT0 640(R11); \
	PREFETCHT0 704(R11); \
	PREFETCHT0 768(R11); \
	PREFETCHT0 832(R11); \
	ADDQ $840, R11; \
	VMOVSS (DI), X15; \
	VMOVDQU 260(DI), Y7; \
	Q8K_Z_CHUNK(0, Y20, Z20); \
	Q8K_Z_CHUNK(1, Y21, Z21); \
	Q8K_Z_CHUNK(2, Y22, Z22); \
	Q8K_Z_CHUNK(3, Y23, Z23); \
	MOVQ BX, SI; \
	Q6K_Z_ROW(Y0); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y1); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y2); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y3)

// Q6K_Z_SETUP zeroes the accumulators and sets the masks.
#define Q6K_Z_SETUP \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	BCASTZ(AX, $0x0f0f0f0f, X14, Z14); \
	BCASTZ(AX, $0x03030303, X13, Z13); \
	BCASTZ(AX, $0x0c0c0c0c, X12, Z12); \
	BCASTZ(AX, $0x30303030, X11, Z11); \
	BCASTZ(AX, $0xc0c0c0c0, X10, Z10)

// Q6K_SUMS_AT(p) reduces the four accumulators Y0..Y3 and stores them at
// p; Q6K_Z_STORE at R8.
#define Q6K_SUMS_AT(p) \
	HSUM8_TO(Y0, X0); \
	HSUM8_TO(Y1, X1); \
	HSUM8_TO(Y2, X2); \
	HSUM8_TO(Y3, X3); \
	VMOVSS X0, (p); \
	VMOVSS X1, 4(p); \
	VMOVSS X2, 8(p); \
	VMOVSS X3, 12(p)

#define Q6K_Z_STORE \
	Q6K_SUMS_AT(R8); \
	VZEROUPPER

// Q6K_Z_ROWS4 and Q6K_Z_QUAD are the bodies of the four-row and group
// kernels below, each assembled twice: once with Q6K_Z_SCALED as above,
// once with its VPDPWSSD form (their labels are the function's own).
//
// Q6K_Z_ROWS4: four rows stride (DX) bytes apart; R11 prefetches the
// next four-row group.
#define Q6K_Z_ROWS4 \
	MOVQ w_base+0(FP), BX; \
	MOVQ stride+24(FP), DX; \
	MOVQ x_base+32(FP), DI; \
	MOVQ nb+56(FP), CX; \
	LEAQ (BX)(DX*4), R11; \
	Q6K_Z_SETUP; \
	TESTQ CX, CX; \
	JEQ  done; \
loop: \
	Q6K_Z_BLOCK; \
	ADDQ $210, BX; \
	ADDQ $292, DI; \
	DECQ CX; \
	JNZ  loop; \
done: \
	MOVQ out_base+64(FP), R8; \
	Q6K_Z_STORE; \
	RET

// Q6K_Z_QUAD: groups groups of four rows interleaved block by block, one
// after the other: the rows of a super-block 210 bytes apart, the next
// super-block 4·210 on, one stream; R11 prefetches QUAD_PREFETCH bytes
// ahead of it, running on from group to group.
#define Q6K_Z_QUAD \
	MOVQ w_base+0(FP), BX; \
	MOVQ x_base+24(FP), R12; \
	MOVQ nb+48(FP), R13; \
	MOVQ groups+56(FP), R9; \
	MOVQ out_base+64(FP), R10; \
	MOVQ $210, DX; \
	LEAQ QUAD_PREFETCH(BX), R11; \
group: \
	MOVQ R12, DI; \
	MOVQ R13, CX; \
	Q6K_Z_SETUP; \
loop: \
	Q6K_Z_BLOCK; \
	ADDQ $840, BX; \
	ADDQ $292, DI; \
	DECQ CX; \
	JNZ  loop; \
	MOVQ R10, R8; \
	Q6K_Z_STORE; \
	ADDQ $16, R10; \
	DECQ R9; \
	JNZ  group; \
	RET

// Q6K_S_TEXT: the stream kernel's body (streamEntry): two streams of
// groups, stride (R8) bytes apart, read super-block by super-block
// together; stream 0's rows accumulate in Y0..Y3, stream 1's in Y24, Y25,
// Y27, Y28 (each row's fused multiply-adds those of the group kernel, so
// the same bits). The activation's quants are arranged once for both. Two
// streams, not four as the Q8_0 and Q4_K stream kernels: the sixteen
// 8-lane accumulators of four would not fit beside the kernel's other
// registers. No software prefetch.
#define Q6K_S_TEXT \
	MOVQ w_base+0(FP), BX; \
	MOVQ x_base+24(FP), R12; \
	MOVQ nb+48(FP), R13; \
	MOVQ groups+56(FP), R9; \
	MOVQ stride+64(FP), R8; \
	MOVQ out_base+72(FP), R10; \
	MOVQ $210, DX; \
group: \
	MOVQ R12, DI; \
	MOVQ R13, CX; \
	Q6K_Z_SETUP; \
	VXORPS Y24, Y24, Y24; \
	VXORPS Y25, Y25, Y25; \
	VXORPS Y27, Y27, Y27; \
	VXORPS Y28, Y28, Y28; \
loop: \
	VMOVSS (DI), X15; \
	VMOVDQU 260(DI), Y7; \
	Q8K_Z_CHUNK(0, Y20, Z20); \
	Q8K_Z_CHUNK(1, Y21, Z21); \
	Q8K_Z_CHUNK(2, Y22, Z22); \
	Q8K_Z_CHUNK(3, Y23, Z23); \
	MOVQ BX, SI; \
	Q6K_Z_ROW(Y0); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y1); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y2); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y3); \
	LEAQ (BX)(R8*1), SI; \
	Q6K_Z_ROW(Y24); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y25); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y27); \
	ADDQ DX, SI; \
	Q6K_Z_ROW(Y28); \
	ADDQ $840, BX; \
	ADDQ $292, DI; \
	DECQ CX; \
	JNZ  loop; \
	MOVQ groups+56(FP), AX; \
	SHLQ $4, AX; \
	MOVQ R10, SI; \
	Q6K_SUMS_AT(SI); \
	VMOVAPS Y24, Y0; \
	VMOVAPS Y25, Y1; \
	VMOVAPS Y27, Y2; \
	VMOVAPS Y28, Y3; \
	ADDQ AX, SI; \
	Q6K_SUMS_AT(SI); \
	ADDQ $16, R10; \
	DECQ R9; \
	JNZ  group; \
	VZEROUPPER; \
	RET

// func dotQ6KRows4ZMM(w []byte, stride int, x []byte, nb int, out []float32)
TEXT ·dotQ6KRows4ZMM(SB), NOSPLIT, $0-88
	Q6K_Z_ROWS4

// func dotQ6KQuadZMM(w []byte, x []byte, nb int, groups int, out []float32)
TEXT ·dotQ6KQuadZMM(SB), NOSPLIT, $0-88
	Q6K_Z_QUAD

// func dotQ6KStreamsZMM(w []byte, x []byte, nb int, groups int, stride int, out []float32)
TEXT ·dotQ6KStreamsZMM(SB), NOSPLIT, $0-96
	Q6K_S_TEXT

// The same two kernels with VPDPWSSD (AVX-512 VNNI) for Q6K_Z_SCALED, for
// the avx512vnni set.
#undef Q6K_Z_SCALED
#define Q6K_Z_SCALED VPDPWSSD Z26, Z6, Z5

// func dotQ6KRows4ZMMVNNI(w []byte, stride int, x []byte, nb int, out []float32)
TEXT ·dotQ6KRows4ZMMVNNI(SB), NOSPLIT, $0-88
	Q6K_Z_ROWS4

// func dotQ6KQuadZMMVNNI(w []byte, x []byte, nb int, groups int, out []float32)
TEXT ·dotQ6KQuadZMMVNNI(SB), NOSPLIT, $0-88
	Q6K_Z_QUAD

// func dotQ6KStreamsZMMVNNI(w []byte, x []byte, nb int, groups int, stride int, out []float32)
TEXT ·dotQ6KStreamsZMMVNNI(SB), NOSPLIT, $0-96
	Q6K_S_TEXT
