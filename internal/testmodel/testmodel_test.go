package testmodel

import (
	"bytes"
	"errors"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
)

func build(t *testing.T, s Spec) []byte {
	t.Helper()
	w, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDeterministic checks that a Spec always yields the same bytes, and
// that the seed matters.
func TestDeterministic(t *testing.T) {
	s := Tiny("qwen2", tensor.Q8_0)
	a, b := build(t, s), build(t, s)
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of one spec differ")
	}
	s.Seed++
	if bytes.Equal(a, build(t, s)) {
		t.Fatal("the seed does not change the weights")
	}
}

// TestShapes checks every golden spec's metadata and tensor shapes.
func TestShapes(t *testing.T) {
	for _, s := range GoldenSpecs() {
		t.Run(s.Name(), func(t *testing.T) {
			data := build(t, s)
			f, err := gguf.Parse(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if f.Arch() != s.Arch {
				t.Errorf("arch %q", f.Arch())
			}
			toks, err := f.Strings("tokenizer.ggml.tokens")
			if err != nil || len(toks) != s.Vocab {
				t.Errorf("%d tokens, %v", len(toks), err)
			}
			q, ok := f.Tensor("blk.0.attn_q.weight")
			if !ok || q.Type != s.Type || q.Dims[0] != uint64(s.Embd) || q.Dims[1] != uint64(s.Heads*s.HeadDim) {
				t.Errorf("attn_q %+v", q)
			}
			_, hasOut := f.Tensor("output.weight")
			_, hasBias := f.Tensor("blk.0.attn_q.bias")
			_, hasQNorm := f.Tensor("blk.0.attn_q_norm.weight")
			if hasOut == s.Tied || hasBias != (s.Arch == "qwen2") || hasQNorm != (s.Arch == "qwen3") {
				t.Errorf("output %v bias %v q_norm %v", hasOut, hasBias, hasQNorm)
			}
			if s.Arch != "llama" {
				merges, err := f.Strings("tokenizer.ggml.merges")
				if err != nil || len(merges) < s.Vocab/2 {
					t.Errorf("%d merges, %v", len(merges), err)
				}
			}
		})
	}
}

func TestInvalidSpec(t *testing.T) {
	for _, s := range []Spec{
		{Arch: "gpt2", Type: tensor.F32},
		func() Spec { s := Tiny("llama", tensor.F32); s.HeadsKV = 3; return s }(),
		func() Spec { s := Tiny("llama", tensor.F32); s.Vocab = 10; return s }(),
		func() Spec { s := Tiny("llama", tensor.F32); s.Layers = 0; return s }(),
	} {
		if _, err := Build(s); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("%+v: %v", s, err)
		}
	}
	// 64-wide rows cannot hold 256-element K-quant blocks.
	if _, err := Build(Tiny("llama", tensor.Q4_K)); err == nil {
		t.Error("Tiny Q4_K accepted")
	}
}

func TestPromptIDs(t *testing.T) {
	for _, arch := range []string{"llama", "qwen3"} {
		s := Tiny(arch, tensor.F32)
		ids := s.PromptIDs(200)
		for _, id := range ids {
			if int(id) < firstPlainToken(arch) || int(id) >= s.Vocab-numSpecialTail(arch) {
				t.Fatalf("%s: id %d is special", arch, id)
			}
		}
		if again := s.PromptIDs(200); !equal(ids, again) {
			t.Fatalf("%s: prompt ids not deterministic", arch)
		}
	}
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
