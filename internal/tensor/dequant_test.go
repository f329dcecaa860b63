package tensor

import (
	"errors"
	"testing"
)

// span sets want[lo:hi] to v.
type span struct {
	lo, hi int
	v      float32
}

// block builds a block of size bytes, all zero except the given bytes.
func block(size int, set map[int]byte) []byte {
	b := make([]byte, size)
	for i, v := range set {
		b[i] = v
	}
	return b
}

// Each entry is one block built byte by byte, with its values worked out by
// hand from ggml's block layout (comments show the arithmetic).
var dequantCases = []struct {
	t     Type
	src   []byte
	spans []span          // expected values over ranges, applied first
	at    map[int]float32 // expected single values
}{
	{t: F32, src: []byte{0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc1}, at: map[int]float32{0: 1, 1: -10}},
	{t: F16, src: []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00}, at: map[int]float32{0: 1, 1: -2, 2: 0x1p-24}},
	{t: BF16, src: []byte{0x80, 0x3f, 0x49, 0xc0}, at: map[int]float32{0: 1, 1: -3.140625}},
	// Q4_0: d=0.5; qs[0]=0xF3 → x0 = (3-8)*.5, x16 = (15-8)*.5; qs[5]=0x80 → x21 = 0; zero nibbles give -8*.5.
	{t: Q4_0, src: block(18, map[int]byte{1: 0x38, 2: 0xf3, 2 + 5: 0x80}),
		spans: []span{{0, 32, -4}}, at: map[int]float32{0: -2.5, 16: 3.5, 5: -4, 21: 0}},
	// Q4_1: d=0.5, m=-1; qs[2]=0x4F → x2 = 15*.5-1, x18 = 4*.5-1.
	{t: Q4_1, src: block(20, map[int]byte{1: 0x38, 3: 0xbc, 4 + 2: 0x4f}),
		spans: []span{{0, 32, -1}}, at: map[int]float32{2: 6.5, 18: 1}},
	// Q5_0: d=0.25, qh bits 0 and 17; qs[0]=0x21 → x0=(1|16)-16=1, x16=2-16; qs[1]=0x10 → x1=-16, x17=(1|16)-16=1.
	{t: Q5_0, src: block(22, map[int]byte{1: 0x34, 2: 0x01, 4: 0x02, 6: 0x21, 7: 0x10}),
		spans: []span{{0, 32, -4}}, at: map[int]float32{0: 0.25, 16: -3.5, 1: -4, 17: 0.25}},
	// Q5_1: d=2, m=0.5, qh bit 31; qs[15]=0xF0 → x31 = (15|16)*2+.5; qs[3]=0x07 → x3 = 7*2+.5.
	{t: Q5_1, src: block(24, map[int]byte{1: 0x40, 3: 0x38, 7: 0x80, 8 + 15: 0xf0, 8 + 3: 0x07}),
		spans: []span{{0, 32, 0.5}}, at: map[int]float32{31: 62.5, 3: 14.5, 15: 0.5}},
	// Q8_0: d=0.125; q = 127, -128, -1.
	{t: Q8_0, src: block(34, map[int]byte{1: 0x30, 2: 127, 3: 0x80, 33: 0xff}),
		at: map[int]float32{0: 15.875, 1: -16, 31: -0.125, 2: 0}},
	// Q8_1: d=1 (s is not used by dequantization); q4 = 5.
	{t: Q8_1, src: block(36, map[int]byte{1: 0x3c, 3: 0x7b, 4 + 4: 5}), at: map[int]float32{4: 5, 5: 0}},
	// Q4_K: d=1, dmin=.5. Sub-block 0: sc=2 m=3 (scales[0], scales[4]). Sub-block 1: sc=1 (scales[1]
	// low 6 bits). Sub-block 5: sc=33 (low nibble scales[9]=1, top bits scales[1]>>6=2), m=4 (scales[9]
	// high nibble). qs[0]=0x27: x0 = 2*7-.5*3, x32 = 1*2; qs[70]=0x90: x166 = 33*9-.5*4.
	{t: Q4_K, src: block(144, map[int]byte{1: 0x3c, 3: 0x38, 4 + 0: 2, 4 + 4: 3, 4 + 1: 0x81, 4 + 9: 0x41,
		16 + 0: 0x27, 16 + 70: 0x90}),
		spans: []span{{0, 32, -1.5}, {160, 192, -2}}, at: map[int]float32{0: 12.5, 32: 2, 33: 0, 166: 295}},
	// Q5_K: d=1, dmin=1. Sub-block 0: sc=1 m=1; sub-block 1: sc=2. qh[3] bit0 → x3 += 16,
	// qh[4] bit1 → x36 += 16. ql[3]=0x05: x3 = 1*(5+16)-1, x35 = 0; ql[4]=0x30: x36 = 2*(3+16).
	{t: Q5_K, src: block(176, map[int]byte{1: 0x3c, 3: 0x3c, 4 + 0: 1, 4 + 4: 1, 4 + 1: 2,
		16 + 3: 0x01, 16 + 4: 0x02, 48 + 3: 0x05, 48 + 4: 0x30}),
		spans: []span{{0, 32, -1}}, at: map[int]float32{3: 20, 35: 0, 36: 38, 100: 0}},
	// Q6_K: d=0.5, scales[0]=2, scales[2]=-1, scales[15]=4; zero bits give q=-32.
	// x0: ql[0]=1, qh[0] bits0-1 = 2 → q=(1|32)-32=1 → .5*2*1. x32: ql[32]=0xF, qh[0] bits 2-3 = 3 →
	// q=31 → .5*-1*31. x255: ql[127]>>4 = 10, qh[63]>>6 = 1 → q=(10|16)-32=-6 → .5*4*-6.
	{t: Q6_K, src: block(210, map[int]byte{0: 0x01, 32: 0x0f, 127: 0xa0, 128 + 0: 0x0e, 128 + 63: 0x40,
		192 + 0: 2, 192 + 2: 0xff, 192 + 15: 4, 209: 0x38}),
		spans: []span{{0, 16, -32}, {32, 48, 16}, {240, 256, -64}}, at: map[int]float32{0: 1, 32: -15.5, 255: -12, 100: 0}},
	// Q2_K: d=1, dmin=.5; scales[0]=0x23 (scale 3, min 2), scales[5]=0x01 (scale 1).
	// qs[1]=3 → x1 = 3*3-.5*2; qs[20]=0x20 → bits 4-5 = 2 → x84 (shift 4, l=20) = 1*2.
	{t: Q2_K, src: block(84, map[int]byte{0: 0x23, 5: 0x01, 16 + 1: 0x03, 16 + 20: 0x20, 81: 0x3c, 83: 0x38}),
		spans: []span{{0, 16, -1}}, at: map[int]float32{1: 8, 84: 2, 80: 0}},
	// Q3_K: d=1; 6-bit scales l-32: every sub-block l=32 (scale 0) via high bits 0xAA, except
	// sub-block 0 (l=33: scales[0] low nibble 1) and sub-block 9 (l=30: scales[1] high nibble 0xE,
	// high bits 01 in scales[9] bits 4-5). x0: q=3, hmask set → 3*1. Sub-block 0 else q=0-4.
	// x148 (half 1, shift 0, l=20): qs[52]=1, hmask[20] bit 4 → 1*-2. Sub-block 9 else -2*-4.
	{t: Q3_K, src: block(110, map[int]byte{0: 0x01, 20: 0x10, 32 + 0: 0x03, 32 + 52: 0x01,
		96 + 0: 0x01, 96 + 1: 0xe0, 96 + 8: 0xaa, 96 + 9: 0x9a, 96 + 10: 0xaa, 96 + 11: 0xaa, 109: 0x3c}),
		spans: []span{{0, 16, -4}, {144, 160, 8}}, at: map[int]float32{0: 3, 148: -2, 200: 0}},
	// Q8_K: d=0.5 as float32; q0 = -3.
	{t: Q8_K, src: block(292, map[int]byte{3: 0x3f, 4: 0xfd}), at: map[int]float32{0: -1.5, 1: 0}},
}

