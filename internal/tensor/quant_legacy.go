package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Quantize converts len(src) float32 values to type t (len(dst) ==
// RowSize(t, len(src))) with llama.cpp's reference quantizers
// (quantize_row_*_ref), so that synthetic models are what llama.cpp's own
// quantizer would write. Activation-only types (Q8_1, Q8_K) use the
// activation quantizers. Float types round to nearest even.
func Quantize(t Type, src []float32, dst []byte) error {
	if err := CheckRow(t, len(src), dst); err != nil {
		return fmt.Errorf("quantize %s: %w", t, err)
	}
	switch t {
	case F32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
		return nil
	case F16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToF16(v))
		}
		return nil
	case BF16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToBF16(v))
		}
		return nil
	case Q8_1:
		return QuantizeQ8_1(src, dst)
	case Q8_K:
		return QuantizeQ8_K(src, dst)
	}
	f := quantizers[t]
	if f == nil {
		return fmt.Errorf("quantize: %w %s", ErrUnsupported, t)
	}
	bs, ts := t.BlockSize(), t.TypeSize()
	for i := 0; i < len(src)/bs; i++ {
		f(src[i*bs:(i+1)*bs], dst[i*ts:(i+1)*ts])
	}
	return nil
}

// quantizers encode one block (BlockSize floats into TypeSize bytes).
var quantizers = map[Type]func(x []float32, y []byte){
	Q4_0: quantQ4_0, Q4_1: quantQ4_1, Q5_0: quantQ5_0, Q5_1: quantQ5_1, Q8_0: quantQ8_0,
	Q2_K: quantQ2K, Q3_K: quantQ3K, Q4_K: quantQ4K, Q5_K: quantQ5K, Q6_K: quantQ6K,
}

func putF16(b []byte, f float32) { binary.LittleEndian.PutUint16(b, F32ToF16(f)) }

// putScale writes a block's scale d as fp16 at b and returns the factor
// that quantizes by it: 1/d, or 0 for an all-zero block (d == 0).
func putScale(b []byte, d float32) (id float32) {
	putF16(b, d)
	if d != 0 {
		id = 1 / d
	}
	return id
}

// packQuants quantizes the 32 values of a Q4_0/Q4_1/Q5_0/Q5_1 block with q
// and packs them as these formats do: qs[j] holds the low nibbles of
// element j (low) and j+16 (high), and the fifth bits go to bits j and j+16
// of qh (zero for the 4-bit formats, whose quants are 0..15).
func packQuants(x []float32, qs []byte, q func(float32) int) (qh uint32) {
	for j := range 16 {
		x0, x1 := q(x[j]), q(x[j+16])
		qs[j] = byte(x0&0xf) | byte(x1&0xf)<<4
		qh |= uint32(x0&0x10)>>4<<uint(j) | uint32(x1&0x10)>>4<<uint(j+16)
	}
	return qh
}

func absf(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

// signedMax returns the value of largest magnitude (the first one on ties).
func signedMax(x []float32) (amax, vmax float32) {
	for _, v := range x {
		if a := absf(v); a > amax {
			amax, vmax = a, v
		}
	}
	return amax, vmax
}

// minMax returns the smallest and largest value of x.
func minMax(x []float32) (lo, hi float32) {
	lo, hi = float32(math.MaxFloat32), -float32(math.MaxFloat32)
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// truncInt converts like a C (int) cast of a float: toward zero. NaN and
// out-of-range values give 0 instead of undefined behaviour.
func truncInt(f float32) int {
	if !(f > -1e9 && f < 1e9) {
		return 0
	}
	return int(f)
}

// quantize_row_q4_0_ref: d = max/-8 (max = signed value of largest |x|),
// q = min(15, (int8)(x/d + 8.5)).
func quantQ4_0(x []float32, y []byte) {
	_, vmax := signedMax(x)
	id := putScale(y, vmax/-8)
	packQuants(x, y[2:], func(v float32) int { return min(15, int(int8(truncInt(float32(v*id)+8.5)))) })
}

// quantize_row_q4_1_ref: d = (max-min)/15, m = min, q = min(15, (int8)((x-min)/d + 0.5)).
func quantQ4_1(x []float32, y []byte) {
	lo, hi := minMax(x)
	id := putScale(y, (hi-lo)/15)
	putF16(y[2:], lo)
	packQuants(x, y[4:], func(v float32) int { return min(15, int(int8(truncInt(float32((v-lo)*id)+0.5)))) })
}

// quantize_row_q5_0_ref: d = max/-16, q = min(31, (int8)(x/d + 16.5)), the
// fifth bits gathered in qh.
func quantQ5_0(x []float32, y []byte) {
	_, vmax := signedMax(x)
	id := putScale(y, vmax/-16)
	qh := packQuants(x, y[6:], func(v float32) int { return min(31, int(int8(truncInt(float32(v*id)+16.5)))) })
	binary.LittleEndian.PutUint32(y[2:], qh)
}

// quantize_row_q5_1_ref: d = (max-min)/31, m = min, q = (uint8)((x-min)/d + 0.5).
func quantQ5_1(x []float32, y []byte) {
	lo, hi := minMax(x)
	id := putScale(y, (hi-lo)/31)
	putF16(y[2:], lo)
	qh := packQuants(x, y[8:], func(v float32) int { return int(uint8(truncInt(float32((v-lo)*id) + 0.5))) })
	binary.LittleEndian.PutUint32(y[4:], qh)
}

// quantize_row_q8_0_ref: d = amax/127, q = roundf(x * (1/d)) (ties away
// from zero; the x86 activation path differs, see QuantizeQ8_0).
func quantQ8_0(x []float32, y []byte) {
	amax, _ := signedMax(x)
	d := amax / 127
	id := putScale(y, d)
	for j, v := range x {
		y[2+j] = byte(int8(math.Round(float64(v * id))))
	}
}
