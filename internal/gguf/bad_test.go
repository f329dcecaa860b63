package gguf

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

func f32Tensor(name string, n, off uint64) rawTensor {
	return rawTensor{name: name, dims: []uint64{n}, typ: tensor.F32, off: off}
}

// withVersion returns an empty file with the given version number.
func withVersion(v uint32) []byte {
	b := rawFile{}.bytes()
	copy(b[4:], le32(v))
	return b
}

func alignKV(t ValueType, v []byte) [][]byte { return [][]byte{kvBytes(AlignmentKey, t, v)} }

// arrHdr encodes an array's element type and count.
func arrHdr(et ValueType, n uint64) []byte { return append(le32(uint32(et)), le64(n)...) }

// badFiles holds one hand-built file per rule the reader enforces.
var badFiles = []struct {
	name   string
	file   []byte
	is     error  // errors.Is target besides ErrInvalid (optional)
	substr string // message substring
}{
	{"empty file", nil, io.ErrUnexpectedEOF, "magic"},
	{"bad magic", rawFile{magic: "GGML"}.bytes(), nil, "bad magic"},
	{"v1", rawFile{version: 1}.bytes(), ErrVersion, "v1"},
	{"v0", withVersion(0), ErrVersion, "version 0"},
	{"v4", rawFile{version: 4}.bytes(), ErrVersion, "version 4"},
	{"big-endian", rawFile{version: 3 << 24}.bytes(), ErrVersion, "big-endian"},
	{"tensor count above cap", rawFile{nTensors: u64p(1 << 40)}.bytes(), ErrLimit, "tensor count"},
	{"kv count above cap", rawFile{nKV: u64p(MaxKVs + 1)}.bytes(), ErrLimit, "metadata count"},
	{"kv count larger than file", rawFile{nKV: u64p(1000)}.bytes(), ErrLimit, "cannot fit"},
	{"tensor count larger than file", rawFile{nTensors: u64p(100)}.bytes(), ErrLimit, "cannot fit"},
	{"key longer than file", rawFile{kvs: [][]byte{append(le64(1<<20), "abc"...)}}.bytes(), ErrLimit, "key length"},
	{"key longer than cap", rawFile{kvs: [][]byte{append(le64(MaxKeyLen+1), "abc"...)}}.bytes(), ErrLimit, "cap"},
	{"empty key", rawFile{kvs: [][]byte{kvBytes("", TypeUint8, []byte{1})}}.bytes(), nil, "empty key"},
	{"string longer than file", rawFile{kvs: [][]byte{kvBytes("s", TypeString, append(le64(1000), "xy"...))}}.bytes(),
		ErrLimit, `key "s"`},
	{"string above cap", rawFile{kvs: [][]byte{kvBytes("s", TypeString, le64(MaxStringLen+1))}}.bytes(), ErrLimit, "cap"},
	{"array longer than file", rawFile{kvs: [][]byte{kvBytes("a", TypeArray, arrHdr(TypeUint32, 1000))}}.bytes(),
		ErrLimit, "array length"},
	{"string array longer than file", rawFile{kvs: [][]byte{kvBytes("a", TypeArray, arrHdr(TypeString, 100))}}.bytes(),
		ErrLimit, "array length"},
	{"array above cap", rawFile{kvs: [][]byte{kvBytes("a", TypeArray, arrHdr(TypeUint8, MaxArrayLen+1))}}.bytes(),
		ErrLimit, "cap"},
	{"nested array", rawFile{kvs: [][]byte{kvBytes("a", TypeArray, arrHdr(TypeArray, 1))}}.bytes(), nil, "nested"},
	{"unknown value type", rawFile{kvs: [][]byte{kvBytes("a", 13, []byte{0})}}.bytes(), nil, "unknown value type 13"},
	{"unknown element type", rawFile{kvs: [][]byte{kvBytes("a", TypeArray, arrHdr(99, 0))}}.bytes(), nil, "element type 99"},
	{"duplicate key", rawFile{kvs: [][]byte{kvBytes("k", TypeUint8, []byte{1}), kvBytes("k", TypeUint8, []byte{2})}}.bytes(),
		nil, `(key "k"): duplicate key`},
	{"alignment not power of two", rawFile{kvs: alignKV(TypeUint32, le32(48))}.bytes(), nil, "not a power of two"},
	{"alignment zero", rawFile{kvs: alignKV(TypeUint32, le32(0))}.bytes(), nil, "not a power of two"},
	{"alignment too large", rawFile{kvs: alignKV(TypeUint32, le32(MaxAlignment*2))}.bytes(), ErrLimit, "cap"},
	{"alignment wrong type", rawFile{kvs: alignKV(TypeUint64, le64(32))}.bytes(), nil, "must be a u32"},
	{"duplicate tensor", rawFile{tensors: []rawTensor{f32Tensor("t", 8, 0), f32Tensor("t", 8, 32)}, data: 64}.bytes(),
		nil, `(tensor "t"): duplicate tensor name`},
	{"empty tensor name", rawFile{tensors: []rawTensor{f32Tensor("", 8, 0)}, data: 32}.bytes(), nil, "empty tensor name"},
	{"tensor name too long", rawFile{tensors: []rawTensor{f32Tensor(strings.Repeat("x", 64), 8, 0)}, data: 32}.bytes(),
		ErrLimit, "tensor name length 64"},
	{"5 dims", rawFile{tensors: []rawTensor{{"t", []uint64{1, 1, 1, 1, 1}, tensor.F32, 0}}, data: 32}.bytes(),
		nil, "5 dimensions"},
	{"0 dims", rawFile{tensors: []rawTensor{{"t", nil, tensor.F32, 0}}, data: 32}.bytes(), nil, "0 dimensions"},
	{"zero dim", rawFile{tensors: []rawTensor{{"t", []uint64{4, 0}, tensor.F32, 0}}, data: 32}.bytes(),
		nil, "dimension 1 is zero"},
	{"dim product overflow", rawFile{tensors: []rawTensor{{"t", []uint64{1 << 32, 1 << 32}, tensor.F32, 0}}, data: 32}.bytes(),
		nil, "overflows int64"},
	{"byte size overflow", rawFile{tensors: []rawTensor{{"t", []uint64{1 << 62}, tensor.F32, 0}}, data: 32}.bytes(),
		nil, "overflows"},
	{"unknown type", rawFile{tensors: []rawTensor{{"t", []uint64{32}, 4, 0}}, data: 64}.bytes(), nil, "unknown tensor type 4"},
	{"huge type id", rawFile{tensors: []rawTensor{{"t", []uint64{32}, 1 << 31, 0}}, data: 64}.bytes(), nil, "unknown tensor type"},
	{"row not multiple of block", rawFile{tensors: []rawTensor{{"t", []uint64{33, 2}, tensor.Q8_0, 0}}, data: 128}.bytes(),
		nil, "not a multiple of the Q8_0 block size 32"},
	{"misaligned offset", rawFile{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 36)}, data: 96}.bytes(),
		nil, "not a multiple of the alignment"},
	{"first not at 0", rawFile{tensors: []rawTensor{f32Tensor("a", 8, 32)}, data: 64}.bytes(), nil, "not 0"},
	{"gap", rawFile{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 64)}, data: 96}.bytes(),
		nil, `leaves a gap after tensor "a"`},
	{"overlap", rawFile{tensors: []rawTensor{f32Tensor("a", 16, 0), f32Tensor("b", 8, 32)}, data: 96}.bytes(),
		nil, `overlaps tensor "a"`},
	{"same offset", rawFile{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 0)}, data: 96}.bytes(),
		nil, "overlaps"},
	{"past EOF", rawFile{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 32)}, data: 40}.bytes(),
		nil, `(tensor "b"): data [32, +32) runs past the end`},
	{"huge offset", rawFile{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 1<<63)}, data: 64}.bytes(),
		nil, "gap"},
	{"only tensor past EOF", rawFile{tensors: []rawTensor{f32Tensor("a", 1<<20, 0)}, data: 64}.bytes(),
		nil, "past the end"},
}