func TestDequantizeHandBlocks(t *testing.T) {
	for _, tc := range dequantCases {
		n := tc.t.BlockSize()
		if tc.t.BlockSize() == 1 {
			n = len(tc.src) / tc.t.TypeSize()
		}
		want := make([]float32, n)
		for _, s := range tc.spans {
			for i := s.lo; i < s.hi; i++ {
				want[i] = s.v
			}
		}
		for i, v := range tc.at {
			want[i] = v
		}
		got := make([]float32, n)
		if err := Dequantize(tc.t, tc.src, got); err != nil {
			t.Fatalf("%s: %v", tc.t, err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: element %d = %g, want %g", tc.t, i, got[i], want[i])
			}
		}
	}
}

func TestDequantizeBadLengths(t *testing.T) {
	tests := []struct {
		name string
		t    Type
		src  int // bytes
		dst  int // elements
	}{
		{"q8_0 partial block", Q8_0, 34, 31},
		{"q8_0 short source", Q8_0, 33, 32},
		{"q8_0 long source", Q8_0, 35, 32},
		{"q4_K two blocks short", Q4_K, 144, 512},
		{"f32 odd bytes", F32, 7, 2},
		{"f16 too long", F16, 6, 2},
		{"unknown type", Type(99), 4, 1},
		{"unsupported type", I32, 4, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Dequantize(tc.t, make([]byte, tc.src), make([]float32, tc.dst))
			if err == nil {
				t.Errorf("%s: no error", tc.name)
			}
		})
	}
	if err := Dequantize(Q8_0, make([]byte, 33), make([]float32, 32)); !errors.Is(err, ErrLength) {
		t.Errorf("short source: %v, want ErrLength", err)
	}
	if err := Dequantize(I32, make([]byte, 4), make([]float32, 1)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("I32: %v, want ErrUnsupported", err)
	}
	// Empty rows are valid.
	if err := Dequantize(Q4_K, nil, nil); err != nil {
		t.Errorf("empty row: %v", err)
	}
}
