// AMX instructions for the tile kernels (amx_amd64.s, amxq4k_amd64.s).
// Go's assembler has no AMX mnemonics, so each instruction is spelt in
// bytes, with its Intel syntax beside it; the encodings were checked with
// binutils' objdump. The operands are fixed: AX the tile configuration,
// SI the weights (stride DX), R9 the packed activations and R11 the tile
// buffer (stride R13 = 64).

// LDTILECFG (AX)
#define LDTILECFG_AX BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0x00
// TILERELEASE
#define TILERELEASE BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0xC0
// TILEZERO tmm0
#define TILEZERO_T0 BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
// TILEZERO tmm3
#define TILEZERO_T3 BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xD8
// TILELOADD tmm1, [rsi+rdx*1]: 16 weight rows, four quants each
#define LOAD_W_T1 BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x0C; BYTE $0x16
// TILELOADD tmm4, [rsi+rdx*1+34]: the same in the next block
#define LOAD_W_T4 BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x64; BYTE $0x16; BYTE $0x22
// TILELOADD tmm2, [r9+r13*1]: one row of 16 activations' four quants
#define LOAD_X_T2 BYTE $0xC4; BYTE $0x82; BYTE $0x7B; BYTE $0x4B; BYTE $0x14; BYTE $0x29
// TILELOADD tmm5, [r9+r13*1+512]: the same in the next block
#define LOAD_X_T5 BYTE $0xC4; BYTE $0x82; BYTE $0x7B; BYTE $0x4B; BYTE $0xAC; BYTE $0x29; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
// TDPBSSD tmm0, tmm1, tmm2: tmm0[m][a] += Σ tmm1[m][t]·tmm2[0][4a+t], signed bytes
#define TDPBSSD_T0_T1_T2 BYTE $0xC4; BYTE $0xE2; BYTE $0x6B; BYTE $0x5E; BYTE $0xC1
// TDPBSSD tmm3, tmm4, tmm5
#define TDPBSSD_T3_T4_T5 BYTE $0xC4; BYTE $0xE2; BYTE $0x53; BYTE $0x5E; BYTE $0xDC
// TILESTORED [r11+r13*1], tmm0
#define STORE_T0 BYTE $0xC4; BYTE $0x82; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x2B
// TILESTORED [r11+r13*1+1024], tmm3
#define STORE_T3 BYTE $0xC4; BYTE $0x82; BYTE $0x7A; BYTE $0x4B; BYTE $0x9C; BYTE $0x2B; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00

// ZERO_Z0_Z15 clears the sixteen accumulators of the tile kernels.
#define ZERO_Z0_Z15 \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12 \
	VPXORD Z13, Z13, Z13 \
	VPXORD Z14, Z14, Z14 \
	VPXORD Z15, Z15, Z15
