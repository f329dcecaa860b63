package model

import "math"

// ropeCache fills cs with the cos/sin pairs of position pos exactly as
// ggml_rope_cache_init does on llama.cpp's CPU backend without YaRN:
// theta starts at pos and is multiplied by thetaScale (float32) per pair;
// pair k uses theta/freqFactors[k] (llama3 rope_freqs) times freqScale, and
// cos/sin are glibc's cosf/sinf (below), which are not always correctly
// rounded: using a correctly rounded cos/sin changes about 2% of the values
// by one ulp, enough for logits to drift from llama.cpp's after a few
// positions.
//
// TODO(kernels): this belongs in kernels.RoPECache; it lives here until the
// kernels package adopts the glibc-compatible sinf/cosf.
func ropeCache(cs []float32, pos int, thetaScale, freqScale float32, freqFactors []float32) {
	theta := float32(pos)
	for i := 0; i < len(cs); i += 2 {
		t := theta
		if freqFactors != nil {
			t = theta / freqFactors[i/2]
		}
		t = freqScale * t
		cs[i], cs[i+1] = cosf(t), sinf(t)
		theta *= thetaScale
	}
}

// ropeThetaScale returns powf(base, -2/nDims) as ggml computes it.
func ropeThetaScale(base float32, nDims int) float32 {
	return float32(math.Pow(float64(base), float64(-2/float32(nDims))))
}

// The rest of this file reimplements glibc's (2.28+, from Arm's optimized
// routines) sinf and cosf for x86-64 (no TOINT intrinsics): a single-step
// range reduction for |x| < 120, a 4/π table for larger |x|, then a
// polynomial in float64. Explicit float64 conversions keep the compiler
// from fusing multiply-adds, which glibc's baseline x86-64 build does not.

// sincosPoly holds one set of polynomial coefficients; the second set
// computes -cos(x) to get the negation for free.
type sincosPoly struct {
	sign               [4]float64
	hpiInv, hpi        float64
	c0, c1, c2, c3, c4 float64
	s1, s2, s3         float64
}

var sincosTable = [2]sincosPoly{
	{[4]float64{1, -1, -1, 1}, 0x1.45F306DC9C883p+23, 0x1.921FB54442D18p0,
		0x1p0, -0x1.ffffffd0c621cp-2, 0x1.55553e1068f19p-5, -0x1.6c087e89a359dp-10, 0x1.99343027bf8c3p-16,
		-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
	{[4]float64{1, -1, -1, 1}, 0x1.45F306DC9C883p+23, 0x1.921FB54442D18p0,
		-0x1p0, 0x1.ffffffd0c621cp-2, -0x1.55553e1068f19p-5, 0x1.6c087e89a359dp-10, -0x1.99343027bf8c3p-16,
		-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
}

// invPio4 is 4/π to 192 bits, 8 new bits per entry.
var invPio4 = [24]uint32{
	0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e,
	0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
	0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
	0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
	0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599,
	0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
}

const (
	pio4 = 0x1.921FB54442D18p-1  // π/4
	pi63 = 0x1.921FB54442D18p-62 // 2π·2^-64
)

func abstop12(x float32) uint32 { return (math.Float32bits(x) >> 20) & 0x7ff }

// sinfPoly evaluates the sine (n even) or cosine (n odd) polynomial.
func sinfPoly(x, x2 float64, p *sincosPoly, n int) float32 {
	if n&1 == 0 {
		x3 := float64(x * x2)
		s1 := p.s2 + float64(x2*p.s3)
		x7 := float64(x3 * x2)
		s := x + float64(x3*p.s1)
		return float32(s + float64(x7*s1))
	}
	x4 := float64(x2 * x2)
	c2 := p.c3 + float64(x2*p.c4)
	c1 := p.c0 + float64(x2*p.c1)
	x6 := float64(x4 * x2)
	c := c1 + float64(x4*p.c2)
	return float32(c + float64(x6*c2))
}

// reduceFast reduces |x| < 120 to [-π/4, π/4] and the quadrant n.
func reduceFast(x float64, p *sincosPoly) (float64, int) {
	r := float64(x * p.hpiInv)
	n := (int32(r) + 0x800000) >> 24
	return x - float64(float64(n)*p.hpi), int(n)
}

// reduceLarge reduces a large |x| (given as float bits) exactly.
func reduceLarge(xi uint32) (float64, int) {
	arr := invPio4[(xi>>26)&15:]
	shift := (xi >> 23) & 7
	xi = (xi & 0xffffff) | 0x800000
	xi <<= shift
	res0 := uint64(xi * arr[0])
	res1 := uint64(xi) * uint64(arr[4])
	res2 := uint64(xi) * uint64(arr[8])
	res0 = (res2 >> 32) | (res0 << 32)
	res0 += res1
	n := (res0 + (1 << 61)) >> 62
	res0 -= n << 62
	return float64(int64(res0)) * pi63, int(n)
}

// sincosfQuadrant is the common path of sinf (cos = 0) and cosf (cos = 1).
func sincosfQuadrant(y float32, cos int) float32 {
	x := float64(y)
	p := &sincosTable[0]
	switch {
	case abstop12(y) < abstop12(float32(pio4)):
		if abstop12(y) < abstop12(0x1p-12) {
			if cos == 1 {
				return 1
			}
			return y
		}
		return sinfPoly(x, float64(x*x), p, cos)
	case abstop12(y) < abstop12(120):
		x, n := reduceFast(x, p)
		s := p.sign[n&3]
		if n&2 != 0 {
			p = &sincosTable[1]
		}
		return sinfPoly(float64(x*s), float64(x*x), p, n^cos)
	case abstop12(y) < abstop12(float32(math.Inf(1))):
		xi := math.Float32bits(y)
		sign := int(xi >> 31)
		x, n := reduceLarge(xi)
		s := p.sign[(n+sign)&3]
		if (n+sign)&2 != 0 {
			p = &sincosTable[1]
		}
		return sinfPoly(float64(x*s), float64(x*x), p, n^cos)
	default:
		return float32(math.NaN())
	}
}

func sinf(y float32) float32 { return sincosfQuadrant(y, 0) }
func cosf(y float32) float32 { return sincosfQuadrant(y, 1) }
