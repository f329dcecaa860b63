package gguf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// fuzzMaxInput bounds the inputs FuzzParse looks at, so that one run stays
// fast and small; the format's interesting structure fits in a few KiB.
const fuzzMaxInput = 64 << 10

// reencode writes a parsed file back out with the Writer: every file the
// reader accepts must be writable.
func reencode(f *File) ([]byte, error) {
	w := NewWriter()
	for _, kv := range f.KVs {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			return nil, err
		}
	}
	for _, ti := range f.Tensors {
		data, err := f.TensorData(ti.Name)
		if err != nil {
			return nil, err
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Dims, data); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// FuzzParse feeds arbitrary bytes to Parse. Whatever it accepts must have
// readable tensors of the stated sizes, must re-encode with the Writer, and
// re-encoding must be a fixed point (parse∘write is the identity).
func FuzzParse(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			t.Skip()
		}
		g, err := parseBytes(data)
		if err != nil {
			return
		}
		for _, ti := range g.Tensors {
			b, err := g.TensorData(ti.Name)
			if err != nil || uint64(len(b)) != ti.Size {
				t.Fatalf("tensor %q: %d bytes, err %v; want %d", ti.Name, len(b), err, ti.Size)
			}
		}
		once, err := reencode(g)
		if err != nil {
			t.Fatalf("accepted file does not re-encode: %v", err)
		}
		g2, err := parseBytes(once)
		if err != nil {
			t.Fatalf("re-encoded file does not parse: %v", err)
		}
		twice, err := reencode(g2)
		if err != nil {
			t.Fatalf("second re-encode: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("re-encoding is not stable")
		}
	})
}

// fuzzSeeds are small valid and invalid files (also committed under
// testdata/fuzz/FuzzParse by TestWriteFuzzCorpus).
func fuzzSeeds(tb testing.TB) [][]byte {
	valid := sampleBytes(tb)
	w := NewWriter()
	w.SetAlignment(64)
	_ = w.AddKV("general.architecture", "test")
	_ = w.AddTensor("a", tensor.F16, []uint64{3}, make([]byte, 6))
	_ = w.AddTensor("b", tensor.Q4_K, []uint64{256}, make([]byte, 144))
	var aligned bytes.Buffer
	if _, err := w.WriteTo(&aligned); err != nil {
		tb.Fatal(err)
	}
	arr := append(le32(uint32(TypeString)), le64(2)...)
	arr = append(append(arr, strVal("x")...), strVal("yz")...)
	return [][]byte{
		rawFile{}.bytes(),
		valid,
		aligned.Bytes(),
		rawFile{version: 2, kvs: [][]byte{kvBytes("k", TypeArray, arr)}}.bytes(),
		rawFile{version: 1}.bytes(),
		rawFile{magic: "GGML"}.bytes(),
		rawFile{nKV: u64p(1 << 40)}.bytes(),
		rawFile{kvs: [][]byte{kvBytes("k", TypeArray, append(le32(uint32(TypeArray)), le64(1)...))}}.bytes(),
		rawFile{tensors: []rawTensor{f32Tensor("a", 8, 0), f32Tensor("b", 8, 64)}, data: 96}.bytes(),
		rawFile{tensors: []rawTensor{{"t", []uint64{1 << 32, 1 << 32}, tensor.F32, 0}}, data: 32}.bytes(),
		valid[:len(valid)/2],
	}
}

var writeCorpus = flag.Bool("write-fuzz-corpus", false, "rewrite testdata/fuzz/FuzzParse from fuzzSeeds")

// TestWriteFuzzCorpus regenerates the committed seed corpus when run with
// -write-fuzz-corpus; otherwise it checks that the committed corpus exists
// and still holds every seed.
func TestWriteFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for i, seed := range fuzzSeeds(t) {
		path := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(seed)) + ")\n"
		if *writeCorpus {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("seed corpus missing (run go test -run TestWriteFuzzCorpus -write-fuzz-corpus): %v", err)
		}
		if string(got) != content {
			t.Errorf("%s is stale (run go test -run TestWriteFuzzCorpus -write-fuzz-corpus)", path)
		}
	}
}
