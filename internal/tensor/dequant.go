package tensor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrUnsupported reports a type that a conversion does not handle.
var ErrUnsupported = errors.New("unsupported tensor type")

// ErrLength reports a buffer whose length does not match the element count.
var ErrLength = errors.New("length mismatch")

// CheckRow verifies that buf holds exactly n elements of type t (n a whole
// number of blocks) and returns an error describing the mismatch otherwise.
func CheckRow(t Type, n int, buf []byte) error {
	if n < 0 {
		return fmt.Errorf("%w: negative element count %d", ErrLength, n)
	}
	size, err := RowSize(t, uint64(n))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLength, err)
	}
	if uint64(len(buf)) != size {
		return fmt.Errorf("%w: %d %s elements need %d bytes, got %d", ErrLength, n, t, size, len(buf))
	}
	return nil
}

// fp16 reads a little-endian half at b[0:2] as float32.
func fp16(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

// Dequantize converts len(dst) elements of type t stored in src (ggml's block
// layout, len(src) == RowSize(t, len(dst))) to float32, with the same
// arithmetic as ggml's dequantize_row_* functions.
func Dequantize(t Type, src []byte, dst []float32) error {
	if err := CheckRow(t, len(dst), src); err != nil {
		return fmt.Errorf("dequantize %s: %w", t, err)
	}
	switch t {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = fp16(src[2*i:])
		}
	case BF16:
		for i := range dst {
			dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	default:
		f := dequantizers[t]
		if f == nil {
			return fmt.Errorf("dequantize: %w %s", ErrUnsupported, t)
		}
		bs, ts := t.BlockSize(), t.TypeSize()
		for i := 0; i < len(dst)/bs; i++ {
			f(src[i*ts:(i+1)*ts], dst[i*bs:(i+1)*bs])
		}
	}
	return nil
}

// dequantizers decode one block (exactly TypeSize bytes into BlockSize floats).
var dequantizers = map[Type]func(b []byte, y []float32){
	Q4_0: dequantQ4_0, Q4_1: dequantQ4_1, Q5_0: dequantQ5_0, Q5_1: dequantQ5_1,
	Q8_0: dequantQ8_0, Q8_1: dequantQ8_1,
	Q2_K: dequantQ2K, Q3_K: dequantQ3K, Q4_K: dequantQ4K, Q5_K: dequantQ5K,
	Q6_K: dequantQ6K, Q8_K: dequantQ8K,
}

// block_q4_0: d fp16 | qs[16] (low nibbles = elements 0..15, high = 16..31)
func dequantQ4_0(b []byte, y []float32) {
	d := fp16(b)
	qs := b[2:18]
	for j := 0; j < 16; j++ {
		y[j] = float32(int(qs[j]&0xf)-8) * d
		y[j+16] = float32(int(qs[j]>>4)-8) * d
	}
}

// block_q4_1: d fp16 | m fp16 | qs[16]
func dequantQ4_1(b []byte, y []float32) {
	d, m := fp16(b), fp16(b[2:])
	qs := b[4:20]
	for j := 0; j < 16; j++ {
		y[j] = float32(float32(qs[j]&0xf)*d) + m
		y[j+16] = float32(float32(qs[j]>>4)*d) + m
	}
}

// block_q5_0: d fp16 | qh[4] (bit j = 5th bit of element j) | qs[16]
func dequantQ5_0(b []byte, y []float32) {
	d := fp16(b)
	qh := binary.LittleEndian.Uint32(b[2:])
	qs := b[6:22]
	for j := 0; j < 16; j++ {
		h0 := byte(qh>>uint(j)<<4) & 0x10
		h1 := byte(qh>>uint(j+12)) & 0x10
		y[j] = float32(int(qs[j]&0xf|h0)-16) * d
		y[j+16] = float32(int(qs[j]>>4|h1)-16) * d
	}
}

// block_q5_1: d fp16 | m fp16 | qh[4] | qs[16]
func dequantQ5_1(b []byte, y []float32) {
	d, m := fp16(b), fp16(b[2:])
	qh := binary.LittleEndian.Uint32(b[4:])
	qs := b[8:24]
	for j := 0; j < 16; j++ {
		h0 := byte(qh>>uint(j)<<4) & 0x10
		h1 := byte(qh>>uint(j+12)) & 0x10
		y[j] = float32(float32(qs[j]&0xf|h0)*d) + m
		y[j+16] = float32(float32(qs[j]>>4|h1)*d) + m
	}
}

// block_q8_0: d fp16 | qs[32] int8
func dequantQ8_0(b []byte, y []float32) {
	d := fp16(b)
	for j := 0; j < 32; j++ {
		y[j] = float32(int8(b[2+j])) * d
	}
}

// block_q8_1: d fp16 | s fp16 (= d*sum(qs)) | qs[32] int8
func dequantQ8_1(b []byte, y []float32) {
	d := fp16(b)
	for j := 0; j < 32; j++ {
		y[j] = float32(int8(b[4+j])) * d
	}
}

// ScaleMinK4 unpacks the j-th (0..7) 6-bit scale and min of a Q4_K/Q5_K
// block from its 12 packed scale bytes (ggml's get_scale_min_k4).
func ScaleMinK4(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// subBlockPairK4 returns the scales and mins of sub-blocks is and is+1 of
// a Q4_K or Q5_K block whose super-block scale and min are d and dmin.
func subBlockPairK4(d, dmin float32, scales []byte, is int) (d1, m1, d2, m2 float32) {
	sc, m := ScaleMinK4(is, scales)
	d1, m1 = d*float32(sc), dmin*float32(m)
	sc, m = ScaleMinK4(is+1, scales)
	return d1, m1, d * float32(sc), dmin * float32(m)
}

// block_q4_K: d fp16 | dmin fp16 | scales[12] | qs[128]; 8 sub-blocks of 32.
func dequantQ4K(b []byte, y []float32) {
	d, dmin := fp16(b), fp16(b[2:])
	scales := b[4:16]
	q := b[16:144]
	for j, is := 0, 0; j < QK_K; j, is = j+64, is+2 {
		d1, m1, d2, m2 := subBlockPairK4(d, dmin, scales, is)
		for l := 0; l < 32; l++ {
			y[j+l] = float32(d1*float32(q[l]&0xf)) - m1
			y[j+32+l] = float32(d2*float32(q[l]>>4)) - m2
		}
		q = q[32:]
	}
}

// block_q5_K: d fp16 | dmin fp16 | scales[12] | qh[32] | qs[128]
func dequantQ5K(b []byte, y []float32) {
	d, dmin := fp16(b), fp16(b[2:])
	scales := b[4:16]
	qh := b[16:48]
	ql := b[48:176]
	u1, u2 := byte(1), byte(2)
	for j, is := 0, 0; j < QK_K; j, is = j+64, is+2 {
		d1, m1, d2, m2 := subBlockPairK4(d, dmin, scales, is)
		for l := 0; l < 32; l++ {
			v1, v2 := ql[l]&0xf, ql[l]>>4
			if qh[l]&u1 != 0 {
				v1 += 16
			}
			if qh[l]&u2 != 0 {
				v2 += 16
			}
			y[j+l] = float32(d1*float32(v1)) - m1
			y[j+32+l] = float32(d2*float32(v2)) - m2
		}
		ql = ql[32:]
		u1 <<= 2
		u2 <<= 2
	}
}

// block_q6_K: ql[128] | qh[64] | scales[16] int8 | d fp16; 16 sub-blocks of 16.
func dequantQ6K(b []byte, y []float32) {
	ql, qh, sc := b[0:128], b[128:192], b[192:208]
	d := fp16(b[208:])
	for n := 0; n < QK_K; n += 128 {
		for l := 0; l < 32; l++ {
			is := l / 16
			q1 := int(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
			q2 := int(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
			q3 := int(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
			q4 := int(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
			y[n+l] = d * float32(int8(sc[is])) * float32(q1)
			y[n+l+32] = d * float32(int8(sc[is+2])) * float32(q2)
			y[n+l+64] = d * float32(int8(sc[is+4])) * float32(q3)
			y[n+l+96] = d * float32(int8(sc[is+6])) * float32(q4)
		}
		ql, qh, sc = ql[64:], qh[32:], sc[8:]
	}
}

// block_q2_K: scales[16] (low nibble scale, high nibble min) | qs[64] | d fp16 | dmin fp16
func dequantQ2K(b []byte, y []float32) {
	scales, q := b[0:16], b[16:80]
	d, dmin := fp16(b[80:]), fp16(b[82:])
	is, k := 0, 0
	for n := 0; n < QK_K; n += 128 {
		for shift := uint(0); shift < 8; shift += 2 {
			for half := 0; half < 2; half++ {
				sc := scales[is]
				is++
				dl, ml := d*float32(sc&0xf), dmin*float32(sc>>4)
				for l := 0; l < 16; l++ {
					y[k] = float32(dl*float32(q[l+16*half]>>shift&3)) - ml
					k++
				}
			}
		}
		q = q[32:]
	}
}

// Q3KScales unpacks the sixteen 6-bit Q3_K scales (already minus 32).
func Q3KScales(packed []byte) [16]int8 {
	var s [16]int8
	for j := 0; j < 16; j++ {
		var lo byte
		if j < 8 {
			lo = packed[j] & 0xf
		} else {
			lo = packed[j-8] >> 4
		}
		hi := packed[8+j%4] >> uint(2*(j/4)) & 3
		s[j] = int8(lo|hi<<4) - 32
	}
	return s
}

// block_q3_K: hmask[32] | qs[64] | scales[12] | d fp16
func dequantQ3K(b []byte, y []float32) {
	hm, q := b[0:32], b[32:96]
	scales := Q3KScales(b[96:108])
	d := fp16(b[108:])
	is, k := 0, 0
	m := byte(1)
	for n := 0; n < QK_K; n += 128 {
		for shift := uint(0); shift < 8; shift += 2 {
			for half := 0; half < 2; half++ {
				dl := d * float32(scales[is])
				is++
				for l := 0; l < 16; l++ {
					v := int(q[l+16*half] >> shift & 3)
					if hm[l+16*half]&m == 0 {
						v -= 4
					}
					y[k] = dl * float32(v)
					k++
				}
			}
			m <<= 1
		}
		q = q[32:]
	}
}

// block_q8_K: d float32 | qs[256] int8 | bsums[16] int16
func dequantQ8K(b []byte, y []float32) {
	d := math.Float32frombits(binary.LittleEndian.Uint32(b))
	for j := 0; j < QK_K; j++ {
		y[j] = d * float32(int8(b[4+j]))
	}
}
