package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// benchContext is the context length written into the synthetic models.
const benchContext = 4096

// shapes are the three reference models of the performance targets, with
// the hyperparameters of their Hugging Face configs (qwen2 models get Q/K/V
// biases from internal/testmodel).
var shapes = []testmodel.Spec{
	{Label: "SmolLM2-135M", Arch: "llama", Embd: 576, Layers: 30, Heads: 9, HeadsKV: 3, HeadDim: 64, FFN: 1536,
		Vocab: 49152, RopeBase: 100000, Tied: true},
	{Label: "Qwen2.5-0.5B", Arch: "qwen2", Embd: 896, Layers: 24, Heads: 14, HeadsKV: 2, HeadDim: 64, FFN: 4864,
		Vocab: 151936, RopeBase: 1000000, Tied: true},
	{Label: "Llama-3.2-1B", Arch: "llama", Embd: 2048, Layers: 16, Heads: 32, HeadsKV: 8, HeadDim: 64, FFN: 8192,
		Vocab: 128256, RopeBase: 500000, Tied: true, RopeFreqs: true},
}

// mix names a quantization recipe: every matrix in Q8_0, or llama.cpp's
// Q4_K_M (Q4_K and Q6_K, with Q5_0/Q8_0 where rows are not a multiple of
// 256).
type mix string

const (
	mixQ8_0   mix = "Q8_0"
	mixQ4_K_M mix = "Q4_K_M"
)

// benchSpec returns the spec internal/testmodel writes for shape s in mix
// m: random blocks (a billion weights in seconds), the bench's seed.
func benchSpec(s testmodel.Spec, m mix) testmodel.Spec {
	s.Seed, s.Context, s.RandomBlocks = modelSeed, benchContext, true
	if m == mixQ4_K_M {
		s.Type, s.Mix = tensor.Q4_K, testmodel.MixQ4KM
	} else {
		s.Type, s.Mix = tensor.Q8_0, testmodel.MixUniform
	}
	return s
}

// writeModel writes the synthetic model of shape s in mix m to dir unless
// the file already exists, and returns its path.
func writeModel(dir string, s testmodel.Spec, m mix) (string, error) {
	s = benchSpec(s, m)
	path := filepath.Join(dir, s.Name()+".gguf")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := testmodel.WriteFile(s, path); err != nil {
		return "", fmt.Errorf("model %s: %w", s.Name(), err)
	}
	return path, nil
}
