//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// Integer cores of the Q4_K and Q6_K dot products (dotk_arm64.go): one
// super-block's eight int32 lanes sumi, exactly as the generic code's
// addLanes/addLanes2 form them. Integer sums are exact (wrapping like the
// generic int32 code), so their order is free; the float arithmetic stays
// in Go. Each core is assembled twice, with LANES = LANES_SDOT (dotprod) and
// LANES_NEON.

// Q4K_GROUP adds the lanes of one 32-byte group of packed nibbles (V2, V3)
// against 64 activation bytes (V4-V7): low nibbles × V4,V5 scaled by
// sc[2p] (V20 lane ilo), high nibbles × V6,V7 by sc[2p+1] (lane ihi);
// sumi lanes 0-3 in V0, 4-7 in V1. V31 holds 0x0f bytes.
#define Q4K_CORE(reg, ilo, ihi) \
	VLD1.P 32(R0), [V2.B16, V3.B16]                 \
	VLD1.P 64(R1), [V4.B16, V5.B16, V6.B16, V7.B16] \
	VAND   V31.B16, V2.B16, V8.B16                   \
	VAND   V31.B16, V3.B16, V9.B16                   \
	VUSHR  $4, V2.B16, V10.B16                       \
	VUSHR  $4, V3.B16, V11.B16                       \
	LANES(12, 13, 8, 9, 4, 5)                        \
	LANES(14, 15, 10, 11, 6, 7)                      \
	MLAELEM4S(0, 12, reg, ilo)                       \
	MLAELEM4S(1, 13, reg, ilo)                       \
	MLAELEM4S(0, 14, reg, ihi)                       \
	MLAELEM4S(1, 15, reg, ihi)

#define Q4K_BODY \
	MOVD qs_base+0(FP), R0                 \
	MOVD q8_base+24(FP), R1                \
	MOVD $sc+48(FP), R2                    \
	MOVD $sumi+80(FP), R3                  \
	VLD1 (R2), [V20.S4, V21.S4]            \
	VMOVI $15, V31.B16                     \
	ZERO16(0)                              \
	ZERO16(1)                              \
	Q4K_CORE(20, 0, 1)                     \
	Q4K_CORE(20, 2, 3)                     \
	Q4K_CORE(21, 0, 1)                     \
	Q4K_CORE(21, 2, 3)                     \
	VST1 [V0.S4, V1.S4], (R3)              \
	RET

// Q6K_LANES adds the lanes of the 32 six-bit quants in V18, V19 against
// activations Va0, Va1: lanes 0-3 (bytes 0-15) scaled by lane i0 of Vs into
// V0, lanes 4-7 by lane i1 into V1 (addLanes2).
#define Q6K_LANES(a0, a1, s, i0, i1) \
	LANES(16, 17, 18, 19, a0, a1) \
	MLAELEM4S(0, 16, s, i0)       \
	MLAELEM4S(1, 17, s, i1)

// Q6K_QUANTS sets V18, V19 = lo | hi from low bits already in V18, V19 and
// high bits (already shifted) in V28, V29, masked with 0x30 (V30).
#define Q6K_QUANTS \
	VAND V30.B16, V28.B16, V28.B16 \
	VAND V30.B16, V29.B16, V29.B16 \
	VORR V28.B16, V18.B16, V18.B16 \
	VORR V29.B16, V19.B16, V19.B16