func TestParseRejects(t *testing.T) {
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseBytes(tc.file)
			if err == nil {
				t.Fatalf("parsed %+v, want an error", f)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not match %v", err, tc.is)
			}
			// The kind is matched above; the message must also name the
			// violation, which is what the user reads.
			if !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("error %q does not contain %q", err, tc.substr)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Offset < 0 || fe.Offset > int64(len(tc.file))+MaxAlignment {
				t.Errorf("error %v is not a FormatError with a plausible offset", err)
			}
		})
	}
}

// TestParseRejectsBaseline checks that the building blocks of the table
// above produce valid files when not broken, so each case fails for its
// stated reason only.
func TestParseRejectsBaseline(t *testing.T) {
	good := []rawFile{
		{},
		{kvs: [][]byte{kvBytes("s", TypeString, strVal("xy"))}},
		{kvs: [][]byte{kvBytes(AlignmentKey, TypeUint32, le32(64))}},
		{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 32)}, data: 64},
		{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 32)}, data: 40 + 24}, // last tensor unpadded is fine
		{tensors: []rawTensor{f32Tensor("b", 8, 32), f32Tensor("a", 8, 0)}, data: 64},      // infos need not be in offset order
		{tensors: []rawTensor{{"t", []uint64{32, 2}, tensor.Q8_0, 0}}, data: 68},
		{tensors: []rawTensor{{"t", []uint64{1, 1, 1, 1}, tensor.F32, 0}}, data: 4},
		{tensors: []rawTensor{f32Tensor(strings.Repeat("x", 63), 8, 0)}, data: 32},
	}
	for i, r := range good {
		if _, err := parseBytes(r.bytes()); err != nil {
			t.Errorf("case %d: %v", i, err)
		}
	}
}

