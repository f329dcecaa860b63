//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// asmExact lists the formats whose assembly reproduces the generic Go
// kernel bit for bit (both follow llama.cpp's AVX2 lanes and fused
// multiply-adds). asmTolerance bounds |asm - generic| / Σ|w_i·x_i| for the
// others, whose generic kernel sums the same exact integers in a different
// float32 order.
var (
	asmExact     = map[tensor.Type]bool{tensor.Q8_0: true, tensor.Q5_0: true, tensor.F32: true, tensor.F16: true, tensor.Q4_K: true, tensor.Q6_K: true}
	asmTolerance = map[tensor.Type]float64{tensor.Q4_K: 1e-6, tensor.Q6_K: 1e-6}
)

// guardByte surrounds operands so that out-of-bounds reads would change
// results visibly and out-of-bounds writes are detected.
const guardByte = 0x7f

func requireAVX2(t testing.TB) {
	t.Helper()
	if !hasAVX2 {
		t.Skip("CPU lacks AVX2+FMA+F16C; the assembly kernels are not used here")
	}
}

// placed copies b into a larger buffer at byte offset off, with guard bytes
// on both sides, and returns the sub-slice (capacity trimmed).
func placed(b []byte, off int) []byte {
	buf := make([]byte, off+len(b)+64)
	for i := range buf {
		buf[i] = guardByte
	}
	copy(buf[off:], b)
	return buf[off : off+len(b) : off+len(b)]
}

func TestAsmDotMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(7, 11))
	for typ, asm := range map[tensor.Type]dotFunc{
		tensor.Q8_0: dotQ8_0Asm, tensor.Q5_0: dotQ5_0Asm, tensor.Q4_K: dotQ4KAsm,
		tensor.Q6_K: dotQ6KAsm, tensor.F32: dotF32RowAsm, tensor.F16: dotF16RowAsm,
	} {
		lens := floatLens
		if bs := int(typ.BlockSize()); bs > 1 {
			lens = nil
			for _, nb := range []int{0, 1, 2, 3, 7, 8, 17, 33} {
				lens = append(lens, nb*bs)
			}
		}
		for _, n := range lens {
			for off := range 4 {
				x := randVec(r, n)
				w := placed(quantRow(t, typ, randVec(r, n)), off)
				xq := placed(actRow(t, typ, x), 3-off)
				want := genericKernels.dot[typ](n, w, xq)
				got := asm(n, w, xq)
				if asmExact[typ] {
					if math.Float32bits(got) != math.Float32bits(want) {
						t.Errorf("%s n=%d off=%d: asm %.9g, generic %.9g (want bit-identical)", typ, n, off, got, want)
					}
					continue
				}
				_, mag := refDot(t, typ, n, w, xq)
				if e := math.Abs(float64(got)-float64(want)) / max(mag, 1e-30); !(e <= asmTolerance[typ]) {
					t.Errorf("%s n=%d off=%d: asm %.9g, generic %.9g (relative %.2g > %.2g)", typ, n, off, got, want, e, asmTolerance[typ])
				}
			}
		}
	}
}

// TestAsmDotExtremeQuants uses the extreme quant values llama.cpp's own
// kernels are exact for (Q8_0 quants in [-127, 127], every Q5_0/Q4_K/Q6_K
// bit pattern) with large and tiny scales.
func TestAsmDotExtremeQuants(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(3, 5))
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q5_0, tensor.Q4_K, tensor.Q6_K} {
		n := 8 * int(typ.BlockSize())
		w := quantRow(t, typ, randVec(r, n))
		for i := range w { // random quant bits, keep the (valid) scales
			if r.IntN(2) == 0 {
				w[i] ^= byte(r.Uint32())
			}
		}
		fixScales(typ, w)
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(1e4 * (r.Float64()*2 - 1))
		}
		xq := actRow(t, typ, x)
		want := genericKernels.dot[typ](n, w, xq)
		got := avx2Kernels.dot[typ](n, w, xq)
		if asmExact[typ] && math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%s: asm %.9g, generic %.9g", typ, got, want)
		}
		if _, mag := refDot(t, typ, n, w, xq); math.Abs(float64(got)-float64(want)) > 1e-6*mag {
			t.Errorf("%s: asm %.9g, generic %.9g", typ, got, want)
		}
	}
}

// fixScales rewrites every fp16 scale of a randomized row to a finite value
// and clamps Q8_0 quants to [-127, 127] (what every quantizer produces).
func fixScales(typ tensor.Type, w []byte) {
	const d = 0x2c00 // fp16 0.0625
	set := func(b []byte) { b[0], b[1] = d&0xff, d>>8 }
	switch typ {
	case tensor.Q8_0:
		for i := 0; i < len(w); i += q8_0Bytes {
			set(w[i:])
			for j := 2; j < q8_0Bytes; j++ {
				if w[i+j] == 0x80 {
					w[i+j] = 0x81
				}
			}
		}
	case tensor.Q5_0:
		for i := 0; i < len(w); i += q5_0Bytes {
			set(w[i:])
		}
	case tensor.Q4_K:
		for i := 0; i < len(w); i += q4KBytes {
			set(w[i:])
			set(w[i+2:])
		}
	case tensor.Q6_K:
		for i := 0; i < len(w); i += q6KBytes {
			set(w[i+208:])
		}
	}
}

func TestAsmAxpyMatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range append([]int{0}, floatLens...) {
		for off := range 3 {
			x := randVec(r, n+off)[off:]
			y := randVec(r, n+off+2)
			want := append([]float32(nil), y...)
			alpha := float32(r.NormFloat64())
			axpyGeneric(alpha, x, want[off:off+n])
			axpyAsm(alpha, x, y[off:off+n])
			for i := range y {
				if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d off=%d: y[%d] = %g, want %g (guards at %d and %d)", n, off, i, y[i], want[i], off-1, off+n)
				}
			}
		}
	}
}

func TestAsmDotF32MatchesGeneric(t *testing.T) {
	requireAVX2(t)
	r := rand.New(rand.NewPCG(9, 9))
	for _, n := range append([]int{0}, floatLens...) {
		a, b := randVec(r, n+1)[1:], randVec(r, n+5)
		if got, want := dotF32Asm(a, b), dotF32Generic(a, b); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d: asm %.9g, generic %.9g", n, got, want)
		}
	}
}

func TestPathNamesAsm(t *testing.T) {
	want := "generic"
	if hasAVX2 {
		want = "avx2+fma"
	}
	if Path() != want {
		t.Fatalf("Path() = %q, want %q", Path(), want)
	}
}

// BenchmarkDotKernels compares each assembly kernel with its generic
// version on one 4096-element row; SetBytes counts the weight bytes, so the
// MB/s column is the weight bandwidth a matmul would reach on one thread
// with the row in cache.
func BenchmarkDotKernels(b *testing.B) {
	requireAVX2(b)
	r := rand.New(rand.NewPCG(1, 1))
	const n = 4096
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q5_0, tensor.Q4_K, tensor.Q6_K, tensor.F16, tensor.F32} {
		w := quantRow(b, typ, randVec(r, n))
		xq := actRow(b, typ, randVec(r, n))
		for _, impl := range []struct {
			name string
			set  *kernelSet
		}{{"generic", &genericKernels}, {"avx2", &avx2Kernels}} {
			dot := impl.set.dot[typ]
			b.Run(typ.String()+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				var s float32
				for b.Loop() {
					s += dot(n, w, xq)
				}
				_ = s
			})
		}
	}
}
