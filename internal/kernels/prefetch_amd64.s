//go:build !purego

#include "textflag.h"

// func prefetchAVX2(b []byte)
// PREFETCHT1 (into L2, not L1: a row tile can be larger than L1) every 64-byte line of b (len(b) > 0).
TEXT ·prefetchAVX2(SB), NOSPLIT, $0-24
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	LEAQ (SI)(CX*1), CX

pfloop:
	PREFETCHT1 (SI)
	ADDQ $64, SI
	CMPQ SI, CX
	JLT  pfloop
	RET