// Q6K_HALF does one 128-element half h: ql bytes (64) at R0, qh bytes (32)
// at R1, activations (128) at R2; group g's quants are
// (ql[32(g&1)+l] >> 4(g>>1)) & 15 | ((qh[l] >> 2g) & 3) << 4, its scales
// sc[8h+2g], sc[8h+2g+1] in lanes 0,1 (g even) or 2,3 (g odd) of Vsa (g<2)
// or Vsb (g>=2).
#define Q6K_HALF(sa, sb) \
	VLD1.P 64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]     \
	VLD1.P 32(R1), [V6.B16, V7.B16]                     \
	VLD1.P 64(R2), [V8.B16, V9.B16, V10.B16, V11.B16]   \
	VLD1.P 64(R2), [V12.B16, V13.B16, V14.B16, V15.B16] \
	VAND   V31.B16, V2.B16, V18.B16                     \
	VAND   V31.B16, V3.B16, V19.B16                     \
	VSHL   $4, V6.B16, V28.B16                          \
	VSHL   $4, V7.B16, V29.B16                          \
	Q6K_QUANTS                                          \
	Q6K_LANES(8, 9, sa, 0, 1)                           \
	VAND   V31.B16, V4.B16, V18.B16                     \
	VAND   V31.B16, V5.B16, V19.B16                     \
	VSHL   $2, V6.B16, V28.B16                          \
	VSHL   $2, V7.B16, V29.B16                          \
	Q6K_QUANTS                                          \
	Q6K_LANES(10, 11, sa, 2, 3)                         \
	VUSHR  $4, V2.B16, V18.B16                          \
	VUSHR  $4, V3.B16, V19.B16                          \
	VORR   V6.B16, V6.B16, V28.B16                      \
	VORR   V7.B16, V7.B16, V29.B16                      \
	Q6K_QUANTS                                          \
	Q6K_LANES(12, 13, sb, 0, 1)                         \
	VUSHR  $4, V4.B16, V18.B16                          \
	VUSHR  $4, V5.B16, V19.B16                          \
	VUSHR  $2, V6.B16, V28.B16                          \
	VUSHR  $2, V7.B16, V29.B16                          \
	Q6K_QUANTS                                          \
	Q6K_LANES(14, 15, sb, 2, 3)

#define Q6K_BODY \
	MOVD ql_base+0(FP), R0                          \
	MOVD qh_base+24(FP), R1                         \
	MOVD q8_base+48(FP), R2                         \
	MOVD $sc+72(FP), R3                             \
	MOVD $sumi+136(FP), R4                          \
	VLD1 (R3), [V20.S4, V21.S4, V22.S4, V23.S4]     \
	VMOVI $15, V31.B16                              \
	VMOVI $0x30, V30.B16                            \
	ZERO16(0)                                       \
	ZERO16(1)                                       \
	Q6K_HALF(20, 21)                                \
	Q6K_HALF(22, 23)                                \
	VST1 [V0.S4, V1.S4], (R4)                       \
	RET

// Q5K_QH gives the group's nibbles in V8, V9 (low) and V10, V11 (high)
// their bit 4: bit 0 of each qh byte (Vqa, Vqb) to the low nibbles, bit 1
// to the high ones, then shifts the qh bytes right by two for the next
// group. V30 holds 0x10 bytes; Vta, Vtb are scratch.
#define Q5K_QH(Vqa, Vqb, Vta, Vtb) \
	VSHL   $4, Vqa.B16, Vta.B16      \
	VSHL   $4, Vqb.B16, Vtb.B16      \
	VAND   V30.B16, Vta.B16, Vta.B16 \
	VAND   V30.B16, Vtb.B16, Vtb.B16 \
	VORR   Vta.B16, V8.B16, V8.B16   \
	VORR   Vtb.B16, V9.B16, V9.B16   \
	VSHL   $3, Vqa.B16, Vta.B16      \
	VSHL   $3, Vqb.B16, Vtb.B16      \
	VAND   V30.B16, Vta.B16, Vta.B16 \
	VAND   V30.B16, Vtb.B16, Vtb.B16 \
	VORR   Vta.B16, V10.B16, V10.B16 \
	VORR   Vtb.B16, V11.B16, V11.B16 \
	VUSHR  $2, Vqa.B16, Vqa.B16      \
	VUSHR  $2, Vqb.B16, Vqb.B16

