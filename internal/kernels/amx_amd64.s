//go:build amd64 && !purego

#include "textflag.h"

// The AMX tile kernel of Q8_0 prompt batches (amx_amd64.go), its AMX
// instructions spelt in bytes by amx_amd64.h.

#include "amx_amd64.h"

// ROW fuses weight row m's lane sums (16 int32, one per activation, at
// coff+64*m(R11)) into its accumulator acc: acc += (d_w·d_x) × float32(sum),
// d_w broadcast from wsoff+4*m(R8), the 16 d_x in Z16: the generic
// fmaLanes' fmaf(d, float32(sumi), acc), with d = d_w*d_x.
#define ROW(m, wsoff, coff, acc, d, c) \
	VMULPS.BCST (wsoff+4*m)(R8), Z16, d \
	VCVTDQ2PS (coff+64*m)(R11), c \
	VFMADD231PS c, d, acc

// BLOCK fuses one block's 16×16 lane sums (the tile stored at coff(R11))
// into Z0-Z15.
#define BLOCK(wsoff, xsoff, coff) \
	VMOVUPS xsoff(R10), Z16 \
	ROW(0, wsoff, coff, Z0, Z17, Z18) \
	ROW(1, wsoff, coff, Z1, Z19, Z20) \
	ROW(2, wsoff, coff, Z2, Z21, Z22) \
	ROW(3, wsoff, coff, Z3, Z23, Z24) \
	ROW(4, wsoff, coff, Z4, Z25, Z26) \
	ROW(5, wsoff, coff, Z5, Z27, Z28) \
	ROW(6, wsoff, coff, Z6, Z29, Z30) \
	ROW(7, wsoff, coff, Z7, Z31, Z18) \
	ROW(8, wsoff, coff, Z8, Z17, Z20) \
	ROW(9, wsoff, coff, Z9, Z19, Z22) \
	ROW(10, wsoff, coff, Z10, Z21, Z24) \
	ROW(11, wsoff, coff, Z11, Z23, Z26) \
	ROW(12, wsoff, coff, Z12, Z25, Z28) \
	ROW(13, wsoff, coff, Z13, Z27, Z30) \
	ROW(14, wsoff, coff, Z14, Z29, Z18) \
	ROW(15, wsoff, coff, Z15, Z31, Z20)

// func amxQ8_0Tile16(cfg *[64]byte, w *byte, rowBytes int, ws *float32, xp *byte, xs *float32, nb int, c *int32, acc *float32)
//
// For lane k = 0..7 and the 16 weight rows m (Q8_0, rowBytes apart from w)
// and 16 activations a, acc[k*256+m*16+a] = Σ over blocks b, in order, of
// fmaf(ws[b*16+m]*xs[b*16+a], float32(s), ·), s the exact int32 sum of
// the four products of lane k (quants 4k..4k+3) of block b: the eight
// accumulators of the generic dotQ8_0Q8_0, which amx_amd64.go reduces.
// xp holds the activations' quants packed per block and lane (64 bytes:
// activation a's four quants at 4a), c is a 2 KB buffer for two tiles,
// cfg the tile configuration (amxTileConfig). nb >= 1.
// The reference loop (amxTile16Go in amx_amd64_test.go):
//
//	for k := 0..7 { for b := 0..nb-1 { for m, a := 0..15 {
//		acc[k][m][a] = fmaf(ws[b][m]*xs[b][a], float32(Σ_t w[m][b][4k+t]*x[a][b][4k+t]), acc[k][m][a]) }}}
TEXT ·amxQ8_0Tile16(SB), NOSPLIT, $0-72
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	MOVQ rowBytes+16(FP), DX
	MOVQ c+56(FP), R11
	MOVQ acc+64(FP), R12
	MOVQ $64, R13
	XORQ BX, BX // lane k

lane:
	ZERO_Z0_Z15
	MOVQ w+8(FP), SI
	LEAQ 2(SI)(BX*4), SI // lane k's quants in block 0
	MOVQ BX, DI
	SHLQ $6, DI
	MOVQ xp+32(FP), R9
	ADDQ DI, R9 // lane k's row of block 0
	MOVQ ws+24(FP), R8
	MOVQ xs+40(FP), R10
	MOVQ nb+48(FP), CX
	SHRQ $1, CX
	JZ   tail

pair: // blocks b and b+1: the second tile multiplies while the first is summed
	LOAD_W_T1
	LOAD_X_T2
	TILEZERO_T0
	TDPBSSD_T0_T1_T2
	LOAD_W_T4
	LOAD_X_T5
	TILEZERO_T3
	TDPBSSD_T3_T4_T5
	STORE_T0
	BLOCK(0, 0, 0)
	STORE_T3
	BLOCK(64, 64, 1024)
	ADDQ $68, SI
	ADDQ $1024, R9
	ADDQ $128, R8
	ADDQ $128, R10
	DECQ CX
	JNZ  pair

tail:
	MOVQ nb+48(FP), CX
	ANDQ $1, CX
	JZ   store
	LOAD_W_T1
	LOAD_X_T2
	TILEZERO_T0
	TDPBSSD_T0_T1_T2
	STORE_T0
	BLOCK(0, 0, 0)

store:
	MOVQ BX, DI
	SHLQ $10, DI
	ADDQ R12, DI // acc[k]
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VMOVUPS Z8, 512(DI)
	VMOVUPS Z9, 576(DI)
	VMOVUPS Z10, 640(DI)
	VMOVUPS Z11, 704(DI)
	VMOVUPS Z12, 768(DI)
	VMOVUPS Z13, 832(DI)
	VMOVUPS Z14, 896(DI)
	VMOVUPS Z15, 960(DI)
	INCQ BX
	CMPQ BX, $8
	JLT  lane

	TILERELEASE
	VZEROUPPER
	RET
