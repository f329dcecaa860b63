// NEON instructions the Go arm64 assembler (Go 1.26) has no mnemonic for,
// encoded as WORDs from the Arm A64 encoding tables (DDI 0487, "Advanced
// SIMD"). Arguments are vector register numbers 0-31. Each macro names the
// instruction it encodes. A wrong encoding shows in the bit-identity tests
// (*_arm64_test.go, under qemu-aarch64: wrong results or SIGILL); when
// written they were also read back with go tool objdump on the arm64 test
// binary, which decodes all of them but SDOT.

// SDOT Vd.4S, Vn.16B, Vm.16B (dotprod): d[k] += Σ_{j<4} n[4k+j]*m[4k+j], signed bytes.
#define SDOT4S(d, n, m) WORD $(0x4E809400 | (m)<<16 | (n)<<5 | (d))

// SMULL Vd.8H, Vn.8B, Vm.8B: signed 8×8→16-bit products of the low halves.
#define SMULL8H(d, n, m) WORD $(0x0E20C000 | (m)<<16 | (n)<<5 | (d))

// SMULL2 Vd.8H, Vn.16B, Vm.16B: the same for the high halves.
#define SMULL2_8H(d, n, m) WORD $(0x4E20C000 | (m)<<16 | (n)<<5 | (d))

// SADDLP Vd.4S, Vn.8H: d[k] = n[2k] + n[2k+1], widened to 32 bits.
#define SADDLP4S(d, n) WORD $(0x4E602800 | (n)<<5 | (d))

// ADDP Vd.4S, Vn.4S, Vm.4S: d = (n0+n1, n2+n3, m0+m1, m2+m3), integer.
#define ADDP4S(d, n, m) WORD $(0x4EA0BC00 | (m)<<16 | (n)<<5 | (d))

// SCVTF Vd.4S, Vn.4S: int32 → float32, rounded to nearest.
#define SCVTF4S(d, n) WORD $(0x4E21D800 | (n)<<5 | (d))

// FADD Vd.4S, Vn.4S, Vm.4S: d = n + m, float32 lanes.
#define FADD4S(d, n, m) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))

// FADDP Vd.4S, Vn.4S, Vm.4S: d = (n0+n1, n2+n3, m0+m1, m2+m3), float32.
#define FADDP4S(d, n, m) WORD $(0x6E20D400 | (m)<<16 | (n)<<5 | (d))

// FADDP Sd, Vn.2S: Sd = n0 + n1.
#define FADDP2S(d, n) WORD $(0x7E30D800 | (n)<<5 | (d))

// EOR Vd.16B, Vd.16B, Vd.16B: zero Vd.
#define ZERO16(d) WORD $(0x6E201C00 | (d)<<16 | (d)<<5 | (d))

// MLA Vd.4S, Vn.4S, Vm.S[i]: d[k] += n[k] * m[i], int32 (wrapping).
#define MLAELEM4S(d, n, m, i) WORD $(0x6F800000 | ((i)&1)<<21 | (m)<<16 | ((i)>>1)<<11 | (n)<<5 | (d))

// LANES_SDOT sets Vd0 (Vd1) to the four int32 lane sums of the signed byte
// products Va0·Vb0 (Va1·Vb1), lane k holding bytes 4k..4k+3.
#define LANES_SDOT(d0, d1, a0, a1, b0, b1) \
	ZERO16(d0)          \
	ZERO16(d1)          \
	SDOT4S(d0, a0, b0)  \
	SDOT4S(d1, a1, b1)

// LANES_NEON is LANES_SDOT without dotprod (V24-V27 scratch): 16-bit
// products (|p| <= 128·128 fits), pairs widened to int32 (SADDLP), pairs of
// pairs (ADDP): the same int32 values.
#define LANES_NEON(d0, d1, a0, a1, b0, b1) \
	SMULL8H(24, a0, b0)   \
	SMULL2_8H(25, a0, b0) \
	SMULL8H(26, a1, b1)   \
	SMULL2_8H(27, a1, b1) \
	SADDLP4S(24, 24)      \
	SADDLP4S(25, 25)      \
	SADDLP4S(26, 26)      \
	SADDLP4S(27, 27)      \
	ADDP4S(d0, 24, 25)    \
	ADDP4S(d1, 26, 27)

