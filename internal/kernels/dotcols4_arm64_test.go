//go:build !purego

package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// cols4EdgeHalves are fp16 block scales at the edges: 0.0625, one, the
// largest finite value, the smallest subnormal, -2^-14, -1 and zero.
var cols4EdgeHalves = []uint16{0x2c00, 0x3c00, 0x7bff, 0x0001, 0x8400, 0xbc00, 0x0000}

// cols4EdgeScales are the byte offsets, in a block of each legacy format,
// of the fp16 scales (d, and m where there is one) that
// cols4RandomWeights draws from cols4EdgeHalves.
var cols4EdgeScales = map[tensor.Type][]int{
	tensor.Q4_0: {0}, tensor.Q4_1: {0, 2}, tensor.Q5_1: {0, 2},
}

// cols4FiniteHalves are the byte offsets, in a K-quant super-block, of the
// high bytes of its fp16 scales (d, dmin), whose bit 0x40 is cleared so
// that they are finite.
var cols4FiniteHalves = map[tensor.Type][]int{
	tensor.Q4_K: {1, 3}, tensor.Q5_K: {1, 3}, tensor.Q6_K: {209},
}

// cols4RandomWeights returns nb blocks of typ with random bytes (every
// quant, qh, scale and min bit pattern), the fp16 scales of the legacy
// formats drawn from cols4EdgeHalves and those of the K-quants kept finite.
func cols4RandomWeights(r *rand.Rand, typ tensor.Type, nb int) []byte {
	bsz := typ.TypeSize()
	w := make([]byte, nb*bsz)
	for i := range w {
		w[i] = byte(r.Uint32())
	}
	for ib := range nb {
		b := w[ib*bsz : (ib+1)*bsz]
		for _, off := range cols4EdgeScales[typ] {
			binary.LittleEndian.PutUint16(b[off:], cols4EdgeHalves[r.IntN(len(cols4EdgeHalves))])
		}
		for _, off := range cols4FiniteHalves[typ] {
			b[off] &^= 0x40
		}
	}
	return w
}

// cols4RandomActs returns four activation rows of VecDotType(typ) for nb
// blocks, xBytes apart, with random quant bytes (-128 included) and edge
// scales (Q8_0, Q8_1), or random block sums and d = 1 (Q8_K).
func cols4RandomActs(r *rand.Rand, typ tensor.Type, nb int) (x []byte, xBytes int) {
	vt := VecDotType(typ)
	bsz := vt.TypeSize()
	xBytes = nb*bsz + r.IntN(5)
	x = make([]byte, 3*xBytes+nb*bsz)
	for i := range x {
		x[i] = byte(r.Uint32())
	}
	for a := range 4 {
		for ib := range nb {
			b := x[a*xBytes+ib*bsz:]
			switch vt {
			case tensor.Q8_0, tensor.Q8_1:
				binary.LittleEndian.PutUint16(b, cols4EdgeHalves[r.IntN(len(cols4EdgeHalves))])
				if vt == tensor.Q8_1 {
					binary.LittleEndian.PutUint16(b[2:], cols4EdgeHalves[r.IntN(len(cols4EdgeHalves))])
				}
			case tensor.Q8_K:
				binary.LittleEndian.PutUint32(b, math.Float32bits(1))
			}
		}
	}
	return x, xBytes
}

// TestNEONCols4RandomBits feeds every cols4 kernel random weight and
// activation bytes under edge scales, so that the integer lanes reach their
// extremes and the float steps see subnormal, huge and zero scales, and
// checks each output against the generic one-row kernel bit for bit.
func TestNEONCols4RandomBits(t *testing.T) {
	r := rand.New(rand.NewPCG(40, 2))
	for _, c := range neonCols4Cases {
		if c.typ.BlockSize() == 1 {
			continue // float rows: random bits would be NaNs and infinities
		}
		t.Run(c.name, func(t *testing.T) {
			if !requireNEON(t, c.dotprod) {
				return
			}
			for _, nb := range []int{1, 3, 9} {
				n := nb * c.blockElem
				for trial := range 4 {
					w := cols4RandomWeights(r, c.typ, nb)
					x, xBytes := cols4RandomActs(r, c.typ, nb)
					var out [4]float32
					c.four(n, w, x, xBytes, &out)
					xr := rowSize(t, VecDotType(c.typ), n)
					for a := range 4 {
						want := c.one(n, w, x[a*xBytes:a*xBytes+xr])
						if math.Float32bits(out[a]) != math.Float32bits(want) {
							t.Errorf("nb=%d trial %d activation %d: %.9g, want %.9g", nb, trial, a, out[a], want)
						}
					}
				}
			}
		})
	}
}

