package gguf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testutil"
)

func openFixture(t *testing.T, name string) *File {
	t.Helper()
	f, err := Open(testutil.Fixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustUint(t *testing.T, f *File, key string) uint64 {
	t.Helper()
	v, err := f.Uint(key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func checkTensor(t *testing.T, f *File, name string, typ tensor.Type, dims ...uint64) TensorInfo {
	t.Helper()
	ti, ok := f.Tensor(name)
	if !ok {
		t.Fatalf("tensor %q missing", name)
	}
	if ti.Type != typ || !slices.Equal(ti.Dims, dims) {
		t.Errorf("tensor %q: %s %v, want %s %v", name, ti.Type, ti.Dims, typ, dims)
	}
	return ti
}

func TestStories260K(t *testing.T) {
	f := openFixture(t, "stories260K.gguf")
	if f.Version != 3 || len(f.KVs) != 19 || len(f.Tensors) != 48 || f.Alignment != 32 {
		t.Fatalf("v%d, %d KVs, %d tensors, alignment %d; want v3, 19, 48, 32",
			f.Version, len(f.KVs), len(f.Tensors), f.Alignment)
	}
	if f.Size() != 1185376 {
		t.Errorf("size %d", f.Size())
	}
	if _, ok := f.Lookup(AlignmentKey); ok {
		t.Error("unexpected general.alignment")
	}
	if f.Arch() != "llama" || f.ArchKey("block_count") != "llama.block_count" {
		t.Errorf("arch %q", f.Arch())
	}
	for key, want := range map[string]uint64{
		"llama.embedding_length": 64, "llama.block_count": 5, "llama.feed_forward_length": 172,
		"llama.attention.head_count": 8, "llama.attention.head_count_kv": 4, "llama.context_length": 2048,
		"llama.rope.dimension_count": 8, "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2,
		"tokenizer.ggml.padding_token_id": 4294967295,
	} {
		if got := mustUint(t, f, key); got != want {
			t.Errorf("%s = %d, want %d", key, got, want)
		}
	}
	if eps, err := f.Float("llama.attention.layer_norm_rms_epsilon"); err != nil || float32(eps) != 1e-5 {
		t.Errorf("rms eps %v %v", eps, err)
	}
	toks, err := f.Strings("tokenizer.ggml.tokens")
	if err != nil || len(toks) != 512 || toks[0] != "<unk>" || toks[1] != "<s>" || toks[3] != "<0x00>" {
		t.Fatalf("tokens: %d %q, %v", len(toks), toks[:4], err)
	}
	types, err := f.Int32s("tokenizer.ggml.token_type")
	if err != nil || len(types) != 512 || types[0] != 2 || types[1] != 3 || types[3] != 6 {
		t.Errorf("token types %v %v", types[:4], err)
	}
	if scores, err := f.Float32s("tokenizer.ggml.scores"); err != nil || len(scores) != 512 {
		t.Errorf("scores: %d %v", len(scores), err)
	}
	emb := checkTensor(t, f, "token_embd.weight", tensor.F32, 64, 512)
	checkTensor(t, f, "blk.0.attn_k.weight", tensor.F32, 64, 32)
	checkTensor(t, f, "blk.4.ffn_down.weight", tensor.F32, 172, 64)
	if emb.Size != 64*512*4 || emb.Offset != 0 {
		t.Errorf("token_embd size %d offset %d", emb.Size, emb.Offset)
	}
	for _, ti := range f.Tensors {
		if ti.Type != tensor.F32 {
			t.Errorf("%s is %s, want F32", ti.Name, ti.Type)
		}
	}
	a, err := f.TensorData("token_embd.weight")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.TensorData("output.weight")
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("output.weight differs from token_embd.weight (err %v)", err)
	}
	// Open hands out views of one mapping: no copy, no room to append.
	again, _ := f.TensorData("token_embd.weight")
	if &a[0] != &again[0] || cap(a) != len(a) {
		t.Error("TensorData from Open is not a zero-copy view")
	}
}

func TestTinyStoriesQ8(t *testing.T) {
	f := openFixture(t, "TinyStories-656K-Q8_0.gguf")
	if f.Version != 3 || len(f.KVs) != 34 || len(f.Tensors) != 20 || f.Alignment != 32 {
		t.Fatalf("v%d, %d KVs, %d tensors, alignment %d", f.Version, len(f.KVs), len(f.Tensors), f.Alignment)
	}
	count := map[tensor.Type]int{}
	for _, ti := range f.Tensors {
		count[ti.Type]++
	}
	if count[tensor.Q8_0] != 15 || count[tensor.F32] != 5 {
		t.Errorf("type counts %v", count)
	}
	if _, ok := f.Tensor("output.weight"); ok {
		t.Error("output.weight should be absent (tied head)")
	}
	emb := checkTensor(t, f, "token_embd.weight", tensor.Q8_0, 128, 2048)
	if emb.Size != 2048*4*34 {
		t.Errorf("token_embd size %d", emb.Size)
	}
	checkTensor(t, f, "blk.1.ffn_up.weight", tensor.Q8_0, 128, 384)
	checkTensor(t, f, "output_norm.weight", tensor.F32, 128)
	for key, want := range map[string]uint64{
		"general.file_type": 7, "general.quantization_version": 2, "llama.block_count": 2,
		"llama.embedding_length": 128, "llama.vocab_size": 2048, "llama.context_length": 512,
	} {
		if got := mustUint(t, f, key); got != want {
			t.Errorf("%s = %d, want %d", key, got, want)
		}
	}
	if add, err := f.Bool("tokenizer.ggml.add_bos_token"); err != nil || !add {
		t.Errorf("add_bos_token %v %v", add, err)
	}
	if s, _ := f.String("general.license"); s != "apache-2.0" {
		t.Errorf("license %q", s)
	}
	scores, err := f.Float32s("tokenizer.ggml.scores")
	if err != nil || len(scores) != 2048 || scores[0] != -1000 || scores[2047] != -1000 {
		t.Errorf("scores %d %v", len(scores), err)
	}
	if base, err := f.Float(f.ArchKey("rope.freq_base")); err != nil || base != 10000 {
		t.Errorf("freq_base %v %v", base, err)
	}
}

func TestVocabFixtures(t *testing.T) {
	cases := map[string]struct {
		arch   string
		tokens int
	}{
		"baichuan": {"baichuan", 64000}, "bert-bge": {"bert", 30522}, "deepseek-coder": {"llama", 32256},
		"falcon": {"falcon", 65024}, "gpt-2": {"gpt2", 50257}, "gpt-neox": {"gptneox", 50432},
		"llama-spm": {"llama", 32000}, "mpt": {"mpt", 50432}, "phi-3": {"phi3", 32064},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			f := openFixture(t, filepath.Join("vocab", "ggml-vocab-"+name+".gguf"))
			toks, err := f.Strings("tokenizer.ggml.tokens")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Tensors) != 0 || f.Arch() != want.arch || len(toks) != want.tokens {
				t.Errorf("%d tensors, arch %q, %d tokens; want 0, %q, %d",
					len(f.Tensors), f.Arch(), len(toks), want.arch, want.tokens)
			}
		})
	}
}

