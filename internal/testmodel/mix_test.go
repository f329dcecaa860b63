package testmodel

import (
	"bytes"
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
)

func parse(t *testing.T, s Spec) *gguf.File {
	t.Helper()
	data := build(t, s)
	f, err := gguf.Parse(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// benchSpec is a small model of the kind scripts/bench writes: a Q4_K_M
// mix of random blocks, with rows of 256 (K-quants) and of 320 (fallback).
func benchSpec() Spec {
	s := Base("llama", tensor.Q4_K)
	s.Label, s.Mix, s.RandomBlocks, s.RopeBase = "Bench-Tiny", MixQ4KM, true, 100000
	s.Layers, s.Tied, s.RopeFreqs = 8, true, false
	s.Heads, s.HeadsKV, s.HeadDim, s.FFN = 4, 2, 64, 320
	return s
}

// TestMixQ4KM checks llama.cpp's Q4_K_M choices: Q6_K for the tied
// embedding and for attn_v/ffn_down of the use_more_bits layers (0, 3, 6, 7
// of 8), Q4_K elsewhere, Q5_0/Q8_0 where rows are not a multiple of 256.
func TestMixQ4KM(t *testing.T) {
	f := parse(t, benchSpec())
	for _, c := range []struct {
		tensor string
		want   tensor.Type
	}{
		{"token_embd.weight", tensor.Q6_K},
		{"blk.0.attn_q.weight", tensor.Q4_K},
		{"blk.0.attn_v.weight", tensor.Q6_K},
		{"blk.1.attn_v.weight", tensor.Q4_K},
		{"blk.2.attn_v.weight", tensor.Q4_K},
		{"blk.3.attn_v.weight", tensor.Q6_K},
		{"blk.5.attn_v.weight", tensor.Q4_K},
		{"blk.6.attn_v.weight", tensor.Q6_K},
		{"blk.7.attn_v.weight", tensor.Q6_K},
		{"blk.3.ffn_gate.weight", tensor.Q4_K},
		{"blk.0.ffn_down.weight", tensor.Q8_0}, // 320-wide rows: Q6_K falls back
		{"blk.1.ffn_down.weight", tensor.Q5_0}, // 320-wide rows: Q4_K falls back
	} {
		t.Run(c.tensor, func(t *testing.T) {
			ti, ok := f.Tensor(c.tensor)
			if !ok || ti.Type != c.want {
				t.Errorf("type %v (present %v), want %v", ti.Type, ok, c.want)
			}
		})
	}
	if _, ok := f.Tensor("output.weight"); ok {
		t.Error("tied model has output.weight")
	}
	if base, err := f.Float("llama.rope.freq_base"); err != nil || base != 100000 {
		t.Errorf("rope.freq_base %v, %v", base, err)
	}
	if got := benchSpec().Name(); got != "synth-Bench-Tiny-Q4_K_M" {
		t.Errorf("Name %q", got)
	}
}

// TestRandomBlocks checks that random blocks dequantize to finite weights
// of standard deviation near 1/sqrt(cols), in every format they support.
func TestRandomBlocks(t *testing.T) {
	f := parse(t, benchSpec())
	for _, name := range []string{"token_embd.weight", "blk.0.attn_q.weight", "blk.0.ffn_down.weight", "blk.1.ffn_down.weight"} {
		t.Run(name, func(t *testing.T) {
			ti, _ := f.Tensor(name)
			raw, err := f.TensorData(name)
			if err != nil {
				t.Fatal(err)
			}
			w := make([]float32, ti.Dims[0]*ti.Dims[1])
			if err := tensor.Dequantize(ti.Type, raw, w); err != nil {
				t.Fatal(err)
			}
			var ss float64
			for _, v := range w {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("non-finite weight %v", v)
				}
				ss += float64(v) * float64(v)
			}
			std, want := math.Sqrt(ss/float64(len(w))), 1/math.Sqrt(float64(ti.Dims[0]))
			if std < want/3 || std > want*3 {
				t.Errorf("%v: std %.4f, want about %.4f", ti.Type, std, want)
			}
		})
	}
}

func TestMixInvalid(t *testing.T) {
	for name, s := range map[string]Spec{
		"Q4_K_M over Q8_0": func() Spec { s := benchSpec(); s.Type = tensor.Q8_0; return s }(),
		"unknown mix":      func() Spec { s := benchSpec(); s.Mix = "Q2_K_S"; return s }(),
		"random F16":       func() Spec { s := Tiny("llama", tensor.F16); s.RandomBlocks = true; return s }(),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Build(s); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// TestRealVocab checks that a vocabulary as large as a real one is built
// with distinct tokens (the piece generator does not run dry).
func TestRealVocab(t *testing.T) {
	for _, arch := range []string{"llama", "qwen2"} {
		t.Run(arch, func(t *testing.T) {
			v := spmVocab(151936)
			if arch != "llama" {
				v = bpeVocab(151936)
			}
			if len(v.tokens) != 151936 {
				t.Fatalf("%d tokens", len(v.tokens))
			}
			seen := make(map[string]bool, len(v.tokens))
			for _, tok := range v.tokens {
				if seen[tok] {
					t.Fatalf("token %q twice", tok)
				}
				seen[tok] = true
			}
		})
	}
}
