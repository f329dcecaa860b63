//go:build !purego

package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// dot5Cases pairs the kernels of dot5_amd64.s with the generic kernels they
// reproduce bit for bit.
var dot5Cases = []struct {
	name      string
	typ       tensor.Type
	asm, want dotFunc
}{
	{"Q5_K", tensor.Q5_K, dotQ5KAsm, dotQ5KQ8K},
	{"Q4_0", tensor.Q4_0, dotQ4_0Asm, dotQ4_0Q8_0},
	{"Q4_0 packed", tensor.Q4_0, dotQ4_0PackedAsm, dotQ4_0Q8_0Packed},
	{"BF16", tensor.BF16, dotBF16RowAsm, dotBF16Row},
	{"Q4_1", tensor.Q4_1, dotQ4_1Asm, dotQ4_1Q8_1},
	{"Q5_1", tensor.Q5_1, dotQ5_1Asm, dotQ5_1Q8_1},
}

// dot5Lengths returns the row lengths swept for typ: odd block counts for
// block formats, gonum-style odd element counts for BF16.
func dot5Lengths(typ tensor.Type) []int {
	bs := typ.BlockSize()
	if bs == 1 {
		return append([]int{0}, floatLens...)
	}
	var lens []int
	for _, nb := range []int{0, 1, 2, 3, 5, 8, 17, 33} {
		lens = append(lens, nb*bs)
	}
	return lens
}

// checkBits fails t unless got and want have the same bits.
func checkBits(t *testing.T, what string, got, want float32) {
	t.Helper()
	if math.Float32bits(got) != math.Float32bits(want) {
		t.Errorf("%s: asm %.9g (%#08x), generic %.9g (%#08x); want bit-identical",
			what, got, math.Float32bits(got), want, math.Float32bits(want))
	}
}

func TestDot5MatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(21, 5))
	for _, c := range dot5Cases {
		for _, n := range dot5Lengths(c.typ) {
			for off := range 4 {
				w := placed(quantRow(t, c.typ, randVec(r, n)), off)
				xq := placed(actRow(t, c.typ, randVec(r, n)), 3-off)
				checkBits(t, fmt.Sprintf("%s n=%d off=%d", c.name, n, off), c.asm(n, w, xq), c.want(n, w, xq))
			}
		}
	}
}

// fp16 scale bit patterns used by the extreme tests: the largest finite
// value, the smallest subnormal, the smallest normal, one, negative values
// and zero.
var extremeHalves = []uint16{0x7bff, 0x0001, 0x0400, 0x3c00, 0xfbff, 0xbc00, 0x8001, 0x0000, 0x2c00}

// Quant fillers of the extreme tests: all-min, all-max and random bits.
const (
	fillMin = iota
	fillMax
	fillRandom
	numFills
)

// extremeWeights returns nb blocks of type typ whose quant bytes are all
// 0x00 (every quant at its minimum), all 0xFF (maximum) or random, with the
// fp16 scales (and 6-bit scales/mins of Q5_K) drawn from the extremes.
func extremeWeights(r *rand.Rand, typ tensor.Type, nb, fill int) []byte {
	bsz := typ.TypeSize()
	w := make([]byte, nb*bsz)
	for i := range w {
		switch fill {
		case fillMin:
			w[i] = 0
		case fillMax:
			w[i] = 0xff
		default:
			w[i] = byte(r.Uint32())
		}
	}
	half := func(b []byte) {
		binary.LittleEndian.PutUint16(b, extremeHalves[r.IntN(len(extremeHalves))])
	}
	for ib := range nb {
		b := w[ib*bsz : (ib+1)*bsz]
		switch typ {
		case tensor.Q4_0:
			half(b)
		case tensor.Q4_1, tensor.Q5_1:
			half(b)
			half(b[2:])
		case tensor.Q5_K:
			half(b)
			half(b[2:])
		}
	}
	return w
}

// extremeActs returns nb activation blocks of VecDotType(typ) with quants
// all -127, all +127 or random in [-127, 127] (what the quantizers produce;
// -128 never occurs) and random scales; Q8_K block sums are random int16s
// half of the time (the kernels must wrap like llama.cpp's) and the true
// sums otherwise.
func extremeActs(r *rand.Rand, typ tensor.Type, nb, fill int) []byte {
	vt := VecDotType(typ)
	bsz := vt.TypeSize()
	x := make([]byte, nb*bsz)
	quants := func(q []byte) {
		for i := range q {
			switch fill {
			case fillMin:
				q[i] = 0x81 // -127
			case fillMax:
				q[i] = 127
			default:
				q[i] = byte(int8(r.IntN(255) - 127))
			}
		}
	}
	for ib := range nb {
		b := x[ib*bsz : (ib+1)*bsz]
		h := extremeHalves[r.IntN(len(extremeHalves))]
		switch vt {
		case tensor.Q8_0:
			binary.LittleEndian.PutUint16(b, h)
			quants(b[2:34])
		case tensor.Q8_1:
			binary.LittleEndian.PutUint16(b, h)
			binary.LittleEndian.PutUint16(b[2:], extremeHalves[r.IntN(len(extremeHalves))])
			quants(b[4:36])
		case tensor.Q8_K:
			d := []float32{1e-3, 0.5, 3, 1e3, -2}[r.IntN(5)]
			binary.LittleEndian.PutUint32(b, math.Float32bits(d))
			q := b[4:260]
			quants(q)
			for j := range 16 {
				var s int32
				for _, v := range q[16*j : 16*j+16] {
					s += int32(int8(v))
				}
				if r.IntN(2) == 0 {
					s = int32(int16(r.Uint32()))
				}
				binary.LittleEndian.PutUint16(b[260+2*j:], uint16(int16(s)))
			}
		}
	}
	return x
}