// TestArmPromptKernelsChosen checks that MatMul's dispatch gives prompt
// batches of every format but Q8_0 and Q5_0 (rows4, tile42 and the
// expansion to Q8_0) and F32 a four-activation kernel in each arm64 set:
// cols4 for plain matrices, packedCols4 for repacked Q4_0 and Q4_K; a
// single activation row still takes no cols4 kernel.
func TestArmPromptKernelsChosen(t *testing.T) {
	for _, set := range []*kernelSet{&neonKernels, &dotProdKernels, &i8mmKernels} {
		t.Run(set.name, func(t *testing.T) {
			withKernels(set, func() {
				for _, c := range []struct {
					typ  tensor.Type
					rows int
				}{
					{tensor.Q4_0, 42}, {tensor.Q4_0, 40}, {tensor.Q4_1, 42}, {tensor.Q5_1, 42},
					{tensor.Q4_K, 42}, {tensor.Q4_K, 40}, {tensor.Q5_K, 42}, {tensor.Q6_K, 42},
					{tensor.F16, 42}, {tensor.BF16, 42},
				} {
					w := Matrix{Type: c.typ, Rows: c.rows, Cols: 512}
					if rows4Kernel(w, 4) != nil || cols4Kernel(w, 4) == nil {
						t.Errorf("%s with %d rows: a batch of four takes no cols4 kernel", c.typ, c.rows)
					}
					if cols4Kernel(w, 1) != nil {
						t.Errorf("%s with %d rows: one activation row takes a cols4 kernel", c.typ, c.rows)
					}
				}
			})
		})
	}
}

// TestArmDecodeKernelsChosen checks that decoding (one to three activation
// rows) multiplies four weight rows at a time in each arm64 set where a
// rows4 kernel exists: Q8_0, Q5_0 and repacked Q4_K.
func TestArmDecodeKernelsChosen(t *testing.T) {
	for _, set := range []*kernelSet{&neonKernels, &dotProdKernels, &i8mmKernels} {
		withKernels(set, func() {
			for _, w := range []Matrix{
				{Type: tensor.Q8_0, Rows: 42, Cols: 512},
				{Type: tensor.Q5_0, Rows: 42, Cols: 512},
				{Type: tensor.Q4_K, Rows: 40, Cols: 512},
			} {
				for n := 1; n < 4; n++ {
					if rows4Kernel(w, n) == nil {
						t.Errorf("%s: %s with %d rows, n=%d: no rows4 kernel", set.name, w.Type, w.Rows, n)
					}
				}
			}
		})
	}
}

// TestNEONPackedRows4RandomBits feeds the repacked Q4_K rows4 kernels
// random super-blocks (every quant, scale and min bit pattern, finite d
// and dmin) and random Q8_K activations, each output checked against the
// generic packed one-row kernel bit for bit.
func TestNEONPackedRows4RandomBits(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 3))
	for _, k := range []struct {
		name    string
		dotprod bool
		four    rows4Func
	}{{"sdot", true, dotQ4KPackedRows4SDOTAsm}, {"neon", false, dotQ4KPackedRows4NEONAsm}} {
		t.Run(k.name, func(t *testing.T) {
			if !requireNEON(t, k.dotprod) {
				return
			}
			for _, nb := range []int{1, 2, 5} {
				n := nb * tensor.QK_K
				rb := nb*q4KBytes + r.IntN(3)
				w := make([]byte, 3*rb+nb*q4KBytes)
				for row := range 4 {
					copy(w[row*rb:], cols4RandomWeights(r, tensor.Q4_K, nb))
				}
				x, _ := cols4RandomActs(r, tensor.Q4_K, nb)
				var out [4]float32
				k.four(n, w, rb, x, &out)
				for row := range 4 {
					want := dotQ4KQ8KPacked(n, w[row*rb:row*rb+nb*q4KBytes], x)
					if math.Float32bits(out[row]) != math.Float32bits(want) {
						t.Errorf("nb=%d row %d: %.9g, want %.9g", nb, row, out[row], want)
					}
				}
			}
		})
	}
}
