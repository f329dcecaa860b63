//go:build amd64 && !purego

#include "textflag.h"
#include "amx_amd64.h"

// The AMX tile kernel of repacked Q4_0 prompt batches (tile16q40.go,
// amx_amd64.go).

// ROWQ fuses weight row m's block sums (16 int32 at 64*m(R11)) into its
// accumulator: acc += float32(sum) × (d_w[m]·d_x), d_w broadcast from
// 4*m(R8), the 16 d_x in Z16: dotQ4_0Q8_0Packed's fmaf per block.
#define ROWQ(m, acc) \
	VCVTDQ2PS (64*m)(R11), Z17 \
	VMULPS.BCST (4*m)(R8), Z16, Z18 \
	VFMADD231PS Z17, Z18, acc

// func amxQ4_0Tile16(cfg *[64]byte, wq *byte, wd *float32, xq *byte, xs *float32, nb int, c *int32, acc *float32)
//
// For the 16 weight rows m and 16 activations a of one tile
// (tile16Q40Weights, tile16Acts), acc[m*16+a] = Σ over blocks b, in
// order, of fmaf(float32(s), wd[b][m]·xs[b][a], ·), s the exact int32 sum
// of the block's 32 products (one TDPBSSD: 16 rows × 32 quants by 32
// quants × 16 activations). c is a 1 KB tile buffer, cfg the tile
// configuration (amxQ4KTileConfig: the same shapes). nb >= 1. The
// reference loop is tile16Q40Go.
TEXT ·amxQ4_0Tile16(SB), NOSPLIT, $0-64
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	MOVQ wq+8(FP), SI
	MOVQ wd+16(FP), R8
	MOVQ xq+24(FP), R9
	MOVQ xs+32(FP), R10
	MOVQ nb+40(FP), CX
	MOVQ c+48(FP), R11
	MOVQ $32, DX
	MOVQ $64, R13
	ZERO_Z0_Z15

block:
	TILEZERO_T0
	LOAD_W_T1        // 16 weight rows' 32 quants (stride 32)
	LOAD_X_T2        // 8 rows of the 16 activations' four quants (stride 64)
	TDPBSSD_T0_T1_T2
	STORE_T0
	VMOVUPS (R10), Z16 // d_x
	ROWQ(0, Z0)
	ROWQ(1, Z1)
	ROWQ(2, Z2)
	ROWQ(3, Z3)
	ROWQ(4, Z4)
	ROWQ(5, Z5)
	ROWQ(6, Z6)
	ROWQ(7, Z7)
	ROWQ(8, Z8)
	ROWQ(9, Z9)
	ROWQ(10, Z10)
	ROWQ(11, Z11)
	ROWQ(12, Z12)
	ROWQ(13, Z13)
	ROWQ(14, Z14)
	ROWQ(15, Z15)
	ADDQ $512, SI
	ADDQ $512, R9
	ADDQ $64, R8
	ADDQ $64, R10
	DECQ CX
	JNZ  block

	MOVQ acc+56(FP), DI
	VMOVUPS Z0, (DI)
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
	TILERELEASE
	VZEROUPPER
	RET
