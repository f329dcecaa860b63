package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// dotTolerance bounds |VecDot - reference| / Σ|w_i·x_i|, where the reference
// is the float64 dot product of the dequantized weights with the dequantized
// activations. Integer formats are exact per block and round once per block
// scale; float formats round every fused multiply-add and partial sum to
// float32.
var dotTolerance = map[tensor.Type]float64{
	tensor.F32:  3e-6,
	tensor.F16:  3e-6,
	tensor.BF16: 3e-6,
	tensor.Q8_0: 1e-6,
	tensor.Q4_0: 1e-6,
	tensor.Q4_1: 2e-6,
	tensor.Q5_0: 1e-6,
	tensor.Q5_1: 2e-6,
	tensor.Q2_K: 2e-6,
	tensor.Q3_K: 2e-6,
	tensor.Q4_K: 2e-6,
	tensor.Q5_K: 2e-6,
	tensor.Q6_K: 2e-6,
}

// Lengths swept for block formats (in blocks) and for float formats (in
// elements, gonum-style odd lengths).
var (
	blockCounts = []int{1, 2, 3, 7, 8, 17}
	floatLens   = []int{1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 65, 127, 255, 257, 1023}
)

func randVec(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func rowSize(tb testing.TB, t tensor.Type, n int) int {
	tb.Helper()
	s, err := tensor.RowSize(t, uint64(n))
	if err != nil {
		tb.Fatal(err)
	}
	return int(s)
}

// quantRow quantizes x to type t (weights) and returns the bytes.
func quantRow(tb testing.TB, t tensor.Type, x []float32) []byte {
	tb.Helper()
	b := make([]byte, rowSize(tb, t, len(x)))
	if err := tensor.Quantize(t, x, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// actRow quantizes x to VecDotType(t) as the matmul does.
func actRow(tb testing.TB, t tensor.Type, x []float32) []byte {
	tb.Helper()
	vt := VecDotType(t)
	b := make([]byte, rowSize(tb, vt, len(x)))
	if err := QuantizeRow(vt, x, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func dequant(tb testing.TB, t tensor.Type, b []byte, n int) []float32 {
	tb.Helper()
	y := make([]float32, n)
	if err := tensor.Dequantize(t, b, y); err != nil {
		tb.Fatal(err)
	}
	return y
}

// refDot returns the float64 dot product and Σ|w·x| of the dequantized rows.
// For Q8_1 activations the weight-min term uses the stored block sum s (an
// fp16 rounding of d*Σq), as ggml does: m·Σx over a block becomes m·s.
func refDot(tb testing.TB, t tensor.Type, n int, w, x []byte) (dot, mag float64) {
	wf, xf := dequant(tb, t, w, n), dequant(tb, VecDotType(t), x, n)
	for i := range wf {
		p := float64(wf[i]) * float64(xf[i])
		dot += p
		mag += math.Abs(p)
	}
	if VecDotType(t) == tensor.Q8_1 {
		for b := 0; b < n/32; b++ {
			m := float64(half(w[b*t.TypeSize()+2:]))
			s := float64(half(x[b*q8_1Bytes+2:]))
			var sx float64
			for _, v := range xf[32*b : 32*b+32] {
				sx += float64(v)
			}
			dot += m*s - m*sx
		}
	}
	return dot, mag
}

func TestVecDotAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for typ, tol := range dotTolerance {
		lens := floatLens
		if bs := typ.BlockSize(); bs > 1 {
			lens = nil
			for _, b := range blockCounts {
				lens = append(lens, b*bs)
			}
		}
		for _, n := range lens {
			w := quantRow(t, typ, randVec(r, n))
			x := actRow(t, typ, randVec(r, n))
			got := VecDot(typ, n, w, x)
			want, mag := refDot(t, typ, n, w, x)
			if e := math.Abs(float64(got)-want) / mag; !(e <= tol) {
				t.Errorf("%s n=%d: VecDot = %g, reference %g (relative error %.2g > %.2g)", typ, n, got, want, e, tol)
			}
		}
	}
}

// Sub-slices at every byte offset give bitwise the same result.
func TestVecDotMisaligned(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for typ := range dotTolerance {
		n := 3 * typ.BlockSize()
		if typ.BlockSize() == 1 {
			n = 37
		}
		w := quantRow(t, typ, randVec(r, n))
		x := actRow(t, typ, randVec(r, n))
		want := VecDot(typ, n, w, x)
		for off := 1; off < 8; off++ {
			wb := make([]byte, len(w)+off)[off:]
			xb := make([]byte, len(x)+off+3)[off+3:]
			copy(wb, w)
			copy(xb, x)
			if got := VecDot(typ, n, wb, xb); math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("%s offset %d: %g != %g", typ, off, got, want)
			}
		}
	}
}

func TestVecDotBadInput(t *testing.T) {
	tests := []struct {
		name string
		t    tensor.Type
		n    int
		w, x int // bytes
	}{
		{"short weights", tensor.Q8_0, 32, 33, 34},
		{"short activations", tensor.Q4_0, 32, 18, 33},
		{"partial block", tensor.Q4_K, 255, 144, 292},
		{"wrong activation type size", tensor.Q4_1, 32, 20, 34},
		{"negative n", tensor.F32, -4, 0, 0},
		{"unsupported type", tensor.I32, 1, 4, 4},
		{"unknown type", tensor.Type(77), 1, 4, 4},
	}
	for _, tc := range tests {
		if got := VecDot(tc.t, tc.n, make([]byte, tc.w), make([]byte, tc.x)); !math.IsNaN(float64(got)) {
			t.Errorf("%s: VecDot = %g, want NaN", tc.name, got)
		}
		if err := CheckVecDot(tc.t, tc.n, make([]byte, tc.w), make([]byte, tc.x)); err == nil {
			t.Errorf("%s: CheckVecDot accepted", tc.name)
		}
	}
}

func TestVecDotType(t *testing.T) {
	want := map[tensor.Type]tensor.Type{
		tensor.F32: tensor.F32, tensor.F16: tensor.F16, tensor.BF16: tensor.BF16,
		tensor.Q4_0: tensor.Q8_0, tensor.Q5_0: tensor.Q8_0, tensor.Q8_0: tensor.Q8_0,
		tensor.Q4_1: tensor.Q8_1, tensor.Q5_1: tensor.Q8_1,
		tensor.Q2_K: tensor.Q8_K, tensor.Q3_K: tensor.Q8_K, tensor.Q4_K: tensor.Q8_K,
		tensor.Q5_K: tensor.Q8_K, tensor.Q6_K: tensor.Q8_K,
	}
	for w, v := range want {
		if got := VecDotType(w); got != v {
			t.Errorf("VecDotType(%s) = %s, want %s", w, got, v)
		}
		if !Supported(w) {
			t.Errorf("Supported(%s) = false", w)
		}
	}
	if Supported(tensor.Q8_K) || Supported(tensor.I8) {
		t.Error("activation-only / integer types reported as supported weights")
	}
}

func TestQuantizeRowErrors(t *testing.T) {
	if err := QuantizeRow(tensor.Q4_0, make([]float32, 32), make([]byte, 18)); err == nil {
		t.Error("Q4_0 is not an activation type but was accepted")
	}
	if err := QuantizeRow(tensor.Q8_0, make([]float32, 32), make([]byte, 33)); err == nil {
		t.Error("short destination accepted")
	}
	x := []float32{1.5, -2, 0.1}
	b := make([]byte, 6)
	if err := QuantizeRow(tensor.F16, x, b); err != nil {
		t.Fatal(err)
	}
	if got := dequant(t, tensor.F16, b, 3); got[0] != 1.5 || got[1] != -2 || got[2] != tensor.F16ToF32(tensor.F32ToF16(0.1)) {
		t.Errorf("F16 activations = %v", got)
	}
}

func BenchmarkVecDot(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(1, 1))
	for _, typ := range []tensor.Type{tensor.F32, tensor.F16, tensor.BF16, tensor.Q8_0, tensor.Q4_0, tensor.Q4_1,
		tensor.Q5_0, tensor.Q5_1, tensor.Q2_K, tensor.Q3_K, tensor.Q4_K, tensor.Q5_K, tensor.Q6_K} {
		w := quantRow(b, typ, randVec(r, n))
		x := actRow(b, typ, randVec(r, n))
		b.Run(fmt.Sprint(typ), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				VecDot(typ, n, w, x)
			}
		})
	}
}