// TestOpenMatchesParse checks that the mapped and the ReaderAt paths agree.
func TestOpenMatchesParse(t *testing.T) {
	path := testutil.Fixture(t, "TinyStories-656K-Q8_0.gguf")
	m := openFixture(t, "TinyStories-656K-Q8_0.gguf")
	fd, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	p, err := Parse(fd, m.Size())
	if err != nil {
		t.Fatal(err)
	}
	if p.DataOffset != m.DataOffset || len(p.KVs) != len(m.KVs) {
		t.Fatalf("data offset %d vs %d", p.DataOffset, m.DataOffset)
	}
	for _, ti := range m.Tensors {
		a, err1 := m.TensorData(ti.Name)
		b, err2 := p.TensorData(ti.Name)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) || uint64(len(a)) != ti.Size {
			t.Fatalf("%s: data differs (%v, %v)", ti.Name, err1, err2)
		}
	}
}

func TestCloseThenTensorData(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gguf")
	if err := sampleWriter(t).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseBytes(sampleBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*File{m, p} {
		if _, err := f.TensorData("norm.weight"); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if _, err := f.TensorData("norm.weight"); !errors.Is(err, ErrClosed) {
			t.Errorf("TensorData after Close: %v, want ErrClosed", err)
		}
	}
	if _, err := m.TensorData("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing tensor: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.gguf")
	empty := filepath.Join(dir, "empty.gguf")
	os.WriteFile(bad, withVersion(1), 0o644)
	os.WriteFile(empty, nil, 0o644)
	for _, p := range []string{bad, empty, filepath.Join(dir, "missing.gguf"), dir} {
		if f, err := Open(p); err == nil {
			f.Close()
			t.Errorf("Open(%s) succeeded", p)
		}
	}
	if _, err := Open(bad); !errors.Is(err, ErrVersion) {
		t.Errorf("v1 file: %v", err)
	}
}

// TestConcurrentUse reads one File from several goroutines (run with -race),
// then closes it while readers are still going: each read either succeeds
// with the right bytes or reports ErrClosed.
func TestConcurrentUse(t *testing.T) {
	src := sampleBytes(t)
	f, err := parseBytes(src)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := f.TensorData("w.weight")
	done := make(chan error)
	for range 4 {
		go func() {
			for range 200 {
				b, err := f.TensorData("w.weight")
				if errors.Is(err, ErrClosed) {
					break
				}
				if err != nil || !bytes.Equal(b, want) {
					done <- fmt.Errorf("TensorData: %v", err)
					return
				}
				if toks, err := f.Strings("tokens"); err != nil || len(toks) != 4 {
					done <- fmt.Errorf("Strings: %v", err)
					return
				}
			}
			done <- nil
		}()
	}
	f.Close()
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// errDevice is errReaderAt's error.
var errDevice = errors.New("device error")

// errReaderAt fails every read at or past failAt.
type errReaderAt struct {
	data   []byte
	failAt int64
}

func (r errReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.failAt {
		return 0, errDevice
	}
	return bytes.NewReader(r.data).ReadAt(p, off)
}

// TestParseLargeValues reads values larger than the read window and values
// that straddle window boundaries through an io.ReaderAt.
func TestParseLargeValues(t *testing.T) {
	big := strings.Repeat("x", 3*readWindow+17)
	many := make([]string, 50000)
	for i := range many {
		many[i] = strings.Repeat("t", i%13)
	}
	floats := make([]float32, readWindow) // 4 windows of f32
	for i := range floats {
		floats[i] = float32(i)
	}
	w := NewWriter()
	for _, kv := range []KV{{Key: "big", Value: big}, {Key: "many", Value: many}, {Key: "floats", Value: floats}} {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	f, err := parseBytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.String("big")
	m, _ := f.Strings("many")
	fl, _ := f.Float32s("floats")
	if s != big || !slices.Equal(m, many) || !slices.Equal(fl, floats) {
		t.Error("large values differ after a round trip")
	}
	if _, err := Parse(errReaderAt{b.Bytes(), int64(b.Len() / 2)}, int64(b.Len())); !errors.Is(err, errDevice) {
		t.Errorf("read error not reported: %v", err)
	}
}

// TestOpenMatchesParseVocab compares the mapped and windowed readers on a
// vocabulary of 50k tokens and 50k merges.
func TestOpenMatchesParseVocab(t *testing.T) {
	m := openFixture(t, "vocab/ggml-vocab-gpt-2.gguf")
	fd, err := os.Open(testutil.Fixture(t, "vocab/ggml-vocab-gpt-2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	p, err := Parse(fd, m.Size())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.KVs, p.KVs) {
		t.Error("metadata differs between Open and Parse")
	}
	merges, err := p.Strings("tokenizer.ggml.merges")
	if err != nil || len(merges) != 50000 {
		t.Errorf("merges: %d, %v", len(merges), err)
	}
}
