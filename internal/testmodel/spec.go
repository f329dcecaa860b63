package testmodel

import (
	"cmp"
	"fmt"
	"math/rand/v2"

	"github.com/plumewriter/plume/internal/tensor"
)

// Spec describes one synthetic model.
type Spec struct {
	Arch    string      `json:"arch"` // "llama", "qwen2" or "qwen3"
	Type    tensor.Type `json:"type"` // type of every weight matrix
	Seed    uint64      `json:"seed"`
	Embd    int         `json:"embd"`
	Layers  int         `json:"layers"`
	Heads   int         `json:"heads"`
	HeadsKV int         `json:"heads_kv"`
	HeadDim int         `json:"head_dim"`
	FFN     int         `json:"ffn"`
	Vocab   int         `json:"vocab"`
	Context int         `json:"context"`
	// Tied drops output.weight so the output head reuses token_embd.weight.
	Tied bool `json:"tied"`
	// RopeFreqs adds a llama3-style rope_freqs.weight tensor (llama only).
	RopeFreqs bool `json:"rope_freqs"`

	// The fields below serve the speed benchmarks (scripts/bench), which
	// write full-size models of real shapes; their zero values change
	// nothing, and they are left out of JSON when unset.

	// Label names the shape in Name instead of Arch, e.g. "Llama-3.2-1B".
	Label string `json:"label,omitempty"`
	// Mix picks each matrix's type by a llama.cpp recipe (MixQ4KM);
	// MixUniform gives every matrix Type.
	Mix Mix `json:"mix,omitempty"`
	// RopeBase replaces the architecture's default rope.freq_base.
	RopeBase float32 `json:"rope_base,omitempty"`
	// RandomBlocks fills weight matrices with random quant bits under
	// scales giving weights of standard deviation 1/sqrt(cols), instead of
	// quantizing Gaussian weights: seconds instead of minutes for a
	// billion weights, and next-token distributions so flat that generation
	// runs to its token budget (an upper bound for timings). Only the Q8_0,
	// Q5_0, Q4_K and Q6_K formats have random blocks.
	RandomBlocks bool `json:"random_blocks,omitempty"`
}

// Default shape of the golden models: real-shaped (GQA 2:1 or 4:1, several
// layers, K-quant friendly widths that are multiples of 256) but small
// enough that llama.cpp and the tests run them in milliseconds.
const (
	defaultEmbd    = 256
	defaultLayers  = 4
	defaultFFN     = 512
	defaultVocab   = 1000
	defaultContext = 2048
	defaultSeed    = 20260101
)

// GoldenTypes are the weight formats every architecture is tested in.
var GoldenTypes = []tensor.Type{tensor.F32, tensor.F16, tensor.Q8_0, tensor.Q4_0, tensor.Q4_K, tensor.Q6_K}

// Base returns the default Spec of an architecture with weight type t.
func Base(arch string, t tensor.Type) Spec {
	s := Spec{Arch: arch, Type: t, Seed: defaultSeed, Embd: defaultEmbd, Layers: defaultLayers,
		Heads: 4, HeadsKV: 2, HeadDim: 64, FFN: defaultFFN, Vocab: defaultVocab, Context: defaultContext}
	switch arch {
	case "llama":
		s.RopeFreqs = true
	case "qwen2":
		s.Tied = true
	case "qwen3":
		// head_dim × heads (512) differs from embd, as in Qwen3-0.6B.
		s.Heads, s.HeadsKV = 8, 2
		s.Tied = true
	}
	return s
}

// GoldenSpecs lists the synthetic models that have committed goldens: each
// architecture in each of GoldenTypes.
func GoldenSpecs() []Spec {
	var out []Spec
	for _, arch := range []string{"llama", "qwen2", "qwen3"} {
		for _, t := range GoldenTypes {
			out = append(out, Base(arch, t))
		}
	}
	return out
}

// Name returns a file-name-friendly identifier, e.g. "synth-qwen2-Q4_K", or
// with a Label and a Mix "synth-Llama-3.2-1B-Q4_K_M".
func (s Spec) Name() string {
	return fmt.Sprintf("synth-%s-%s", cmp.Or(s.Label, s.Arch), cmp.Or(string(s.Mix), s.Type.String()))
}

// PromptIDs returns n deterministic token ids (from the seed) that avoid the
// special tokens, for teacher-forced comparisons.
func (s Spec) PromptIDs(n int) []int32 {
	r := rand.New(rand.NewPCG(s.Seed, 0x70726f6d7074))
	ids := make([]int32, n)
	lo := firstPlainToken(s.Arch)
	for i := range ids {
		ids[i] = int32(lo + r.IntN(s.Vocab-lo-numSpecialTail(s.Arch)))
	}
	return ids
}

func (s Spec) validate() error {
	switch s.Arch {
	case "llama", "qwen2", "qwen3":
	default:
		return fmt.Errorf("testmodel: unknown architecture %q", s.Arch)
	}
	if s.Embd <= 0 || s.Layers <= 0 || s.Heads <= 0 || s.HeadsKV <= 0 || s.HeadDim <= 0 || s.FFN <= 0 || s.Context <= 0 {
		return fmt.Errorf("testmodel: non-positive dimension in %+v", s)
	}
	if s.Heads%s.HeadsKV != 0 || s.HeadDim%2 != 0 {
		return fmt.Errorf("testmodel: heads %d / kv heads %d / head dim %d do not fit", s.Heads, s.HeadsKV, s.HeadDim)
	}
	if s.Vocab < minVocab || s.Vocab > maxVocab {
		return fmt.Errorf("testmodel: vocab %d, want %d..%d", s.Vocab, minVocab, maxVocab)
	}
	switch s.Mix {
	case MixUniform:
	case MixQ4KM:
		if s.Type != tensor.Q4_K {
			return fmt.Errorf("testmodel: mix %s goes with type Q4_K, not %s", s.Mix, s.Type)
		}
	default:
		return fmt.Errorf("testmodel: unknown mix %q", s.Mix)
	}
	return nil
}

// Tiny returns a very small Spec of an architecture (embd 64, 2 layers,
// 300 tokens) for fast tests. Its widths suit F32, F16 and the 32-element
// block formats (Q8_0, Q4_0…), not the 256-element K-quants: use Base.
func Tiny(arch string, t tensor.Type) Spec {
	s := Base(arch, t)
	s.Embd, s.Layers, s.FFN, s.Vocab, s.Context = 64, 2, 128, minVocab, 256
	s.Heads, s.HeadsKV, s.HeadDim = 4, 2, 16
	return s
}
