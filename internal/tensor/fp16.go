package tensor

import "math"

// f16Table maps every IEEE half-precision bit pattern to its float32 value,
// like ggml's ggml_table_f32_f16 (256 KiB, filled once at start-up).
var f16Table [1 << 16]float32

func init() {
	for i := range f16Table {
		f16Table[i] = f16ToF32Slow(uint16(i))
	}
}

// F16ToF32 converts an IEEE 754 half-precision value to float32. The
// conversion is exact (every half is representable as a float32), NaN
// payloads are kept.
func F16ToF32(h uint16) float32 { return f16Table[h] }

func f16ToF32Slow(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // inf or nan: keep the payload
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0: // zero or subnormal: mant * 2^-24 is exact in float32
		v := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	default:
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	}
}

// F32ToF16 converts a float32 to IEEE half precision with round-to-nearest-even,
// which is what ggml's CPU backend does on x86 (F16C _cvtss_sh with rounding
// mode 0) and what its portable ggml_compute_fp32_to_fp16 computes.
// Overflow gives ±Inf, values below half the smallest subnormal give ±0,
// and NaN stays NaN (quietened, the high payload bits kept, as F16C does;
// for the canonical NaN this is 0x7E00 like the portable code).
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00 | uint16(mant>>13)
		}
		return sign | 0x7c00
	}
	e := exp - 112 // half-precision biased exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if exp == 0 || e < -10 {
			return sign // float32 subnormals and tiny values round to zero
		}
		full := mant | 0x800000
		shift := uint(14 - e)
		h := full >> shift
		rem := full & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++ // may carry into the smallest normal, which is correct
		}
		return sign | uint16(h)
	}
	h := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // a carry out of the mantissa bumps the exponent; 0x7bff+1 is Inf
	}
	return sign | uint16(h)
}

// BF16ToF32 converts a bfloat16 value to float32 (a 16-bit shift, exact; NaN
// payloads are kept, like ggml_compute_bf16_to_fp32).
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 converts a float32 to bfloat16 exactly like ggml_compute_fp32_to_bf16:
// NaN keeps its top bits and gets the quiet bit forced (bit 6), everything
// else rounds to nearest even (overflow rounds to ±Inf, subnormals are kept).
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 64
	}
	return uint16((u + (0x7fff + (u>>16)&1)) >> 16)
}
