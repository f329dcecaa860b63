//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// The repacked Q4_K rows4 kernel on arm64 (decoding: four consecutive
// weight rows times one activation row): each super-block's integer sums
// come from assembly (dotk_arm64.s, the activation's quants loaded once
// per group for the four rows), the scales, the min term and the float32
// steps from q4KPackedStep, so every output is dotQ4KQ8KPacked's bit for
// bit.

// q4KSumiRows4SDOT sets sumi[r] = laneSum(q4KSumiSDOT(qs[r*rowBytes:], q8,
// sc_r)) for the four weight rows r < 4, where sc_r[2g+j] = sc[g][2r+j]
// (the rows' scales transposed, one group's for the four rows together). len(qs) >= 3*rowBytes+128,
// len(q8) >= 256. Needs dotprod.
//
//go:noescape
func q4KSumiRows4SDOT(qs []byte, rowBytes int, q8 []byte, sc *[4][8]int32) (sumi [4]int32)

// q4KSumiRows4NEON is q4KSumiRows4SDOT without dotprod.
//
//go:noescape
func q4KSumiRows4NEON(qs []byte, rowBytes int, q8 []byte, sc *[4][8]int32) (sumi [4]int32)

// q4KRows4Core is one of the q4KSumiRows4 kernels.
type q4KRows4Core func(qs []byte, rowBytes int, q8 []byte, sc *[4][8]int32) [4]int32

// dotQ4KPackedRows4With sets out[r] = dotQ4KQ8KPacked(n, w[r*rowBytes:],
// x) for r < 4 with the integer sums from core.
func dotQ4KPackedRows4With(name string, n int, w []byte, rowBytes int, x []byte, out *[4]float32, core q4KRows4Core) {
	nb := rows4Blocks(name, n, w, rowBytes, x, tensor.QK_K, q4KBytes, q8KBytes, out)
	var acc, accm [4]float32
	var m [4][8]int32
	for ib := range nb {
		xb := x[ib*q8KBytes : (ib+1)*q8KBytes]
		var sc [4][8]int32 // sc[g][2r+j]: group g's two scales of row r
		for r := range 4 {
			var s [8]int32
			s, m[r] = kScalesMins(w[r*rowBytes+ib*q4KBytes+4 : r*rowBytes+ib*q4KBytes+16])
			for g := range 4 {
				sc[g][2*r], sc[g][2*r+1] = s[2*g], s[2*g+1]
			}
		}
		sumi := core(w[ib*q4KBytes+16:], rowBytes, xb[4:4+tensor.QK_K], &sc)
		for r := range 4 {
			wb := w[r*rowBytes+ib*q4KBytes : r*rowBytes+(ib+1)*q4KBytes]
			q4KPackedStep(wb, xb, &m[r], sumi[r], &acc[r], &accm[r])
		}
	}
	if nb > 0 {
		for r := range 4 {
			out[r] = acc[r] - accm[r]
		}
	}
}

func dotQ4KPackedRows4SDOTAsm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	dotQ4KPackedRows4With("dotQ4KPackedRows4SDOTAsm", n, w, rowBytes, x, out, q4KSumiRows4SDOT)
}

func dotQ4KPackedRows4NEONAsm(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	dotQ4KPackedRows4With("dotQ4KPackedRows4NEONAsm", n, w, rowBytes, x, out, q4KSumiRows4NEON)
}
