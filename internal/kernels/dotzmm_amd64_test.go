//go:build !purego

package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// requireZMM skips t where the CPU lacks what a ZMM kernel needs (has:
// hasAVX512 or hasAVX512ZMM); scripts/avx512/run.sh runs these tests in an
// emulated Ice Lake.
func requireZMM(t testing.TB, has bool) {
	t.Helper()
	if !has {
		t.Skip("no AVX-512 F/BW/VL (and VNNI for Q8_0) on this CPU (scripts/avx512/run.sh runs these tests in an emulated Ice Lake)")
	}
}

// TestZMMRows4MatchesYMM checks the ZMM four-row kernels against the YMM
// ones bit for bit on arbitrary bytes (every int8, -128 included, where the
// Q8_0 sign emulation differs from VPSIGNB in form; any Q4_K scales, mins
// and bsums) and against the generic one-row kernel on quantized rows, with
// odd block counts, row padding and misaligned operands.
func TestZMMRows4MatchesYMM(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 4))
	for _, c := range []struct {
		has            bool // the CPU can run zmm
		typ            tensor.Type
		zmm, ymm       rows4Func
		one            dotFunc
		block          int // elements per block
		wBlock, xBlock int // bytes per block
		nbs            []int
	}{
		{hasAVX512ZMM, tensor.Q8_0, dotQ8_0Rows4ZMMVNNIAsm, dotQ8_0Rows4Asm, dotQ8_0Q8_0, 32, q8_0Bytes, q8_0Bytes, []int{0, 1, 2, 3, 7, 8, 17, 33, 128}},
		{hasAVX512, tensor.Q8_0, dotQ8_0Rows4ZMMAsm, dotQ8_0Rows4Asm, dotQ8_0Q8_0, 32, q8_0Bytes, q8_0Bytes, []int{0, 1, 2, 3, 7, 8, 17, 33, 128}},
		{hasAVX512, tensor.Q4_K, dotQ4KPackedRows4ZMMAsm, dotQ4KPackedRows4Asm, dotQ4KQ8KPacked, 256, q4KBytes, q8KBytes, []int{0, 1, 2, 5, 16, 33}},
		{hasAVX512, tensor.Q6_K, dotQ6KRows4ZMMAsm, dotQ6KRows4YMM, dotQ6KQ8K, 256, q6KBytes, q8KBytes, []int{0, 1, 2, 5, 16, 33}},
		{hasAVX512ZMM, tensor.Q4_K, dotQ4KPackedRows4ZMMVNNIAsm, dotQ4KPackedRows4Asm, dotQ4KQ8KPacked, 256, q4KBytes, q8KBytes, []int{0, 1, 2, 5, 16, 33}},
		{hasAVX512ZMM, tensor.Q6_K, dotQ6KRows4ZMMVNNIAsm, dotQ6KRows4YMM, dotQ6KQ8K, 256, q6KBytes, q8KBytes, []int{0, 1, 2, 5, 16, 33}},
	} {
		for _, nb := range c.nbs {
			for _, hostile := range []bool{false, true} {
				t.Run(c.typ.String(), func(t *testing.T) {
					requireZMM(t, c.has)
					n := c.block * nb
					rb := nb*c.wBlock + r.IntN(5)
					var w, x []byte
					if hostile {
						w, x = randBytes(r, 4*rb), randBytes(r, nb*c.xBlock)
						for i := range 4 {
							row := w[i*rb : i*rb+nb*c.wBlock]
							if c.block == 256 {
								fixScales(c.typ, row) // finite d (and dmin)
							} else {
								setHalves(r, row, c.wBlock)
							}
						}
						if c.block == 256 {
							for o := 0; o < len(x); o += c.xBlock { // finite float32 d
								binary.LittleEndian.PutUint32(x[o:], math.Float32bits(r.Float32()*2-1))
							}
						} else {
							setHalves(r, x, c.xBlock)
						}
					} else {
						w = make([]byte, 4*rb)
						for i := range 4 {
							copy(w[i*rb:], quantRow(t, c.typ, randVec(r, n)))
						}
						x = actRow(t, c.typ, randVec(r, n))
					}
					w, x = placed(w, 3), placed(x, 1)
					var got, want [4]float32
					c.zmm(n, w, rb, x, &got)
					c.ymm(n, w, rb, x, &want)
					for i := range 4 {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Errorf("nb=%d hostile=%v row %d: ZMM %.9g, YMM %.9g", nb, hostile, i, got[i], want[i])
						}
						if ref := c.one(n, w[i*rb:], x); !hostile && math.Float32bits(got[i]) != math.Float32bits(ref) {
							t.Errorf("nb=%d row %d: ZMM %.9g, generic %.9g", nb, i, got[i], ref)
						}
					}
				})
			}
		}
	}
}

// dotQ6KRows4YMM is four calls of the YMM one-row Q6_K kernel, which the
// ZMM four-row kernel must equal bit for bit (there is no YMM four-row
// Q6_K kernel).
func dotQ6KRows4YMM(n int, w []byte, rowBytes int, x []byte, out *[4]float32) {
	for r := range out {
		out[r] = dotQ6KAsm(n, w[r*rowBytes:], x)
	}
}

// BenchmarkRows4ZMM compares the YMM and ZMM four-row kernels in one run
// (the A/B that decides whether a ZMM kernel is dispatched), each format
// with its weights in L2 (the compute speed decode's memory stream must
// keep up with) and from DRAM (the stream itself, ~100 MB, one thread). The
// Q6_K "ymm" is four calls of the one-row kernel, the only YMM Q6_K decode.
func BenchmarkRows4ZMM(b *testing.B) {
	requireZMM(b, hasAVX512ZMM)
	r := rand.New(rand.NewPCG(1, 3))
	for _, c := range []struct {
		typ      tensor.Type
		n        int
		ymm, zmm rows4Func
	}{
		{tensor.Q8_0, 4096, dotQ8_0Rows4VNNIAsm, dotQ8_0Rows4ZMMVNNIAsm},
		{tensor.Q4_K, 2048, dotQ4KPackedRows4Asm, dotQ4KPackedRows4ZMMAsm},
		{tensor.Q6_K, 2048, dotQ6KRows4YMM, dotQ6KRows4ZMMAsm},
	} {
		row := quantRow(b, c.typ, randVec(r, c.n))
		rb := len(row)
		xq := actRow(b, c.typ, randVec(r, c.n))
		for _, mem := range []struct {
			name string
			rows int
		}{{"L2", 256 * 1024 / rb &^ 3}, {"DRAM", 100 << 20 / rb &^ 3}} {
			w := make([]byte, 0, mem.rows*rb)
			for range mem.rows {
				w = append(w, row...)
			}
			var out [4]float32
			for _, k := range []struct {
				name string
				f    rows4Func
			}{{"ymm", c.ymm}, {"zmm", c.zmm}} {
				b.Run(c.typ.String()+"/"+mem.name+"/"+k.name, func(b *testing.B) {
					b.SetBytes(int64(len(w)))
					for b.Loop() {
						for i := 0; i < mem.rows; i += 4 {
							k.f(c.n, w[i*rb:], rb, xq, &out)
						}
					}
				})
			}
		}
	}
}
