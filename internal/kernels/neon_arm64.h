// NEON instructions the Go arm64 assembler (Go 1.26) has no mnemonic for,
// encoded as WORDs from the Arm A64 encoding tables (DDI 0487, "Advanced
// SIMD"). Arguments are vector register numbers 0-31. Each macro names the
// instruction it encodes; TestNEONEncodings-style checks are done by
// disassembling the test binary (go tool objdump), see scripts/arm64/run.sh.

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