// Q5K_CORE is Q4K_CORE for Q5_K: the low nibbles get bit 2p of qh (V16,
// V17, shifted right by two after each group) as their bit 4, the high
// nibbles bit 2p+1. V30 holds 0x10 bytes; V18, V19 are scratch.
#define Q5K_CORE(reg, ilo, ihi) \
	VLD1.P 32(R0), [V2.B16, V3.B16]                 \
	VLD1.P 64(R1), [V4.B16, V5.B16, V6.B16, V7.B16] \
	VAND   V31.B16, V2.B16, V8.B16                   \
	VAND   V31.B16, V3.B16, V9.B16                   \
	VUSHR  $4, V2.B16, V10.B16                       \
	VUSHR  $4, V3.B16, V11.B16                       \
	Q5K_QH(V16, V17, V18, V19)                       \
	LANES(12, 13, 8, 9, 4, 5)                        \
	LANES(14, 15, 10, 11, 6, 7)                      \
	MLAELEM4S(0, 12, reg, ilo)                       \
	MLAELEM4S(1, 13, reg, ilo)                       \
	MLAELEM4S(0, 14, reg, ihi)                       \
	MLAELEM4S(1, 15, reg, ihi)

#define Q5K_BODY \
	MOVD qh_base+0(FP), R5                 \
	MOVD qs_base+24(FP), R0                \
	MOVD q8_base+48(FP), R1                \
	MOVD $sc+72(FP), R2                    \
	MOVD $sumi+104(FP), R3                 \
	VLD1 (R5), [V16.B16, V17.B16]          \
	VLD1 (R2), [V20.S4, V21.S4]            \
	VMOVI $15, V31.B16                     \
	VMOVI $16, V30.B16                     \
	ZERO16(0)                              \
	ZERO16(1)                              \
	Q5K_CORE(20, 0, 1)                     \
	Q5K_CORE(20, 2, 3)                     \
	Q5K_CORE(21, 0, 1)                     \
	Q5K_CORE(21, 2, 3)                     \
	VST1 [V0.S4, V1.S4], (R3)              \
	RET

// The four-activation cores (cols4: one weight super-block, four Q8_K
// activation rows stride bytes apart): each weight group is unpacked once
// and its lanes formed against the four activations, each activation's
// lanes exactly those of the one-row core above. Activation a's quants
// are read from R1 + a*stride (R1-R4 for Q4_K, R2-R5 for Q6_K); its lanes
// 0-3 accumulate in V(2a), 4-7 in V(2a+1).

// Q4K4_ACT adds one activation's lanes (64 bytes at Ra) for the group
// unpacked in V8-V11 (low nibbles V8, V9; high V10, V11) into Va0, Va1,
// scaled by lanes ilo, ihi of Vreg.
#define Q4K4_ACT(Ra, a0, a1, reg, ilo, ihi) \
	VLD1.P 64(Ra), [V12.B16, V13.B16, V14.B16, V15.B16] \
	Q4K_MLA(a0, a1, reg, ilo, ihi)

// Q4K_MLA adds the lanes of the group unpacked in V8-V11 against the 64
// activation bytes in V12-V15 into Va0, Va1, scaled by lanes ilo, ihi of
// Vreg (V18, V19, V22, V23 scratch).
#define Q4K_MLA(a0, a1, reg, ilo, ihi) \
	LANES(18, 19, 8, 9, 12, 13)                          \
	LANES(22, 23, 10, 11, 14, 15)                        \
	MLAELEM4S(a0, 18, reg, ilo)                          \
	MLAELEM4S(a1, 19, reg, ilo)                          \
	MLAELEM4S(a0, 22, reg, ihi)                          \
	MLAELEM4S(a1, 23, reg, ihi)

// Q4K_SPLIT loads a group's 32 packed bytes at Rq (moved past them) and
// splits them: low nibbles in V8, V9, high in V10, V11 (V16, V17 hold the
// bytes; V31 0x0f).
#define Q4K_SPLIT(Rq) \
	VLD1.P 32(Rq), [V16.B16, V17.B16]   \
	VAND   V31.B16, V16.B16, V8.B16      \
	VAND   V31.B16, V17.B16, V9.B16      \
	VUSHR  $4, V16.B16, V10.B16          \
	VUSHR  $4, V17.B16, V11.B16

#define Q4K4_GROUP(reg, ilo, ihi) \
	Q4K_SPLIT(R0)                        \
	Q4K4_ACT(R1, 0, 1, reg, ilo, ihi)    \
	Q4K4_ACT(R2, 2, 3, reg, ilo, ihi)    \
	Q4K4_ACT(R3, 4, 5, reg, ilo, ihi)    \
	Q4K4_ACT(R4, 6, 7, reg, ilo, ihi)

