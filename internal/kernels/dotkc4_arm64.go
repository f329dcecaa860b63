//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// Prompt-batch (cols4) kernels of the K-quants on arm64: one weight row
// times four activation rows. Each weight super-block is unpacked once in
// assembly (dotk_arm64.s) and its int32 lanes formed against the four
// activations, each activation's lanes the one-row core's; the scales, the
// min and bsum terms and the float32 accumulation are the one-row kernels'
// Go steps (q4KPackedStep, q6KStep), so every output is the one-row dot's
// bit for bit.

// q4KSumi4SDOT sets sumi[a] = q4KSumiSDOT(qs, q8[a*stride:], sc) for the
// four activations a < 4. len(qs) >= 128, len(q8) >= 3*stride+256.
// Needs dotprod.
//
//go:noescape
func q4KSumi4SDOT(qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)

// q4KSumi4NEON is q4KSumi4SDOT without dotprod.
//
//go:noescape
func q4KSumi4NEON(qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)

// q6KSumi4SDOT sets sumi[a] = q6KSumiSDOT(ql, qh, q8[a*stride:], sc) for
// the four activations a < 4. len(ql) >= 128, len(qh) >= 64,
// len(q8) >= 3*stride+256. Needs dotprod.
//
//go:noescape
func q6KSumi4SDOT(ql, qh, q8 []byte, stride int, sc [16]int32) (sumi [4][8]int32)

// q6KSumi4NEON is q6KSumi4SDOT without dotprod.
//
//go:noescape
func q6KSumi4NEON(ql, qh, q8 []byte, stride int, sc [16]int32) (sumi [4][8]int32)

// q5KSumi4SDOT sets sumi[a] = q5KSumiSDOT(qh, qs, q8[a*stride:], sc) for
// the four activations a < 4. len(qh) >= 32, len(qs) >= 128,
// len(q8) >= 3*stride+256. Needs dotprod.
//
//go:noescape
func q5KSumi4SDOT(qh, qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)

// q5KSumi4NEON is q5KSumi4SDOT without dotprod.
//
//go:noescape
func q5KSumi4NEON(qh, qs, q8 []byte, stride int, sc [8]int32) (sumi [4][8]int32)

// q4KCore4 is one of the q4KSumi4 kernels; q6KCore4 one of the q6KSumi4;
// q5KCore4 one of the q5KSumi4.
type (
	q4KCore4 func(qs, q8 []byte, stride int, sc [8]int32) [4][8]int32
	q6KCore4 func(ql, qh, q8 []byte, stride int, sc [16]int32) [4][8]int32
	q5KCore4 func(qh, qs, q8 []byte, stride int, sc [8]int32) [4][8]int32
)

// kCols4Blocks bounds-checks a K-quant cols4 kernel's operands (one weight
// row of wBlock bytes a super-block, four activation rows xBytes apart:
// rows4Blocks with the roles of the operands swapped, since the four rows
// are the activations here) and returns the super-block count.
func kCols4Blocks(name string, n int, w, x []byte, xBytes, wBlock int, out *[4]float32) int {
	return rows4Blocks(name, n, x, xBytes, w, tensor.QK_K, q8KBytes, wBlock, out)
}

// dotQ4KPackedCols4With sets out[a] = dotQ4KQ8KPacked(n, w, x[a*xBytes:])
// for a < 4 with the lanes from core.
func dotQ4KPackedCols4With(name string, n int, w, x []byte, xBytes int, out *[4]float32, core q4KCore4) {
	nb := kCols4Blocks(name, n, w, x, xBytes, q4KBytes, out)
	var acc, accm [4]float32
	for ib := range nb {
		wb := w[ib*q4KBytes : (ib+1)*q4KBytes]
		sc, m := kScalesMins(wb[4:16])
		lanes := core(wb[16:144], x[ib*q8KBytes+4:], xBytes, sc)
		for a := range 4 {
			xb := x[a*xBytes+ib*q8KBytes : a*xBytes+(ib+1)*q8KBytes]
			q4KPackedStep(wb, xb, &m, laneSum(&lanes[a]), &acc[a], &accm[a])
		}
	}
	if nb > 0 {
		for a := range 4 {
			out[a] = acc[a] - accm[a]
		}
	}
}