// TestParseTruncated parses every prefix of a valid file: each one shorter
// than the end of the last tensor's data must fail, the rest must parse.
func TestParseTruncated(t *testing.T) {
	full := sampleBytes(t)
	f, err := parseBytes(full)
	if err != nil {
		t.Fatal(err)
	}
	last := f.Tensors[len(f.Tensors)-1]
	need := f.DataOffset + int64(last.Offset+last.Size)
	if need >= int64(len(full)) || need <= f.DataOffset {
		t.Fatalf("sample layout unexpected: need %d of %d", need, len(full))
	}
	for n := range len(full) {
		_, err := parseBytes(full[:n])
		switch {
		case int64(n) < need && err == nil:
			t.Fatalf("prefix of %d bytes parsed, want an error", n)
		case int64(n) < need && !errors.Is(err, ErrInvalid):
			t.Fatalf("prefix of %d bytes: error %v does not match ErrInvalid", n, err)
		case int64(n) >= need && err != nil:
			t.Fatalf("prefix of %d bytes (all data present): %v", n, err)
		}
	}
}

// TestParseBitFlips flips each bit of a valid file in turn: the parser must
// return (valid or not) without panicking, and anything it accepts must
// re-encode to a file that parses.
func TestParseBitFlips(t *testing.T) {
	full := sampleBytes(t)
	hdr, err := parseBytes(full)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(full))
	accepted := 0
	for i := range int(hdr.DataOffset) {
		for bit := range 8 {
			copy(buf, full)
			buf[i] ^= 1 << bit
			f, err := parseBytes(buf)
			if err != nil {
				continue
			}
			accepted++
			if _, err := reencode(f); err != nil {
				t.Fatalf("flip byte %d bit %d: accepted file does not re-encode: %v", i, bit, err)
			}
		}
	}
	t.Logf("%d of %d single-bit flips in the header still parse", accepted, hdr.DataOffset*8)
}