// STORE_ACC4 writes V0-V7 (the four activations' lanes) at Rout.
#define STORE_ACC4(Rout) \
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(Rout) \
	VST1   [V4.S4, V5.S4, V6.S4, V7.S4], (Rout)

#define Q4K4_BODY \
	MOVD qs_base+0(FP), R0          \
	MOVD q8_base+24(FP), R1         \
	MOVD stride+48(FP), R6          \
	ADD  R6, R1, R2                 \
	ADD  R6, R2, R3                 \
	ADD  R6, R3, R4                 \
	MOVD $sc+56(FP), R7             \
	VLD1 (R7), [V20.S4, V21.S4]     \
	VMOVI $15, V31.B16              \
	ZERO8                       \
	Q4K4_GROUP(20, 0, 1)            \
	Q4K4_GROUP(20, 2, 3)            \
	Q4K4_GROUP(21, 0, 1)            \
	Q4K4_GROUP(21, 2, 3)            \
	MOVD $sumi+88(FP), R5           \
	STORE_ACC4(R5)                  \
	RET

// Q6K4_ACT adds one activation's lanes (32 bytes at Ra) for the quants in
// V18, V19: lanes 0-3 scaled by lane i0 of Vs into Va0, 4-7 by lane i1
// into Va1.
#define Q6K4_ACT(Ra, a0, a1, s, i0, i1) \
	VLD1.P 32(Ra), [V14.B16, V15.B16] \
	LANES(16, 17, 18, 19, 14, 15)     \
	MLAELEM4S(a0, 16, s, i0)          \
	MLAELEM4S(a1, 17, s, i1)

#define Q6K4_GROUP(s, i0, i1) \
	Q6K_QUANTS                        \
	Q6K4_ACT(R2, 0, 1, s, i0, i1)     \
	Q6K4_ACT(R3, 2, 3, s, i0, i1)     \
	Q6K4_ACT(R4, 4, 5, s, i0, i1)     \
	Q6K4_ACT(R5, 6, 7, s, i0, i1)

// Q6K4_HALF is Q6K_HALF for four activations: ql (64 bytes) in V8-V11,
// qh (32) in V12, V13.
#define Q6K4_HALF(sa, sb) \
	VLD1.P 64(R0), [V8.B16, V9.B16, V10.B16, V11.B16] \
	VLD1.P 32(R1), [V12.B16, V13.B16]                 \
	VAND   V31.B16, V8.B16, V18.B16                   \
	VAND   V31.B16, V9.B16, V19.B16                   \
	VSHL   $4, V12.B16, V28.B16                       \
	VSHL   $4, V13.B16, V29.B16                       \
	Q6K4_GROUP(sa, 0, 1)                              \
	VAND   V31.B16, V10.B16, V18.B16                  \
	VAND   V31.B16, V11.B16, V19.B16                  \
	VSHL   $2, V12.B16, V28.B16                       \
	VSHL   $2, V13.B16, V29.B16                       \
	Q6K4_GROUP(sa, 2, 3)                              \
	VUSHR  $4, V8.B16, V18.B16                        \
	VUSHR  $4, V9.B16, V19.B16                        \
	VORR   V12.B16, V12.B16, V28.B16                  \
	VORR   V13.B16, V13.B16, V29.B16                  \
	Q6K4_GROUP(sb, 0, 1)                              \
	VUSHR  $4, V10.B16, V18.B16                       \
	VUSHR  $4, V11.B16, V19.B16                       \
	VUSHR  $2, V12.B16, V28.B16                       \
	VUSHR  $2, V13.B16, V29.B16                       \
	Q6K4_GROUP(sb, 2, 3)