func dotQ4KPackedCols4SDOTAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ4KPackedCols4With("dotQ4KPackedCols4SDOTAsm", n, w, x, xBytes, out, q4KSumi4SDOT)
}

func dotQ4KPackedCols4NEONAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ4KPackedCols4With("dotQ4KPackedCols4NEONAsm", n, w, x, xBytes, out, q4KSumi4NEON)
}

// q45KCore4 forms the four activations' int32 lanes of one Q4_K or Q5_K
// super-block wb (q8: the first activation's quants, the others stride
// bytes apart).
type q45KCore4 func(wb, q8 []byte, stride int, sc [8]int32) [4][8]int32

// dotQ45KCols4With sets out[a] = dotQ4KQ8K(n, w, x[a*xBytes:]) (typ Q4_K,
// a matrix that is not repacked) or dotQ5KQ8K (typ Q5_K) for a < 4 with the
// lanes from core; the float steps are dotQ4KWith's and dotQ5KWith's, on
// q45KBlock's values: fmaLanes(acc, d, lanes) per super-block, and the min
// term per lane for Q4_K (accm[k] = fma(dmin, prod[k], accm[k]), added as
// (accm[0]+accm[2]) + (accm[1]+accm[3])) or summed first for Q5_K (summs =
// fma(dmin, Σ prod, summs)); result reduce8(acc) plus the min term.
func dotQ45KCols4With(name string, typ tensor.Type, n int, w, x []byte, xBytes int, out *[4]float32, core q45KCore4) {
	wBlock := typ.TypeSize()
	nb := kCols4Blocks(name, n, w, x, xBytes, wBlock, out)
	var acc [4][8]float32
	var mins [4][4]float32 // Q5_K: its summs in mins[a][0]
	for ib := range nb {
		wb := w[ib*wBlock : (ib+1)*wBlock]
		sc, _ := kScalesMins(wb[4:16])
		lanes := core(wb, x[ib*q8KBytes+4:], xBytes, sc)
		for a := range 4 {
			d, dmin, _, _, prod := q45KBlock(wb, x[a*xBytes+ib*q8KBytes:a*xBytes+(ib+1)*q8KBytes])
			if typ == tensor.Q5_K {
				mins[a][0] = fmaf(dmin, float32((prod[0]+prod[1])+(prod[2]+prod[3])), mins[a][0])
			} else {
				for k := range 4 {
					mins[a][k] = fmaf(dmin, float32(prod[k]), mins[a][k])
				}
			}
			fmaLanes(&acc[a], d, &lanes[a])
		}
	}
	if nb == 0 {
		return
	}
	for a := range 4 {
		m := mins[a][0]
		if typ != tensor.Q5_K {
			m = (mins[a][0] + mins[a][2]) + (mins[a][1] + mins[a][3])
		}
		out[a] = reduce8(&acc[a]) + m
	}
}

// q4KPlainCore4 and q5KPlainCore4 adapt the q4KSumi4 and q5KSumi4 kernels
// to q45KCore4.
func q4KPlainCore4(core q4KCore4) q45KCore4 {
	return func(wb, q8 []byte, stride int, sc [8]int32) [4][8]int32 {
		return core(wb[16:144], q8, stride, sc)
	}
}

func q5KPlainCore4(core q5KCore4) q45KCore4 {
	return func(wb, q8 []byte, stride int, sc [8]int32) [4][8]int32 {
		return core(wb[16:48], wb[48:176], q8, stride, sc)
	}
}

// The plain Q4_K and Q5_K cols4 cores in their two builds.
var (
	q4KCols4SDOT, q4KCols4NEON = q4KPlainCore4(q4KSumi4SDOT), q4KPlainCore4(q4KSumi4NEON)
	q5KCols4SDOT, q5KCols4NEON = q5KPlainCore4(q5KSumi4SDOT), q5KPlainCore4(q5KSumi4NEON)
)

func dotQ4KCols4SDOTAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ45KCols4With("dotQ4KCols4SDOTAsm", tensor.Q4_K, n, w, x, xBytes, out, q4KCols4SDOT)
}