// FCVTL Vd.4S, Vn.4H: the low four fp16 lanes to float32 (exact).
#define FCVTL4S(d, n) WORD $(0x0E217800 | (n)<<5 | (d))

// FCVTL2 Vd.4S, Vn.8H: the high four fp16 lanes to float32 (exact).
#define FCVTL2_4S(d, n) WORD $(0x4E217800 | (n)<<5 | (d))

// FABS Vd.4S, Vn.4S: clears the sign bits.
#define FABS4S(d, n) WORD $(0x4EA0F800 | (n)<<5 | (d))

// FMAX Vd.4S, Vn.4S, Vm.4S: lane maxima (NaN if either is NaN, as Go's max).
#define FMAX4S(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))

// FMAXV Sd, Vn.4S: the maximum of the four lanes (NaN propagates).
#define FMAXV4S(d, n) WORD $(0x6E30F800 | (n)<<5 | (d))

// FMUL Vd.4S, Vn.4S, Vm.4S: d = n * m, float32 lanes, rounded.
#define FMUL4S(d, n, m) WORD $(0x6E20DC00 | (m)<<16 | (n)<<5 | (d))

// FCVTNS Vd.4S, Vn.4S: float32 to int32, rounded to nearest with ties to
// even (NaN gives 0).
#define FCVTNS4S(d, n) WORD $(0x4E21A800 | (n)<<5 | (d))

// XTN Vd.4H, Vn.4S / XTN2 Vd.8H, Vn.4S: int32 lanes truncated to 16 bits,
// into the low / high half of Vd.
#define XTN4H(d, n) WORD $(0x0E612800 | (n)<<5 | (d))
#define XTN2_8H(d, n) WORD $(0x4E612800 | (n)<<5 | (d))

// XTN Vd.8B, Vn.8H / XTN2 Vd.16B, Vn.8H: int16 lanes truncated to 8 bits.
#define XTN8B(d, n) WORD $(0x0E212800 | (n)<<5 | (d))
#define XTN2_16B(d, n) WORD $(0x4E212800 | (n)<<5 | (d))

// FCMEQ Vd.4S, Vn.4S, Vm.4S: all ones where n == m (false for NaN).
#define FCMEQ4S(d, n, m) WORD $(0x4E20E400 | (m)<<16 | (n)<<5 | (d))

// SMIN Vd.4S, Vn.4S, Vm.4S: signed int32 minima.
#define SMIN4S(d, n, m) WORD $(0x4EA06C00 | (m)<<16 | (n)<<5 | (d))

// SADDLP Vd.8H, Vn.16B: d[k] = n[2k] + n[2k+1], signed bytes to int16.
#define SADDLP8H(d, n) WORD $(0x4E202800 | (n)<<5 | (d))

// ADDP Vd.8H, Vn.8H, Vm.8H: pairwise int16 sums of n then m (wrapping).
#define ADDP8H(d, n, m) WORD $(0x4E60BC00 | (m)<<16 | (n)<<5 | (d))

// AND Vd.16B, Vn.16B, Vm.16B (for macros taking register numbers).
#define AND16(d, n, m) WORD $(0x4E201C00 | (m)<<16 | (n)<<5 | (d))

// SUB Vd.4S, Vn.4S, Vm.4S: d = n - m, int32 lanes.
#define SUB4S(d, n, m) WORD $(0x6EA08400 | (m)<<16 | (n)<<5 | (d))

// FMLA Vd.4S, Vn.4S, Vm.4S: d = fma(n, m, d), float32 lanes, one rounding.
#define FMLA4S(d, n, m) WORD $(0x4E20CC00 | (m)<<16 | (n)<<5 | (d))

// EXT Vd.16B, Vn.16B, Vm.16B, #8: d = high half of n, then low half of m.
#define EXT8(d, n, m) WORD $(0x6E004000 | (m)<<16 | (n)<<5 | (d))