#define Q6K4_BODY \
	MOVD ql_base+0(FP), R0                      \
	MOVD qh_base+24(FP), R1                     \
	MOVD q8_base+48(FP), R2                     \
	MOVD stride+72(FP), R6                      \
	ADD  R6, R2, R3                             \
	ADD  R6, R3, R4                             \
	ADD  R6, R4, R5                             \
	MOVD $sc+80(FP), R7                         \
	VLD1 (R7), [V20.S4, V21.S4, V22.S4, V23.S4] \
	VMOVI $15, V31.B16                          \
	VMOVI $0x30, V30.B16                        \
	ZERO8                                   \
	Q6K4_HALF(20, 21)                           \
	Q6K4_HALF(22, 23)                           \
	MOVD $sumi+144(FP), R8                      \
	STORE_ACC4(R8)                              \
	RET

// Q5K4_GROUP is Q4K4_GROUP for Q5_K: the nibbles get their bit 4 from qh
// (V28, V29) by Q5K_QH, as in Q5K_CORE; V16 and V17 are its scratch once
// the group's nibbles are split.
#define Q5K4_GROUP(reg, ilo, ihi) \
	Q4K_SPLIT(R0)                        \
	Q5K_QH(V28, V29, V16, V17)           \
	Q4K4_ACT(R1, 0, 1, reg, ilo, ihi)    \
	Q4K4_ACT(R2, 2, 3, reg, ilo, ihi)    \
	Q4K4_ACT(R3, 4, 5, reg, ilo, ihi)    \
	Q4K4_ACT(R4, 6, 7, reg, ilo, ihi)

#define Q5K4_BODY \
	MOVD qh_base+0(FP), R5          \
	MOVD qs_base+24(FP), R0         \
	MOVD q8_base+48(FP), R1         \
	MOVD stride+72(FP), R6          \
	ADD  R6, R1, R2                 \
	ADD  R6, R2, R3                 \
	ADD  R6, R3, R4                 \
	MOVD $sc+80(FP), R7             \
	VLD1 (R7), [V20.S4, V21.S4]     \
	VLD1 (R5), [V28.B16, V29.B16]   \
	VMOVI $15, V31.B16              \
	VMOVI $16, V30.B16              \
	ZERO8                           \
	Q5K4_GROUP(20, 0, 1)            \
	Q5K4_GROUP(20, 2, 3)            \
	Q5K4_GROUP(21, 0, 1)            \
	Q5K4_GROUP(21, 2, 3)            \
	MOVD $sumi+112(FP), R5          \
	STORE_ACC4(R5)                  \
	RET

// The repacked Q4_K rows4 core (decoding: four weight rows rowBytes
// apart, R6-R9, times one Q8_K activation, R1, loaded once per group for
// the four): row r's int32 lanes accumulate in V(2r), V(2r+1) as
// q4KSumiSDOT forms them, then are summed into one int32 (the packed
// kernel uses only their sum; integer sums wrap alike in any order). The
// scales come transposed, per group g the eight int32 sc[r][2g],
// sc[r][2g+1] for r < 4 (R2), so that one load serves the four rows.
#define Q4KR4_GROUP \
	VLD1.P 64(R1), [V12.B16, V13.B16, V14.B16, V15.B16] \
	VLD1.P 32(R2), [V20.S4, V21.S4]                     \
	Q4K_SPLIT(R6)                                       \
	Q4K_MLA(0, 1, 20, 0, 1)                             \
	Q4K_SPLIT(R7)                                       \
	Q4K_MLA(2, 3, 20, 2, 3)                             \
	Q4K_SPLIT(R8)                                       \
	Q4K_MLA(4, 5, 21, 0, 1)                             \
	Q4K_SPLIT(R9)                                       \
	Q4K_MLA(6, 7, 21, 2, 3)

// Q4KR4_SUM leaves the int32 sum of the lanes Va0, Va1 in Sa0.
#define Q4KR4_SUM(a0, a1) \
	ADD4S(a0, a0, a1) \
	ADDV4S(a0, a0)