func dotQ4KCols4NEONAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ45KCols4With("dotQ4KCols4NEONAsm", tensor.Q4_K, n, w, x, xBytes, out, q4KCols4NEON)
}

func dotQ5KCols4SDOTAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ45KCols4With("dotQ5KCols4SDOTAsm", tensor.Q5_K, n, w, x, xBytes, out, q5KCols4SDOT)
}

func dotQ5KCols4NEONAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ45KCols4With("dotQ5KCols4NEONAsm", tensor.Q5_K, n, w, x, xBytes, out, q5KCols4NEON)
}

// dotQ6KCols4With sets out[a] = dotQ6KQ8K(n, w, x[a*xBytes:]) for a < 4
// with the lanes from core.
func dotQ6KCols4With(name string, n int, w, x []byte, xBytes int, out *[4]float32, core q6KCore4) {
	nb := kCols4Blocks(name, n, w, x, xBytes, q6KBytes, out)
	var acc [4][8]float32
	for ib := range nb {
		wb := w[ib*q6KBytes : (ib+1)*q6KBytes]
		sc := q6KScales(wb)
		lanes := core(wb[0:128], wb[128:192], x[ib*q8KBytes+4:], xBytes, sc)
		for a := range 4 {
			yd, _, bs := q8K(x[a*xBytes+ib*q8KBytes : a*xBytes+(ib+1)*q8KBytes])
			q6KStep(&acc[a], yd*half(wb[208:]), bs, &sc, &lanes[a])
		}
	}
	if nb > 0 {
		for a := range 4 {
			out[a] = reduce8(&acc[a])
		}
	}
}

func dotQ6KCols4SDOTAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ6KCols4With("dotQ6KCols4SDOTAsm", n, w, x, xBytes, out, q6KSumi4SDOT)
}

func dotQ6KCols4NEONAsm(n int, w, x []byte, xBytes int, out *[4]float32) {
	dotQ6KCols4With("dotQ6KCols4NEONAsm", n, w, x, xBytes, out, q6KSumi4NEON)
}

// dotQ4_0PackedCols4SDOT sets out[a] = dotQ4_0Q8_0Packed(32*nb, w,
// x[a*xBytes:]) for a < 4, each weight block decoded once: per block s =
// Σ_{j<32} q_w[j]·q_x[j] (exact int32), acc = fma(float32(s),
// fp16(w.d)*fp16(x.d), acc). len(w) >= 18*nb, len(x) >= 3*xBytes + 34*nb,
// xBytes >= 34*nb. Needs dotprod.
//
//go:noescape
func dotQ4_0PackedCols4SDOT(w, x []byte, xBytes, nb int) (out [4]float32)

// dotQ4_0PackedCols4NEON is dotQ4_0PackedCols4SDOT without dotprod.
//
//go:noescape
func dotQ4_0PackedCols4NEON(w, x []byte, xBytes, nb int) (out [4]float32)

// legacyCols4Asm returns the bounds-checked entry (a cols4Func) of kern, a
// legacy format's cols4 kernel over 32-element blocks of wBlock weight and
// xBlock activation bytes.
func legacyCols4Asm(name string, kern func(w, x []byte, xBytes, nb int) [4]float32, wBlock, xBlock int) cols4Func {
	return func(n int, w, x []byte, xBytes int, out *[4]float32) {
		// rows4Blocks with the roles swapped: the four rows are the
		// activations.
		if nb := rows4Blocks(name, n, x, xBytes, w, 32, xBlock, wBlock, out); nb > 0 {
			*out = kern(w, x, xBytes, nb)
		}
	}
}

var (
	dotQ4_0PackedCols4SDOTAsm = legacyCols4Asm("dotQ4_0PackedCols4SDOTAsm", dotQ4_0PackedCols4SDOT, q4_0Bytes, q8_0Bytes)
	dotQ4_0PackedCols4NEONAsm = legacyCols4Asm("dotQ4_0PackedCols4NEONAsm", dotQ4_0PackedCols4NEON, q4_0Bytes, q8_0Bytes)
)