// SHLL Vd.4S, Vn.4H, #16 / SHLL2 Vd.4S, Vn.8H, #16: the low / high four
// 16-bit lanes shifted into the top of 32-bit lanes (bf16 to float32).
#define SHLL4S(d, n) WORD $(0x2E613800 | (n)<<5 | (d))
#define SHLL2_4S(d, n) WORD $(0x6E613800 | (n)<<5 | (d))

// ADDV Sd, Vn.4S: the int32 sum of the four lanes (wrapping).
#define ADDV4S(d, n) WORD $(0x4EB1B800 | (n)<<5 | (d))

// ADD Vd.4S, Vn.4S, Vm.4S: int32 lanes (wrapping).
#define ADD4S(d, n, m) WORD $(0x4EA08400 | (m)<<16 | (n)<<5 | (d))

// SCVTF Sd, Sn: the int32 in Sn to float32, rounded to nearest.
#define SCVTFS(d, n) WORD $(0x5E21D800 | (n)<<5 | (d))

// FCVTN Vd.4H, Vn.4S / FCVTN2 Vd.8H, Vn.4S: float32 to fp16, rounded to
// nearest even (NaNs quieted, payload kept), into the low / high half.
#define FCVTN4H(d, n) WORD $(0x0E216800 | (n)<<5 | (d))
#define FCVTN2_8H(d, n) WORD $(0x4E216800 | (n)<<5 | (d))

// FNEG Vd.4S, Vn.4S: flips the sign bits.
#define FNEG4S(d, n) WORD $(0x6EA0F800 | (n)<<5 | (d))

// FSUB Vd.4S, Vn.4S, Vm.4S: d = n - m, float32 lanes.
#define FSUB4S(d, n, m) WORD $(0x4EA0D400 | (m)<<16 | (n)<<5 | (d))

// FMLS Vd.4S, Vn.4S, Vm.4S: d = fma(-n, m, d), one rounding.
#define FMLS4S(d, n, m) WORD $(0x4EA0CC00 | (m)<<16 | (n)<<5 | (d))

// FDIV Vd.4S, Vn.4S, Vm.4S: d = n / m.
#define FDIV4S(d, n, m) WORD $(0x6E20FC00 | (m)<<16 | (n)<<5 | (d))

// FCMGT Vd.4S, Vn.4S, Vm.4S: all ones where n > m (false for NaN, as
// _CMP_GT_OQ).
#define FCMGT4S(d, n, m) WORD $(0x6EA0E400 | (m)<<16 | (n)<<5 | (d))

// FCMLE Vd.4S, Vn.4S, #0: all ones where n <= 0 (false for NaN).
#define FCMLE0_4S(d, n) WORD $(0x6EA0D800 | (n)<<5 | (d))

// SHL Vd.4S, Vn.4S, #sh (0 <= sh < 32).
#define SHL4S(d, n, sh) WORD $(0x4F005400 | (32+(sh))<<16 | (n)<<5 | (d))

// BSL Vd.16B, Vn.16B, Vm.16B: d = (d & n) | (^d & m), bit by bit.
#define BSL16(d, n, m) WORD $(0x6E601C00 | (m)<<16 | (n)<<5 | (d))

// SMMLA Vd.4S, Vn.16B, Vm.16B (i8mm): d[2i+j] += Σ_{k<8} n[8i+k]*m[8j+k],
// signed bytes: the 2×2 int32 product of two 2×8 matrices (rows of n times
// rows of m).
#define SMMLA4S(d, n, m) WORD $(0x4E80A400 | (m)<<16 | (n)<<5 | (d))

