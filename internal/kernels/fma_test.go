package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// fmafExact rounds a*b+c once to float32 via exact big.Float arithmetic.
func fmafExact(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

func TestFMAF(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	// Crafted double-rounding case: a*b = 1 + 2^-24 + 2^-60 style values where
	// the float64 sum ties in float32.
	cases := [][3]float32{
		{1 + 0x1p-12, 1 + 0x1p-12, 0x1p-50},       // (1+2^-12)^2 = 1 + 2^-11 + 2^-24
		{1 + 0x1p-12, 1 - 0x1p-12, -0x1p-50},      // 1 - 2^-24 ...
		{1 + 0x1p-12, 1 + 0x1p-12, -0x1p-24},      // exact float32 result
		{3, 1.0 / 3, -1},                          // cancellation
		{0x1p100, 0x1p100, float32(math.Inf(-1))}, // infinities
	}
	for range 100000 {
		cases = append(cases, [3]float32{float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(60)-30)))})
	}
	// Near-ties: products whose low bits sit exactly at a float32 midpoint.
	for range 20000 {
		a := float32(1 + float64(r.IntN(1<<12))*0x1p-12)
		b := float32(1 + float64(r.IntN(1<<12))*0x1p-12)
		c := float32(r.NormFloat64() * 0x1p-40)
		cases = append(cases, [3]float32{a, b, c})
	}
	for _, c := range cases {
		got, want := fmaf(c[0], c[1], c[2]), fmafExact(c[0], c[1], c[2])
		if math.Float32bits(got) != math.Float32bits(want) && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
			t.Fatalf("fmaf(%g, %g, %g) = %g, exact %g", c[0], c[1], c[2], got, want)
		}
	}
}
