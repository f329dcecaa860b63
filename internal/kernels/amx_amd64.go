//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// hasAMX reports what the AMX tile kernel (amx_amd64.s) needs: AMX-TILE
// and AMX-INT8 (TDPBSSD), the OS's permission to use the tile data
// (amxPermitted, requested once here), and the AVX-512 set the kernel sums
// the tiles with (ZMM float32 on AVX512F, on top of everything the VNNI
// set it extends needs).
var hasAMX = hasAVX512ZMM && cpu.X86.HasAMXTile && cpu.X86.HasAMXInt8 && amxPermitted()

// amxKernels is the AVX-512 VNNI set with the AMX tile kernel for Q8_0
// prompt batches (and Q5_0's, expanded to Q8_0): 16 weight rows times 16
// activation rows per call, bit-identical to the VNNI kernels it takes
// over from (see tile16.go).
var amxKernels = func() kernelSet {
	k := avx512VNNIKernels
	k.name = "amx+avx512vnni+avx2+fma"
	k.tile16 = dotQ8_0Tile16AMX
	return k
}()

// amxQ8_0Tile16 is implemented in amx_amd64.s.
//
//go:noescape
func amxQ8_0Tile16(cfg *[64]byte, w *byte, rowBytes int, ws *float32, xp *byte, xs *float32, nb int, c *int32, acc *float32)

// amxTileConfig is the tile configuration every amxQ8_0Tile16 call loads.
var amxTileConfig = amxConfig()

// amxConfig returns the tile configuration of amxQ8_0Tile16 (palette 1):
// tmm0 and tmm3 the 16×16 int32 sums, tmm1 and tmm4 16 weight rows of
// four quants, tmm2 and tmm5 one row of 16 activations' four quants.
func amxConfig() (cfg [64]byte) {
	cfg[0] = 1
	shape := func(t, rows, colBytes int) {
		cfg[16+2*t] = byte(colBytes)
		cfg[16+2*t+1] = byte(colBytes >> 8)
		cfg[48+t] = byte(rows)
	}
	for _, t := range []int{0, 3} {
		shape(t, tile16, 4*tile16)
	}
	for _, t := range []int{1, 4} {
		shape(t, tile16, 4)
	}
	for _, t := range []int{2, 5} {
		shape(t, 1, 4*tile16)
	}
	return cfg
}

// dotQ8_0Tile16AMX is the tile16Func of the AMX set.
func dotQ8_0Tile16AMX(n int, w []byte, rowBytes int, ws []float32, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16Scratch) {
	nb := n / 32
	if nb == 0 {
		clear(s.acc[:])
	} else {
		// What the assembly reads, checked here: a short slice panics in
		// Go, never as a stray read in the kernel.
		_ = w[(tile16-1)*rowBytes+nb*q8_0Bytes-1]
		_, _ = ws[nb*tile16-1], xs[nb*tile16-1]
		_ = q[nb*tile16QuantsPerBlock-1]
		amxQ8_0Tile16(&amxTileConfig, &w[0], rowBytes, &ws[0], &q[0], &xs[0], nb, &s.c[0], &s.acc[0])
	}
	tile16Reduce(&s.acc, rows, out, ostride)
}
