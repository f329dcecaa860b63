//go:build amd64 && !purego

#include "textflag.h"
#include "amx_amd64.h"

// The AMX tile kernel of repacked Q4_K prompt batches (tile16k.go,
// amx_amd64.go).

// ROWK adds weight row m's scaled sub-block sums to its sumi: acc +=
// sc[m] × (the 16 int32 of tile row m, stored at 64*m(R11)), sc[m]
// broadcast from 4*m(R8).
#define ROWK(m, acc) \
	VMOVDQU32 (64*m)(R11), Z17 \
	VPMULLD.BCST (4*m)(R8), Z17, Z17 \
	VPADDD Z17, acc, acc

// MINSF finishes weight row m's super-block: its min sum Σ_s mins[s][m] ×
// bsum[s] (the eight bsum rows in Z18-Z25, mins at 64*s+4*m(R10)), then
// the two fused multiply-adds of dotQ4KQ8KPacked on the accumulators at
// 64*m(R14) (acc) and 1024+64*m(R14) (accm): acc += float32(sumi) ×
// (d[m]·d_x), accm += float32(msum) × (dmin[m]·d_x), d and dmin broadcast
// from 4*m(BX) and 64+4*m(BX), d_x in Z26.
#define MINSF(m, sumi) \
	VPMULLD.BCST (4*m)(R10), Z18, Z16 \
	VPMULLD.BCST (64+4*m)(R10), Z19, Z17 \
	VPADDD Z17, Z16, Z16 \
	VPMULLD.BCST (128+4*m)(R10), Z20, Z17 \
	VPADDD Z17, Z16, Z16 \
	VPMULLD.BCST (192+4*m)(R10), Z21, Z17 \
	VPADDD Z17, Z16, Z16 \
	VPMULLD.BCST (256+4*m)(R10), Z22, Z17 \
	VPADDD Z17, Z16, Z16 \
	VPMULLD.BCST (320+4*m)(R10), Z23, Z17 \
	VPADDD Z17, Z16, Z16 \
	VPMULLD.BCST (384+4*m)(R10), Z24, Z17 \
	VPADDD Z17, Z16, Z16 \
	VPMULLD.BCST (448+4*m)(R10), Z25, Z17 \
	VPADDD Z17, Z16, Z16 \
	VCVTDQ2PS sumi, Z27 \
	VMULPS.BCST (4*m)(BX), Z26, Z28 \
	VMOVUPS (64*m)(R14), Z29 \
	VFMADD231PS Z27, Z28, Z29 \
	VMOVUPS Z29, (64*m)(R14) \
	VCVTDQ2PS Z16, Z27 \
	VMULPS.BCST (64+4*m)(BX), Z26, Z28 \
	VMOVUPS (1024+64*m)(R14), Z29 \
	VFMADD231PS Z27, Z28, Z29 \
	VMOVUPS Z29, (1024+64*m)(R14)

// func amxQ4KTile16(cfg *[64]byte, wq *byte, sc *int32, mins *int32, dd *float32, xq *byte, xd *float32, xbs *int32, nb int, c *int32, acc *float32)
//
// For the 16 weight rows m and 16 activations a of one packed tile
// (tile16KWeights, tile16KActs), acc[m*16+a] and acc[256+m*16+a] (accm)
// get, super-block by super-block in order, dotQ4KQ8KPacked's two fused
// multiply-adds: of float32(sumi), sumi = Σ_s sc[s][m]·Σ_l q[s][m][l]·x[s][a][l]
// exact (one TDPBSSD per sub-block: 16 rows × 32 quants by 32 quants ×
// 16 activations), with d[m]·d_x[a]; and of float32(Σ_s mins[s][m]·bs[s][a])
// with dmin[m]·d_x[a]. acc starts as the caller left it (zero); c is a
// 1 KB tile buffer, cfg the tile configuration (amxQ4KTileConfig). nb >= 1.
// The reference loop is tile16KGo.
TEXT ·amxQ4KTile16(SB), NOSPLIT, $0-88
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	MOVQ wq+8(FP), SI
	MOVQ sc+16(FP), R8
	MOVQ mins+24(FP), R10
	MOVQ dd+32(FP), BX
	MOVQ xq+40(FP), R9
	MOVQ xd+48(FP), DI
	MOVQ xbs+56(FP), R12
	MOVQ nb+64(FP), CX
	MOVQ c+72(FP), R11
	MOVQ acc+80(FP), R14
	MOVQ $32, DX
	MOVQ $64, R13

superblock:
	ZERO_Z0_Z15
	MOVQ $8, AX // sub-blocks

sub:
	TILEZERO_T0
	LOAD_W_T1        // 16 weight rows' 32 quants of the sub-block (stride 32)
	LOAD_X_T2        // 8 rows of the 16 activations' four quants (stride 64)
	TDPBSSD_T0_T1_T2
	STORE_T0
	ROWK(0, Z0)
	ROWK(1, Z1)
	ROWK(2, Z2)
	ROWK(3, Z3)
	ROWK(4, Z4)
	ROWK(5, Z5)
	ROWK(6, Z6)
	ROWK(7, Z7)
	ROWK(8, Z8)
	ROWK(9, Z9)
	ROWK(10, Z10)
	ROWK(11, Z11)
	ROWK(12, Z12)
	ROWK(13, Z13)
	ROWK(14, Z14)
	ROWK(15, Z15)
	ADDQ $512, SI
	ADDQ $512, R9
	ADDQ $64, R8
	DECQ AX
	JNZ  sub

	VMOVDQU32 (R12), Z18 // the eight sub-blocks' activation sums
	VMOVDQU32 64(R12), Z19
	VMOVDQU32 128(R12), Z20
	VMOVDQU32 192(R12), Z21
	VMOVDQU32 256(R12), Z22
	VMOVDQU32 320(R12), Z23
	VMOVDQU32 384(R12), Z24
	VMOVDQU32 448(R12), Z25
	VMOVUPS (DI), Z26    // d_x
	MINSF(0, Z0)
	MINSF(1, Z1)
	MINSF(2, Z2)
	MINSF(3, Z3)
	MINSF(4, Z4)
	MINSF(5, Z5)
	MINSF(6, Z6)
	MINSF(7, Z7)
	MINSF(8, Z8)
	MINSF(9, Z9)
	MINSF(10, Z10)
	MINSF(11, Z11)
	MINSF(12, Z12)
	MINSF(13, Z13)
	MINSF(14, Z14)
	MINSF(15, Z15)
	ADDQ $512, R10
	ADDQ $512, R12
	ADDQ $128, BX
	ADDQ $64, DI
	DECQ CX
	JNZ  superblock

	TILERELEASE
	VZEROUPPER
	RET