#define Q4KR4_BODY \
	MOVD qs_base+0(FP), R6          \
	MOVD rowBytes+24(FP), R5        \
	MOVD q8_base+32(FP), R1         \
	MOVD sc+56(FP), R2              \
	ADD  R5, R6, R7                 \
	ADD  R5, R7, R8                 \
	ADD  R5, R8, R9                 \
	VMOVI $15, V31.B16              \
	ZERO8                           \
	Q4KR4_GROUP                     \
	Q4KR4_GROUP                     \
	Q4KR4_GROUP                     \
	Q4KR4_GROUP                     \
	Q4KR4_SUM(0, 1)                 \
	Q4KR4_SUM(2, 3)                 \
	Q4KR4_SUM(4, 5)                 \
	Q4KR4_SUM(6, 7)                 \
	FMOVS F0, sumi+64(FP)           \
	FMOVS F2, sumi+68(FP)           \
	FMOVS F4, sumi+72(FP)           \
	FMOVS F6, sumi+76(FP)           \
	RET

#define LANES LANES_SDOT

// func q4KSumiSDOT(qs, q8 []byte, sc [8]int32) (sumi [8]int32)
TEXT ·q4KSumiSDOT(SB), NOSPLIT, $0-112
	Q4K_BODY

#undef LANES
#define LANES LANES_NEON

// func q4KSumiNEON(qs, q8 []byte, sc [8]int32) (sumi [8]int32)
TEXT ·q4KSumiNEON(SB), NOSPLIT, $0-112
	Q4K_BODY

#undef LANES
#define LANES LANES_SDOT

// func q6KSumiSDOT(ql, qh, q8 []byte, sc [16]int32) (sumi [8]int32)
TEXT ·q6KSumiSDOT(SB), NOSPLIT, $0-168
	Q6K_BODY

#undef LANES
#define LANES LANES_NEON

// func q6KSumiNEON(ql, qh, q8 []byte, sc [16]int32) (sumi [8]int32)
TEXT ·q6KSumiNEON(SB), NOSPLIT, $0-168
	Q6K_BODY

#undef LANES
#define LANES LANES_SDOT

// func q5KSumiSDOT(qh, qs, q8 []byte, sc [8]int32) (sumi [8]int32)
TEXT ·q5KSumiSDOT(SB), NOSPLIT, $0-136
	Q5K_BODY

#undef LANES
#define LANES LANES_NEON

// func q5KSumiNEON(qh, qs, q8 []byte, sc [8]int32) (sumi [8]int32)
TEXT ·q5KSumiNEON(SB), NOSPLIT, $0-136
	Q5K_BODY

#undef LANES
#define LANES LANES_SDOT

// func q4KSumi4SDOT(qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)
TEXT ·q4KSumi4SDOT(SB), NOSPLIT, $0-216
	Q4K4_BODY

// func q6KSumi4SDOT(ql, qh, q8 []byte, stride int, sc [16]int32) (sumi [4][8]int32)
TEXT ·q6KSumi4SDOT(SB), NOSPLIT, $0-272
	Q6K4_BODY

#undef LANES
#define LANES LANES_NEON

// func q4KSumi4NEON(qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)
TEXT ·q4KSumi4NEON(SB), NOSPLIT, $0-216
	Q4K4_BODY

// func q6KSumi4NEON(ql, qh, q8 []byte, stride int, sc [16]int32) (sumi [4][8]int32)
TEXT ·q6KSumi4NEON(SB), NOSPLIT, $0-272
	Q6K4_BODY

// func q5KSumi4NEON(qh, qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)
TEXT ·q5KSumi4NEON(SB), NOSPLIT, $0-240
	Q5K4_BODY

#undef LANES
#define LANES LANES_SDOT

// func q5KSumi4SDOT(qh, qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)
TEXT ·q5KSumi4SDOT(SB), NOSPLIT, $0-240
	Q5K4_BODY

// func q4KSumiRows4SDOT(qs []byte, rowBytes int, q8 []byte, sc *[4][8]int32) (sumi [4]int32)
TEXT ·q4KSumiRows4SDOT(SB), NOSPLIT, $0-80
	Q4KR4_BODY

#undef LANES
#define LANES LANES_NEON

// func q4KSumiRows4NEON(qs []byte, rowBytes int, q8 []byte, sc *[4][8]int32) (sumi [4]int32)
TEXT ·q4KSumiRows4NEON(SB), NOSPLIT, $0-80
	Q4KR4_BODY
