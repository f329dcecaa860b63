package kernels

import "math"

// sinf and cosf reproduce the float32 sine and cosine of glibc (2.28 and
// later, from Arm's optimized-routines), which llama.cpp's rope cache calls on
// Linux: the argument is reduced in float64 by a multiple of pi/2 (a
// multiply-subtract below 120, a 4/pi table with integer arithmetic above),
// then a short polynomial in float64 is rounded once to float32. The result
// is within 0.56 ulp of the true value, not always correctly rounded, which
// is why a correctly rounded cos/sin drifts from llama.cpp's logits after a
// few positions.
//
// On x86-64, glibc's libm picks at load time a build compiled with FMA when
// the CPU has FMA and AVX2 (the CPUs llama.cpp's haswell build runs on), so
// the multiply-adds below are fused (math.FMA) as GCC contracts them there.
// Fused or not, the float64 intermediate carries 29 bits more than the
// float32 result: when Plume had an unfused copy of this code (in
// internal/model), both gave glibc's float32 on all 454,348 arguments of a
// sweep from 2^-31 to 2^23. TestLibm compares this code with the system's
// libm itself (testdata/libm/gen.c).

// sincosfPoly holds one set of glibc's sin/cos polynomial coefficients.
type sincosfPoly struct{ c0, c1, c2, c3, c4, s1, s2, s3 float64 }

// sincosfTab: the second entry computes -cos(x), giving the negation for free.
var sincosfTab = [2]sincosfPoly{
	{0x1p0, -0x1.ffffffd0c621cp-2, 0x1.55553e1068f19p-5, -0x1.6c087e89a359dp-10, 0x1.99343027bf8c3p-16,
		-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
	{-0x1p0, 0x1.ffffffd0c621cp-2, -0x1.55553e1068f19p-5, 0x1.6c087e89a359dp-10, -0x1.99343027bf8c3p-16,
		-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
}

// invPio4 is 4/pi to 192 bits, 8 new bits per entry (glibc's __inv_pio4).
var invPio4 = [24]uint32{
	0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e,
	0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
	0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
	0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
	0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599,
	0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
}

var sincosfSign = [4]float64{1, -1, -1, 1}

const (
	hpiInv24 = 0x1.45F306DC9C883p+23 // 2/pi * 2^24
	hpi      = 0x1.921FB54442D18p0   // pi/2
	pi63     = 0x1.921FB54442D18p-62 // 2pi * 2^-64
	pio4     = 0x1.921FB54442D18p-1  // pi/4
)

func abstop12(f float32) uint32 { return math.Float32bits(f) >> 20 & 0x7ff }

// sinfPoly evaluates sin (n even) or cos (n odd) of the reduced argument.
func sinfPoly(x, x2 float64, p *sincosfPoly, n int) float32 {
	if n&1 == 0 {
		x3 := x * x2
		s1 := math.FMA(x2, p.s3, p.s2)
		x7 := x3 * x2
		s := math.FMA(x3, p.s1, x)
		return float32(math.FMA(x7, s1, s))
	}
	x4 := x2 * x2
	c2 := math.FMA(x2, p.c4, p.c3)
	c1 := math.FMA(x2, p.c1, p.c0)
	x6 := x4 * x2
	c := math.FMA(x4, p.c2, c1)
	return float32(math.FMA(x6, c2, c))
}

// reduceFast reduces |x| < 120 modulo pi/2 (quadrant in n).
func reduceFast(x float64) (float64, int) {
	r := x * hpiInv24
	n := int((int32(r) + 0x800000) >> 24)
	return math.FMA(-float64(n), hpi, x), n
}

// reduceLarge reduces a finite |x| >= 120 (given as float32 bits) modulo
// pi/2 with a 32x96-bit fixed-point product against 4/pi.
func reduceLarge(xi uint32) (float64, int) {
	arr := invPio4[(xi>>26)&15:]
	shift := (xi >> 23) & 7
	xi = (xi&0xffffff | 0x800000) << shift
	res0 := uint64(xi * arr[0]) // a 32-bit product, as in C
	res1 := uint64(xi) * uint64(arr[4])
	res2 := uint64(xi) * uint64(arr[8])
	res0 = res2>>32 | res0<<32
	res0 += res1
	n := (res0 + 1<<61) >> 62
	res0 -= n << 62
	return float64(int64(res0)) * pi63, int(n)
}

// sincosfEval is the shared body of sinf (cos = false) and cosf.
func sincosfEval(y float32, cos bool) float32 {
	x := float64(y)
	odd := 0
	if cos {
		odd = 1
	}
	switch {
	case abstop12(y) < abstop12(pio4):
		if abstop12(y) < abstop12(0x1p-12) {
			if cos {
				return 1
			}
			return y
		}
		return sinfPoly(x, x*x, &sincosfTab[0], odd)
	case abstop12(y) < abstop12(120):
		r, n := reduceFast(x)
		p := &sincosfTab[0]
		if n&2 != 0 {
			p = &sincosfTab[1]
		}
		return sinfPoly(r*sincosfSign[n&3], r*r, p, n^odd)
	case abstop12(y) < abstop12(float32(math.Inf(1))):
		xi := math.Float32bits(y)
		sign := int(xi >> 31)
		r, n := reduceLarge(xi)
		p := &sincosfTab[0]
		if (n+sign)&2 != 0 {
			p = &sincosfTab[1]
		}
		return sinfPoly(r*sincosfSign[(n+sign)&3], r*r, p, n^odd)
	default:
		return float32(math.NaN())
	}
}

// sinf is glibc's float32 sine (see above).
func sinf(y float32) float32 { return sincosfEval(y, false) }

// cosf is glibc's float32 cosine (see above).
func cosf(y float32) float32 { return sincosfEval(y, true) }
