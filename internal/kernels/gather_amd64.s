//go:build !purego

#include "textflag.h"

// func gatherBlocksAVX(dst []byte, wrow int, src []byte, nb int, bb int)
// The four rows of one Interleaved4 group (src: nb blocks of bb >= 32
// bytes a row, block b of row j at src[bb*(4*b+j):]) to dst row-major (row
// j at dst[j*wrow:]), src read in order: each block in 32-byte moves, the
// last one ending at the block's end (overlapping the one before).
TEXT ·gatherBlocksAVX(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ wrow+24(FP), DX
	MOVQ src_base+32(FP), SI
	MOVQ nb+56(FP), CX
	MOVQ bb+64(FP), BX
	LEAQ -32(BX), R9               // the last move's offset in a block
	TESTQ CX, CX
	JEQ  done

block:
	MOVQ DI, R10                   // row j's block b
	MOVQ $4, R11

row:
	XORQ AX, AX

chunk:
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU Y0, (R10)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, R9
	JLT     chunk
	VMOVDQU (SI)(R9*1), Y0
	VMOVDQU Y0, (R10)(R9*1)
	ADDQ    BX, SI
	ADDQ    DX, R10
	DECQ    R11
	JNZ     row
	ADDQ    BX, DI
	DECQ    CX
	JNZ     block

done:
	VZEROUPPER
	RET

// func gatherQ8_0RunsAVX(dst []byte, wrow int, src []byte, nb int)
// The four rows of one Interleaved4 Q8_0 group (src: nb blocks a row in
// runs of up to eight, a run of k blocks its 4k scales then its 4k quant
// blocks, both block by block and row by row) to dst row-major (row j at
// dst[j*wrow:]), src read in order.
TEXT ·gatherQ8_0RunsAVX(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ wrow+24(FP), DX
	MOVQ src_base+32(FP), SI
	MOVQ nb+56(FP), CX

run:
	MOVQ    $8, R11                // the run's blocks: min(8, blocks left)
	CMPQ    CX, R11
	CMOVQLT CX, R11
	SUBQ    R11, CX
	MOVQ    SI, BX                 // its scales
	LEAQ    (SI)(R11*8), SI        // its quants

qblock:
	MOVQ    DI, R10                // row 0's block
	MOVW    (BX), AX
	MOVW    AX, (R10)
	VMOVDQU (SI), Y0
	VMOVDQU Y0, 2(R10)
	ADDQ    DX, R10
	MOVW    2(BX), AX
	MOVW    AX, (R10)
	VMOVDQU 32(SI), Y0
	VMOVDQU Y0, 2(R10)
	ADDQ    DX, R10
	MOVW    4(BX), AX
	MOVW    AX, (R10)
	VMOVDQU 64(SI), Y0
	VMOVDQU Y0, 2(R10)
	ADDQ    DX, R10
	MOVW    6(BX), AX
	MOVW    AX, (R10)
	VMOVDQU 96(SI), Y0
	VMOVDQU Y0, 2(R10)
	ADDQ    $8, BX
	ADDQ    $128, SI
	ADDQ    $34, DI
	DECQ    R11
	JNZ     qblock
	TESTQ   CX, CX
	JNZ     run
	VZEROUPPER
	RET

// func scatterQ8_0RunsAVX(dst []byte, src []byte, wrow int, nb int)
// gatherQ8_0RunsAVX the other way: four row-major Q8_0 rows (src, row j
// at src[j*wrow:], nb blocks each) to one Interleaved4 group (dst, in
// runs), dst written in order.
TEXT ·scatterQ8_0RunsAVX(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ wrow+48(FP), DX
	MOVQ nb+56(FP), CX

srun:
	MOVQ    $8, R11                // the run's blocks: min(8, blocks left)
	CMPQ    CX, R11
	CMOVQLT CX, R11
	SUBQ    R11, CX
	MOVQ    DI, BX                 // its scales
	LEAQ    (DI)(R11*8), DI        // its quants

sblock:
	MOVQ    SI, R10                // row 0's block
	MOVW    (R10), AX
	MOVW    AX, (BX)
	VMOVDQU 2(R10), Y0
	VMOVDQU Y0, (DI)
	ADDQ    DX, R10
	MOVW    (R10), AX
	MOVW    AX, 2(BX)
	VMOVDQU 2(R10), Y0
	VMOVDQU Y0, 32(DI)
	ADDQ    DX, R10
	MOVW    (R10), AX
	MOVW    AX, 4(BX)
	VMOVDQU 2(R10), Y0
	VMOVDQU Y0, 64(DI)
	ADDQ    DX, R10
	MOVW    (R10), AX
	MOVW    AX, 6(BX)
	VMOVDQU 2(R10), Y0
	VMOVDQU Y0, 96(DI)
	ADDQ    $8, BX
	ADDQ    $128, DI
	ADDQ    $34, SI
	DECQ    R11
	JNZ     sblock
	TESTQ   CX, CX
	JNZ     srun
	VZEROUPPER
	RET

// func gatherQ4KHeadAVX(dst []byte, wrow int, src []byte, nb int)
// The four rows of one Interleaved4 Q4_K group (src: nb super-blocks a
// row, each the four rows' 16-byte heads then their 128 bytes of quants:
// q4KForm) to dst row-major (row j at dst[j*wrow:]), src read in order.
TEXT ·gatherQ4KHeadAVX(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ wrow+24(FP), DX
	MOVQ src_base+32(FP), SI
	MOVQ nb+56(FP), CX

kblock:
	MOVQ    DI, R10                // row 0's super-block
	MOVQ    $4, R11
	MOVQ    SI, BX                 // the heads
	ADDQ    $64, SI                // the quants

krow:
	VMOVDQU (BX), X0
	VMOVDQU X0, (R10)
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQU Y0, 16(R10)
	VMOVDQU Y1, 48(R10)
	VMOVDQU Y2, 80(R10)
	VMOVDQU Y3, 112(R10)
	ADDQ    $16, BX
	ADDQ    $128, SI
	ADDQ    DX, R10
	DECQ    R11
	JNZ     krow
	ADDQ    $144, DI
	DECQ    CX
	JNZ     kblock
	VZEROUPPER
	RET

// func scatterQ4KHeadAVX(dst []byte, src []byte, wrow int, nb int)
// gatherQ4KHeadAVX the other way: four row-major Q4_K rows (src, row j at
// src[j*wrow:], nb super-blocks each) to one Interleaved4 group (dst, in
// q4KForm), dst written in order.
TEXT ·scatterQ4KHeadAVX(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ wrow+48(FP), DX
	MOVQ nb+56(FP), CX

sk:
	MOVQ    SI, R10                // row 0's super-block
	MOVQ    $4, R11
	MOVQ    DI, BX                 // the heads
	ADDQ    $64, DI                // the quants

skrow:
	VMOVDQU (R10), X0
	VMOVDQU X0, (BX)
	VMOVDQU 16(R10), Y0
	VMOVDQU 48(R10), Y1
	VMOVDQU 80(R10), Y2
	VMOVDQU 112(R10), Y3
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	ADDQ    $16, BX
	ADDQ    $128, DI
	ADDQ    DX, R10
	DECQ    R11
	JNZ     skrow
	ADDQ    $144, SI
	DECQ    CX
	JNZ     sk
	VZEROUPPER
	RET