// TestDot5ExtremeQuants checks the integer kernels with all-min, all-max and
// random quant bits under extreme fp16 scales (largest finite, subnormal,
// zero, negative), random Q8_K block sums, at misaligned offsets.
func TestDot5ExtremeQuants(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(8, 13))
	for _, c := range dot5Cases {
		if c.typ == tensor.BF16 {
			continue
		}
		for _, nb := range []int{1, 2, 5, 17} {
			n := nb * c.typ.BlockSize()
			for wf := range numFills {
				for xf := range numFills {
					w := placed(extremeWeights(r, c.typ, nb, wf), 1+wf)
					xq := placed(extremeActs(r, c.typ, nb, xf), 3-xf)
					checkBits(t, fmt.Sprintf("%s nb=%d fill=%d/%d", c.name, nb, wf, xf),
						c.asm(n, w, xq), c.want(n, w, xq))
				}
			}
		}
	}
}

// randBF16 returns n bf16 values with random signs, mantissas and exponents
// in [2^-60, 2^60): products stay far from the float32 subnormal range
// (where the generic fmaf rounds twice, unlike the hardware) and from
// overflow, and include huge cancelling magnitudes.
func randBF16(r *rand.Rand, n int) []byte {
	b := make([]byte, 2*n)
	for i := range n {
		exp := uint16(127-60+r.IntN(120)) << 7
		v := exp | uint16(r.IntN(128)) | uint16(r.IntN(2))<<15
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

func TestDot5BF16Extreme(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(4, 4))
	for _, n := range append([]int{0, 32, 64, 4096}, floatLens...) {
		for off := range 3 {
			w, x := placed(randBF16(r, n), 2*off), placed(randBF16(r, n), off)
			checkBits(t, fmt.Sprintf("BF16 n=%d off=%d", n, off), dotBF16RowAsm(n, w, x), dotBF16Row(n, w, x))
		}
	}
	// Exact cancellation: w·x then -w·x gives a zero sum in every lane.
	const n = 96
	w := randBF16(r, n)
	x := randBF16(r, n)
	for i := n / 2; i < n; i++ {
		copy(w[2*i:2*i+2], w[2*(i-n/2):])
		binary.LittleEndian.PutUint16(x[2*i:], binary.LittleEndian.Uint16(x[2*(i-n/2):])^0x8000)
	}
	checkBits(t, "BF16 cancel", dotBF16RowAsm(n, w, x), dotBF16Row(n, w, x))
}

// TestDot5Dispatch checks that VecDot uses the new kernels on AVX2 CPUs.
func TestDot5Dispatch(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(2, 2))
	for _, c := range dot5Cases {
		if c.name == "Q4_0 packed" {
			got := avx2Kernels.packed[tensor.Q4_0]
			if got == nil || reflect.ValueOf(got).Pointer() != reflect.ValueOf(c.asm).Pointer() {
				t.Errorf("Q4_0 packed: dispatch does not use the assembly kernel")
			}
			continue
		}
		const n = 4 * 256
		w := quantRow(t, c.typ, randVec(r, n))
		xq := actRow(t, c.typ, randVec(r, n))
		checkBits(t, c.name+" VecDot", VecDot(c.typ, n, w, xq), c.want(n, w, xq))
		if got := avx2Kernels.dot[c.typ]; got == nil || reflect.ValueOf(got).Pointer() != reflect.ValueOf(c.asm).Pointer() {
			t.Errorf("%s: dispatch does not use the assembly kernel", c.name)
		}
	}
}

// TestDot5ShortSlicePanics checks that the wrappers bound the operands: a
// row one byte short panics in Go instead of being read by the assembly.
func TestDot5ShortSlicePanics(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(3, 3))
	for _, c := range dot5Cases {
		n := 2 * max(c.typ.BlockSize(), 32)
		w := quantRow(t, c.typ, randVec(r, n))
		xq := actRow(t, c.typ, randVec(r, n))
		for _, short := range []struct {
			name string
			w, x []byte
		}{{"weights", w[: len(w)-1 : len(w)-1], xq}, {"activations", w, xq[: len(xq)-1 : len(xq)-1]}} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: short %s did not panic", c.name, short.name)
					}
				}()
				c.asm(n, short.w, short.x)
			}()
		}
	}
}