// Q5_DECODE decodes the Q5_0/Q5_1 block quants at Rw (qh, then qs; Rw
// moves past them) into bytes V2 (elements 0-15) and V3 (16-31): element
// j is nibble | (qh>>j&1)<<4 (0..31). Vq, Vlo, Vhi and R7 are scratch; the
// constants are Q5_0_BITS's (Vidxlo, Vidxhi, Vbit), 0x0f bytes in Vmask
// and 0x10 bytes in V16s.
#define Q5_DECODE(Rw, Vq, Vlo, Vhi, Vidxlo, Vidxhi, Vbit, Vmask, V16s) \
	MOVWU.P 4(Rw), R7                   \
	VLD1.P  16(Rw), [V2.B16]            \
	VMOV    R7, Vq.S[0]                 \
	VTBL    Vidxlo.B16, [Vq.B16], Vlo.B16 \
	VTBL    Vidxhi.B16, [Vq.B16], Vhi.B16 \
	VCMTST  Vbit.B16, Vlo.B16, Vlo.B16  \
	VCMTST  Vbit.B16, Vhi.B16, Vhi.B16  \
	VAND    V16s.B16, Vlo.B16, Vlo.B16  \
	VAND    V16s.B16, Vhi.B16, Vhi.B16  \
	VUSHR   $4, V2.B16, V3.B16          \
	VAND    Vmask.B16, V2.B16, V2.B16   \
	VORR    Vlo.B16, V2.B16, V2.B16     \
	VORR    Vhi.B16, V3.B16, V3.B16

// Q5_0_DECODE is Q5_DECODE for Q5_0: 16 is subtracted (signed quants
// -16..15).
#define Q5_0_DECODE(Rw, Vq, Vlo, Vhi, Vidxlo, Vidxhi, Vbit, Vmask, V16s) \
	Q5_DECODE(Rw, Vq, Vlo, Vhi, Vidxlo, Vidxhi, Vbit, Vmask, V16s) \
	VSUB    V16s.B16, V2.B16, V2.B16    \
	VSUB    V16s.B16, V3.B16, V3.B16

// Q5_0_BITS sets Q5_0_DECODE's table constants (R8 scratch): the qh byte
// of each element (Vidxlo: j/8 for j < 16; Vidxhi: for j >= 16) and its
// bit (Vbit: 1<<(j%8)).
#define Q5_0_BITS(Vidxlo, Vidxhi, Vbit) \
	MOVD  $0x0101010101010101, R8      \
	VEOR  Vidxlo.B16, Vidxlo.B16, Vidxlo.B16 \
	VMOV  R8, Vidxlo.D[1]              \
	MOVD  $0x0202020202020202, R8      \
	VMOV  R8, Vidxhi.D[0]              \
	MOVD  $0x0303030303030303, R8      \
	VMOV  R8, Vidxhi.D[1]              \
	MOVD  $0x8040201008040201, R8      \
	VMOV  R8, Vbit.D[0]                \
	VMOV  R8, Vbit.D[1]

// FMLA Vd.4S, Vn.4S, Vm.S[i]: d = fma(n, m[i], d), float32 lanes, one
// rounding (by element).
#define FMLAELEM4S(d, n, m, i) WORD $(0x4F801000 | ((i)&1)<<21 | (m)<<16 | ((i)>>1)<<11 | (n)<<5 | (d))

// ZERO8 zeroes the accumulators V0-V7, ZERO8_HI V8-V15.
#define ZERO8 \
	ZERO16(0) \
	ZERO16(1) \
	ZERO16(2) \
	ZERO16(3) \
	ZERO16(4) \
	ZERO16(5) \
	ZERO16(6) \
	ZERO16(7)

#define ZERO8_HI \
	ZERO16(8)  \
	ZERO16(9)  \
	ZERO16(10) \
	ZERO16(11) \
	ZERO16(12) \
	ZERO16(13) \
	ZERO16(14) \
	ZERO16(15)

// MLA Vd.4S, Vn.4S, Vm.4S: d[k] += n[k] * m[k], int32 (wrapping).
#define MLA4S(d, n, m) WORD $(0x4EA09400 | (m)<<16 | (n)<<5 | (d))

// COLS4_ARGS loads the arguments of a legacy cols4 kernel, func(w, x
// []byte, xBytes, nb int): the weight row in R0, the four activation rows
// (xBytes apart, R5) in R1-R4, nb in Rn.
#define COLS4_ARGS(Rn) \
	MOVD w_base+0(FP), R0  \
	MOVD x_base+24(FP), R1 \
	MOVD xBytes+48(FP), R5 \
	MOVD nb+56(FP), Rn     \
	ADD  R5, R1, R2        \
	ADD  R5, R2, R3        \
	ADD  R5, R3, R4
