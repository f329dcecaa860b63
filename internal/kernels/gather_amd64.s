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
