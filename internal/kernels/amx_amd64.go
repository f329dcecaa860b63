//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// hasAMX reports what the AMX tile kernel (amx_amd64.s) needs: AMX-TILE
// and AMX-INT8 (TDPBSSD), the OS's permission to use the tile data
// (amxPermitted, requested once here), and the AVX-512 set the kernel sums
// the tiles with (ZMM float32 on AVX512F, on top of everything the VNNI
// set it extends needs).
var hasAMX = hasAVX512ZMM && cpu.X86.HasAMXTile && cpu.X86.HasAMXInt8 && amxPermitted()

// amxKernels is the AVX-512 VNNI set with the AMX tile kernels for Q8_0
// prompt batches (and Q5_0's, expanded to Q8_0) and repacked Q4_0 and
// Q4_K ones:
// 16 weight rows times 16 activation rows per call, bit-identical to the
// VNNI kernels they take over from (see tile16.go, tile16q40.go,
// tile16k.go).
var amxKernels = func() kernelSet {
	k := avx512VNNIKernels
	k.name = "amx+avx512vnni+avx2+fma"
	k.tile16 = dotQ8_0Tile16AMX
	k.tile16K = dotQ4KTile16AMX
	k.tile16Q40 = dotQ4_0Tile16AMX
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
func amxConfig() [64]byte {
	return tileConfig([][3]int{{0, tile16, 4 * tile16}, {3, tile16, 4 * tile16}, {1, tile16, 4}, {4, tile16, 4},
		{2, 1, 4 * tile16}, {5, 1, 4 * tile16}})
}

// tileConfig returns an LDTILECFG configuration of palette 1 with the
// given shapes {tile, rows, bytes per row}.
func tileConfig(shapes [][3]int) (cfg [64]byte) {
	cfg[0] = 1
	for _, s := range shapes {
		cfg[16+2*s[0]] = byte(s[2])
		cfg[16+2*s[0]+1] = byte(s[2] >> 8)
		cfg[48+s[0]] = byte(s[1])
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

// amxQ4KTile16 is the repacked Q4_K tile on AMX (amxq4k_amd64.s).
//
//go:noescape
func amxQ4KTile16(cfg *[64]byte, wq *byte, sc *int32, mins *int32, dd *float32, xq *byte, xd *float32, xbs *int32, nb int, c *int32, acc *float32)

// amxQ4KTileConfig is the tile configuration of amxQ4KTile16 and
// amxQ4_0Tile16 (palette 1): tmm0 the 16×16 int32 sums, tmm1 16 weight
// rows of 32 quants (a Q4_K sub-block, a Q4_0 block), tmm2 their 8 rows
// of 16 activations' four quants.
var amxQ4KTileConfig = tileConfig([][3]int{{0, tile16, 4 * tile16}, {1, tile16, 32}, {2, 8, 4 * tile16}})

// dotQ4KTile16AMX is the tile16KFunc of the AMX set.
func dotQ4KTile16AMX(wt *tile16KWeights, q []byte, d []float32, bs []int32, rows int, out []float32, ostride int, s *tile16KScratch) {
	clear(s.acc[:])
	clear(s.accm[:])
	if nb := wt.nb; nb > 0 {
		// What the assembly reads, checked here: a short slice panics in
		// Go, never as a stray read in the kernel.
		_, _, _ = wt.q[nb*tile16KWQuants-1], wt.sc[nb*tile16KSubScales-1], wt.mins[nb*tile16KSubScales-1]
		_ = wt.dd[nb*2*tile16-1]
		_, _, _ = q[nb*tile16KXQuants-1], d[nb*tile16-1], bs[nb*tile16KSubScales-1]
		amxQ4KTile16(&amxQ4KTileConfig, &wt.q[0], &wt.sc[0], &wt.mins[0], &wt.dd[0], &q[0], &d[0], &bs[0], nb, &s.c[0], &s.acc[0])
	}
	tile16KReduce(s, true, rows, out, ostride)
}

// amxQ4_0Tile16 is the repacked Q4_0 tile on AMX (amxq40_amd64.s).
//
//go:noescape
func amxQ4_0Tile16(cfg *[64]byte, wq *byte, wd *float32, xq *byte, xs *float32, nb int, c *int32, acc *float32)

// dotQ4_0Tile16AMX is the tile16Q40Func of the AMX set.
func dotQ4_0Tile16AMX(wt *tile16Q40Weights, q []byte, xs []float32, rows int, out []float32, ostride int, s *tile16KScratch) {
	if nb := wt.nb; nb > 0 {
		// What the assembly reads, checked here.
		_, _ = wt.q[nb*tile16*32-1], wt.d[nb*tile16-1]
		_, _ = q[nb*tile16QuantsPerBlock-1], xs[nb*tile16-1]
		amxQ4_0Tile16(&amxQ4KTileConfig, &wt.q[0], &wt.d[0], &q[0], &xs[0], nb, &s.c[0], &s.acc[0])
	} else {
		clear(s.acc[:])
	}
	tile16KReduce(s, false, rows, out, ostride)
}
