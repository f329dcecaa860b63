//go:build !purego

#include "textflag.h"
#include "kernels_amd64.h"

// The four-row Q4_K decode kernel on ZMM registers (AVX-512 F/BW). Its
// float work is dotQ4KPackedRows4AVX2's, instruction for instruction (one
// lane per row in X8 and X13); only the integer sums of each super-block
// are computed on ZMM registers, 64 quants per instruction instead of 32.
// Those sums are exact (nibbles 0..15 times int8 pair sums fit int16, the
// 6-bit scales times them fit int32, and int32 addition wraps the same in
// any order), so every lane, and so every result, is the YMM kernel's.

// q4kShufZ spreads the 6-bit scales (int16, in every 128-bit lane of Z16)
// over the sub-blocks of one 64-byte load of quants: for half h (bytes
// 16+64h of the super-block), the low nibbles hold sub-blocks 4h and 4h+2
// (first and second 32 bytes), the high nibbles 4h+1 and 4h+3; 128 bytes
// per half, low then high, each 32-byte run broadcasting one int16.
DATA q4kShufZ<>+0(SB)/8, $0x0100010001000100
DATA q4kShufZ<>+8(SB)/8, $0x0100010001000100
DATA q4kShufZ<>+16(SB)/8, $0x0100010001000100
DATA q4kShufZ<>+24(SB)/8, $0x0100010001000100
DATA q4kShufZ<>+32(SB)/8, $0x0504050405040504
DATA q4kShufZ<>+40(SB)/8, $0x0504050405040504
DATA q4kShufZ<>+48(SB)/8, $0x0504050405040504
DATA q4kShufZ<>+56(SB)/8, $0x0504050405040504
DATA q4kShufZ<>+64(SB)/8, $0x0302030203020302
DATA q4kShufZ<>+72(SB)/8, $0x0302030203020302
DATA q4kShufZ<>+80(SB)/8, $0x0302030203020302
DATA q4kShufZ<>+88(SB)/8, $0x0302030203020302
DATA q4kShufZ<>+96(SB)/8, $0x0706070607060706
DATA q4kShufZ<>+104(SB)/8, $0x0706070607060706
DATA q4kShufZ<>+112(SB)/8, $0x0706070607060706
DATA q4kShufZ<>+120(SB)/8, $0x0706070607060706
DATA q4kShufZ<>+128(SB)/8, $0x0908090809080908
DATA q4kShufZ<>+136(SB)/8, $0x0908090809080908
DATA q4kShufZ<>+144(SB)/8, $0x0908090809080908
DATA q4kShufZ<>+152(SB)/8, $0x0908090809080908
DATA q4kShufZ<>+160(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShufZ<>+168(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShufZ<>+176(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShufZ<>+184(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShufZ<>+192(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShufZ<>+200(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShufZ<>+208(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShufZ<>+216(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShufZ<>+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kShufZ<>+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kShufZ<>+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kShufZ<>+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL q4kShufZ<>(SB), RODATA|NOPTR, $256

// Q4K_Z_HALF(h, xlo, xhi, acc): half h of the Q4_K super-block at SI (64
// bytes of nibbles, four sub-blocks) times the Q8_K quants arranged in xlo
// and xhi, scaled by the sub-blocks' scales (Z16), added to the int32 lanes
// of acc; Z14 is the nibble mask, Z18..Z21 scratch.
#define Q4K_Z_HALF(h, xlo, xhi, acc) \
	VMOVDQU64 (16+64*h)(SI), Z18; \
	VPSRLW $4, Z18, Z19; \
	VPANDD Z14, Z18, Z18; \
	VPANDD Z14, Z19, Z19; \
	VPMADDUBSW xlo, Z18, Z18; \
	VPMADDUBSW xhi, Z19, Z19; \
	VPSHUFB q4kShufZ<>+(128*h)(SB), Z16, Z20; \
	VPSHUFB q4kShufZ<>+(128*h+64)(SB), Z16, Z21; \
	Q4K_Z_SCALED(acc)

// Q4K_Z_SCALED(acc): acc += the int16 pair products of the scales (Z20,
// Z21) and the nibble-quant pair sums (Z18, Z19). AVX512F/BW: VPMADDWD and
// VPADDD; redefined below for the VNNI kernels as VPDPWSSD, which gives
// the same int32 lanes (both wrap alike; the sums here cannot overflow).
#define Q4K_Z_SCALED(acc) \
	VPMADDWD Z20, Z18, Z18; \
	VPMADDWD Z21, Z19, Z19; \
	VPADDD Z19, Z18, Z18; \
	VPADDD Z18, acc, acc

// Q4K_Z_ROW(z, y, mins): one weight row's super-block (SI): its scales and
// mins (KSCALES, clobbers X10), the mins times the pairwise bsums (X15)
// into mins, the quants' scaled sums into the eight int32 lanes of y (z is
// y's ZMM register: its two halves are added).
#define Q4K_Z_ROW(z, y, mins) \
	KSCALES; \
	VEXTRACTI128 $1, Y6, X9; \
	VPMADDWD X15, X9, mins; \
	VSHUFI32X4 $0, Z6, Z6, Z16; \
	Q4K_Z_SUMS(z, y)

// Q4K_Z_SUMS(z, y): a row's two halves (SI, its scales in every lane of
// Z16) summed into z, whose halves are then added into y.
#define Q4K_Z_SUMS(z, y) \
	VPXORD z, z, z; \
	Q4K_Z_HALF(0, Z22, Z23, z); \
	Q4K_Z_HALF(1, Z24, Z25, z); \
	VEXTRACTI64X4 $1, z, Y26; \
	VPADDD Y26, y, y

// Q8K_Z_ARRANGE(h, ylo, xlo, yhi, xhi): the Q8_K quants (DI) that meet
// half h's low nibbles (sub-blocks 4h, 4h+2) in xlo and its high nibbles
// (4h+1, 4h+3) in xhi (ylo, yhi: their lower halves).
#define Q8K_Z_ARRANGE(h, ylo, xlo, yhi, xhi) \
	VMOVDQU64 (4+128*h)(DI), ylo; \
	VINSERTI64X4 $1, (68+128*h)(DI), xlo, xlo; \
	VMOVDQU64 (36+128*h)(DI), yhi; \
	VINSERTI64X4 $1, (100+128*h)(DI), xhi, xhi

// Q4K_Z_BLOCK: one super-block of the four rows (row 0 at BX, the rows DX
// apart) times the activation block at DI: AX prefetches ahead, the
// integer sums of each row, the four outputs' fused multiply-adds.
#define Q4K_Z_BLOCK \
	Q4K_R4_PREFETCH; \
	Q8K_Z_ARRANGE(0, Y22, Z22, Y23, Z23); \
	Q8K_Z_ARRANGE(1, Y24, Z24, Y25, Z25); \
	MOVQ BX, SI; \
	Q4K_Z_ROW(Z0, Y0, X4); \
	ADDQ DX, SI; \
	Q4K_Z_ROW(Z1, Y1, X5); \
	VPHADDD X5, X4, X4; \
	ADDQ DX, SI; \
	Q4K_Z_ROW(Z2, Y2, X5); \
	ADDQ DX, SI; \
	Q4K_Z_ROW(Z3, Y3, X7); \
	Q4K_R4_FLOAT

// The group kernels (q4KForm) decode the scales and mins of the four rows
// of a super-block at once: KSCALES on the four 128-bit lanes of one ZMM
// load of the heads (lane r is row r's head: its d and dmin dword, then
// the dwords u0, u1, u2 of its 12 scale bytes, so KSCALES' VPSHUFD
// selectors are one higher), with its shifts and masks in every lane
// (KSC_DECODE's steps, in their EVEX forms for a ZMM register).
//
// Q4K_W_SCALES: the scales and mins of the four rows of the super-block
// in q4KForm at BX, as KSCALES gives them for one row (eight 6-bit scales
// then eight mins, int16), rows 0 and 1 in Z27's 128-bit lanes 0-1 and
// 2-3, rows 2 and 3 in Z28's; clobbers Z6, Z10.
#define Q4K_W_SCALES \
	VMOVDQU64 (BX), Z6; \
	VPSHUFD $0x95, Z6, Z10; \
	VPSHUFD $0xed, Z6, Z6; \
	VPSRLVD kscShift<>(SB), Z6, Z6; \
	VPANDD kscLo<>(SB), Z6, Z6; \
	VPSRLD $2, Z10, Z10; \
	VPANDD kscHi<>(SB), Z10, Z10; \
	VPORD Z10, Z6, Z6; \
	VPMOVZXBW Y6, Z27; \
	VEXTRACTI64X4 $1, Z6, Y6; \
	VPMOVZXBW Y6, Z28

// Q4K_W_MINS: the four rows' mins times the pairwise bsums (X15, in every
// lane of Z17) as Q4K_Z_ROW leaves them: rows 0 and 1 pair-added into X4,
// row 2 in X5, row 3 in X7 (their lanes' int32 products, the same sums).
#define Q4K_W_MINS \
	VSHUFI32X4 $0x00, Z15, Z15, Z17; \
	VPMADDWD Z17, Z27, Z9; \
	VPMADDWD Z17, Z28, Z10; \
	VEXTRACTI32X4 $1, Z9, X4; \
	VEXTRACTI32X4 $3, Z9, X5; \
	VPHADDD X5, X4, X4; \
	VEXTRACTI32X4 $1, Z10, X5; \
	VEXTRACTI32X4 $3, Z10, X7

// Q4K_W_ROW(r, zs, lane, z, y): Q4K_Z_ROW for row r of the super-block in
// q4KForm at BX, its scales in lane lane of zs (a VSHUFI32X4 selector
// spreading that lane) and its quants at BX+64+128r (SI 16 bytes before
// them, where Q4K_Z_HALF expects a whole super-block).
#define Q4K_W_ROW(r, zs, lane, z, y) \
	LEAQ (4*Q4K_HEAD-16+128*r)(BX), SI; \
	VSHUFI32X4 lane, zs, zs, Z16; \
	Q4K_Z_SUMS(z, y)

// Q4K_W_BLOCK: Q4K_Z_BLOCK for a super-block of the four rows in q4KForm
// (BX; DX = 16: Q4K_QUAD_TEXT): the same integer lanes and float work.
#define Q4K_W_BLOCK \
	Q4K_R4_PREFETCH; \
	Q8K_Z_ARRANGE(0, Y22, Z22, Y23, Z23); \
	Q8K_Z_ARRANGE(1, Y24, Z24, Y25, Z25); \
	Q4K_W_SCALES; \
	Q4K_W_MINS; \
	Q4K_W_ROW(0, Z27, $0x00, Z0, Y0); \
	Q4K_W_ROW(1, Z27, $0xaa, Z1, Y1); \
	Q4K_W_ROW(2, Z28, $0x00, Z2, Y2); \
	Q4K_W_ROW(3, Z28, $0xaa, Z3, Y3); \
	Q4K_R4_FLOAT

// The stream kernels (streamEntry) read four streams of groups in
// q4KForm at once, super-block by super-block: stream s's at AX+s·stride
// (R8 = stride, R11 = 2·stride), each through
// Q4K_W_BLOCK's steps with BX at it. The activation's bsums and arranged
// quants are loaded once for the four; each stream's float accumulators
// (acc and accm, four rows each) are lane s of Z29 and Z30, taken into X8
// and X13 for its fused multiply-adds and put back: the same operations
// on the same values as the group kernel's, so the same bits.
//
// Q4K_S_FLOAT(lane): Q4K_R4_FLOAT for the stream at BX (DX = 16, R14 =
// 48: its heads' stride), its accumulators taken from and put back in
// lane lane of Z29 and Z30 (Q4K_R4_FLOAT reads X8 and X13 only in its
// fused multiply-adds).
#define Q4K_S_FLOAT(lane) \
	VEXTRACTF32X4 lane, Z29, X8; \
	VEXTRACTF32X4 lane, Z30, X13; \
	Q4K_R4_FLOAT; \
	VINSERTF32X4 lane, X8, Z29, Z29; \
	VINSERTF32X4 lane, X13, Z30, Z30

// Q4K_S_STREAM(lane): the super-block of one stream (BX) into its lane.
#define Q4K_S_STREAM(lane) \
	Q4K_W_SCALES; \
	Q4K_W_MINS; \
	Q4K_W_ROW(0, Z27, $0x00, Z0, Y0); \
	Q4K_W_ROW(1, Z27, $0xaa, Z1, Y1); \
	Q4K_W_ROW(2, Z28, $0x00, Z2, Y2); \
	Q4K_W_ROW(3, Z28, $0xaa, Z3, Y3); \
	Q4K_S_FLOAT(lane)

// Q4K_STREAMS_TEXT: the stream kernel's body; R12 x, R13 nb, R9 the
// groups left, R10 stream 0's outputs (stream s's 16·groups·s bytes on).
// No software prefetch: four streams are what the hardware prefetchers
// follow well.
#define Q4K_STREAMS_TEXT \
	MOVQ w_base+0(FP), AX; \
	MOVQ x_base+24(FP), R12; \
	MOVQ nb+48(FP), R13; \
	MOVQ groups+56(FP), R9; \
	MOVQ stride+64(FP), R8; \
	MOVQ out_base+72(FP), R10; \
	LEAQ (R8)(R8*1), R11; \
	MOVQ $Q4K_HEAD, DX; \
	LEAQ (DX)(DX*2), R14; \
	MOVL $0x0f0f0f0f, CX; \
	VMOVD CX, X14; \
	VPBROADCASTD X14, Z14; \
group: \
	MOVQ R12, DI; \
	MOVQ R13, CX; \
	VPXORD Z29, Z29, Z29; \
	VPXORD Z30, Z30, Z30; \
loop: \
	Q8K_BSUMS; \
	Q8K_Z_ARRANGE(0, Y22, Z22, Y23, Z23); \
	Q8K_Z_ARRANGE(1, Y24, Z24, Y25, Z25); \
	MOVQ AX, BX; \
	Q4K_S_STREAM($0); \
	LEAQ (AX)(R8*1), BX; \
	Q4K_S_STREAM($1); \
	LEAQ (AX)(R11*1), BX; \
	Q4K_S_STREAM($2); \
	LEAQ (AX)(R11*1), BX; \
	ADDQ R8, BX; \
	Q4K_S_STREAM($3); \
	ADDQ $576, AX; \
	ADDQ $292, DI; \
	DECQ CX; \
	JNZ  loop; \
	VSUBPS Z30, Z29, Z29; \
	MOVQ groups+56(FP), BX; \
	SHLQ $4, BX; \
	LEAQ (BX)(BX*2), SI; \
	VMOVUPS X29, (R10); \
	VEXTRACTF32X4 $1, Z29, X8; \
	VMOVUPS X8, (R10)(BX*1); \
	VEXTRACTF32X4 $2, Z29, X8; \
	VMOVUPS X8, (R10)(BX*2); \
	VEXTRACTF32X4 $3, Z29, X8; \
	VMOVUPS X8, (R10)(SI*1); \
	ADDQ $16, R10; \
	DECQ R9; \
	JNZ  group; \
	VZEROUPPER; \
	RET

// func dotQ4KPackedRows4ZMM(w []byte, stride int, x []byte, nb int, out []float32)
TEXT ·dotQ4KPackedRows4ZMM(SB), NOSPLIT, $0-88
	Q4K_R4_TEXT(Z14, Q4K_Z_BLOCK)

// func dotQ4KPackedQuadZMM(w []byte, x []byte, nb int, groups int, out []float32)
//
// The same on groups of four rows interleaved in q4KForm
// (Q4K_QUAD_TEXT, Q4K_W_BLOCK).
TEXT ·dotQ4KPackedQuadZMM(SB), NOSPLIT, $0-88
	Q4K_QUAD_TEXT(Z14, Q4K_W_BLOCK)

// func dotQ4KPackedStreamsZMM(w []byte, x []byte, nb int, groups int, stride int, out []float32)
TEXT ·dotQ4KPackedStreamsZMM(SB), NOSPLIT, $0-96
	Q4K_STREAMS_TEXT

// The same two kernels with VPDPWSSD (AVX-512 VNNI) for Q4K_Z_SCALED: two
// instructions a half instead of four, for the avx512vnni set. On a Zen 5
// the Q4_K ZMM kernel's speed in L2 (BenchmarkRows4ZMM) is about what one
// core reads from memory, so its arithmetic bounds decode at one thread.
#undef Q4K_Z_SCALED
#define Q4K_Z_SCALED(acc) \
	VPDPWSSD Z20, Z18, acc; \
	VPDPWSSD Z21, Z19, acc

// func dotQ4KPackedRows4ZMMVNNI(w []byte, stride int, x []byte, nb int, out []float32)
TEXT ·dotQ4KPackedRows4ZMMVNNI(SB), NOSPLIT, $0-88
	Q4K_R4_TEXT(Z14, Q4K_Z_BLOCK)

// func dotQ4KPackedQuadZMMVNNI(w []byte, x []byte, nb int, groups int, out []float32)
TEXT ·dotQ4KPackedQuadZMMVNNI(SB), NOSPLIT, $0-88
	Q4K_QUAD_TEXT(Z14, Q4K_W_BLOCK)

// func dotQ4KPackedStreamsZMMVNNI(w []byte, x []byte, nb int, groups int, stride int, out []float32)
TEXT ·dotQ4KPackedStreamsZMMVNNI(SB), NOSPLIT, $0-96
	Q4K_STREAMS_TEXT
