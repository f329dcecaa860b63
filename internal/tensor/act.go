package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
)

// nearestInt rounds to the nearest integer, ties to even, with ggml's
// nearest_int trick (add 1.5*2^23 in float32 and read the mantissa). It is
// exact for |f| < 2^22, which every caller guarantees for finite input.
//
// f is converted explicitly before the add: once nearestInt is inlined, a
// caller's product (nearestInt(iscale*v)) could otherwise be fused with the
// add into one FMA (Go allows that, and does it with GOAMD64=v3), which
// rounds differently from ggml's separate multiply and add.
func nearestInt(f float32) int {
	const magic = 12582912 // 1.5 * 2^23
	val := float32(f) + magic
	return int(int32(math.Float32bits(val)&0x007fffff) - 0x00400000)
}

// roundEven rounds a float32 to the nearest integer, ties to even, like the
// x86 _mm256_round_ps(v, _MM_ROUND_NEAREST) that ggml's AVX2 quantizers use.
func roundEven(f float32) int { return int(math.RoundToEven(float64(f))) }

// QuantizeQ8_0 quantizes an activation row to Q8_0 the way llama.cpp's CPU
// backend does on x86 (the AVX2 quantize_row_q8_0): per block of 32,
// amax = max|x|, d = amax/127 stored as fp16, q = round(x * (127/amax)) with
// round-half-to-even. (The portable quantize_row_q8_0_ref multiplies by 1/d
// and uses roundf, ties away from zero, which differs on rare ties; Quantize
// with Q8_0 implements that reference for weights.)
func QuantizeQ8_0(x []float32, dst []byte) error {
	if err := CheckRow(Q8_0, len(x), dst); err != nil {
		return fmt.Errorf("quantize q8_0 activations: %w", err)
	}
	for i := 0; i < len(x)/32; i++ {
		xb, yb := x[i*32:(i+1)*32], dst[i*34:(i+1)*34]
		d, id := q8Scale(xb)
		binary.LittleEndian.PutUint16(yb, F32ToF16(d))
		for j, v := range xb {
			yb[2+j] = byte(int8(roundEven(v * id)))
		}
	}
	return nil
}

// QuantizeQ8_1 quantizes an activation row to Q8_1 like llama.cpp's AVX2
// quantize_row_q8_1: as QuantizeQ8_0, plus s = d*sum(q) (float32 d, integer
// sum) stored as fp16 after d.
func QuantizeQ8_1(x []float32, dst []byte) error {
	if err := CheckRow(Q8_1, len(x), dst); err != nil {
		return fmt.Errorf("quantize q8_1 activations: %w", err)
	}
	for i := 0; i < len(x)/32; i++ {
		xb, yb := x[i*32:(i+1)*32], dst[i*36:(i+1)*36]
		d, id := q8Scale(xb)
		sum := 0
		for j, v := range xb {
			q := roundEven(v * id)
			sum += q
			yb[4+j] = byte(int8(q))
		}
		binary.LittleEndian.PutUint16(yb, F32ToF16(d))
		binary.LittleEndian.PutUint16(yb[2:], F32ToF16(d*float32(sum)))
	}
	return nil
}

// q8Scale returns d = amax/127 and the multiplier 127/amax (0 for an
// all-zero block) used by the x86 Q8_0/Q8_1 activation quantizers.
func q8Scale(xb []float32) (d, id float32) {
	var amax float32
	for _, v := range xb {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	d = amax / 127
	if amax != 0 {
		id = 127 / amax
	}
	return d, id
}

// QuantizeQ8_K quantizes an activation row to Q8_K like llama.cpp
// (quantize_row_q8_K_ref, which the x86 CPU backend calls): per 256 values,
// the signed value of largest magnitude max gives iscale = -127/max,
// q = min(127, nearest_int(iscale*x)), d = 1/iscale as float32, and bsums
// holds the sum of each group of 16 quants.
func QuantizeQ8_K(x []float32, dst []byte) error {
	if err := CheckRow(Q8_K, len(x), dst); err != nil {
		return fmt.Errorf("quantize q8_K activations: %w", err)
	}
	const bytes = 4 + QK_K + QK_K/16*2
	for i := 0; i < len(x)/QK_K; i++ {
		xb, yb := x[i*QK_K:(i+1)*QK_K], dst[i*bytes:(i+1)*bytes]
		var amax, vmax float32
		for _, v := range xb {
			if ax := float32(math.Abs(float64(v))); ax > amax {
				amax, vmax = ax, v
			}
		}
		if amax == 0 {
			clear(yb)
			continue
		}
		iscale := -127 / vmax
		qs := yb[4 : 4+QK_K]
		for j, v := range xb {
			qs[j] = byte(int8(min(127, nearestInt(iscale*v))))
		}
		for j := 0; j < QK_K/16; j++ {
			sum := 0
			for _, q := range qs[16*j : 16*j+16] {
				sum += int(int8(q))
			}
			binary.LittleEndian.PutUint16(yb[4+QK_K+2*j:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(yb, math.Float32bits(1/iscale))
	}
	return nil
}
