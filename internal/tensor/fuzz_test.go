package tensor

import (
	"encoding/binary"
	"math"
	"testing"
)

// maxFuzzElems caps the rows a fuzz input may ask for (memory bound).
const maxFuzzElems = 1 << 14

// Any type id, element count and bytes: Dequantize returns an error or
// fills dst, and never panics.
func FuzzDequantize(f *testing.F) {
	f.Add(uint8(Q8_0), uint16(32), make([]byte, 34))
	f.Add(uint8(Q4_K), uint16(256), make([]byte, 144))
	f.Add(uint8(Q6_K), uint16(256), []byte{1, 2, 3})
	f.Add(uint8(99), uint16(1), []byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, typ uint8, n uint16, src []byte) {
		dst := make([]float32, int(n)%maxFuzzElems)
		err := Dequantize(Type(typ), src, dst)
		if err == nil && CheckRow(Type(typ), len(dst), src) != nil {
			t.Fatalf("accepted a row CheckRow rejects")
		}
	})
}

// Arbitrary float bit patterns (NaN, Inf, subnormals) never make a
// quantizer panic, and what it writes dequantizes.
func FuzzQuantize(f *testing.F) {
	f.Add(uint8(Q4_K), make([]byte, 1024))
	f.Add(uint8(Q3_K), []byte{0xff, 0xff, 0xff, 0x7f})
	f.Add(uint8(Q8_0), []byte{0, 0, 0x80, 0x7f})
	f.Fuzz(func(t *testing.T, typ uint8, raw []byte) {
		tt := Type(typ)
		bs := max(tt.BlockSize(), 1)
		x := make([]float32, bs*(1+len(raw)/(4*bs)))
		for i := range x {
			if 4*i+4 <= len(raw) {
				x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		}
		size, err := RowSize(tt, uint64(len(x)))
		if err != nil {
			return
		}
		dst := make([]byte, size)
		if Quantize(tt, x, dst) != nil {
			return
		}
		if err := Dequantize(tt, dst, make([]float32, len(x))); err != nil {
			t.Fatalf("quantized %s row does not dequantize: %v", tt, err)
		}
	})
}
