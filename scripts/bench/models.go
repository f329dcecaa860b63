package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
)

// shape is the architecture of a real model, reproduced with random weights.
type shape struct {
	Name      string // e.g. "SmolLM2-135M"
	Arch      string // GGUF general.architecture
	Embd      int
	Layers    int
	Heads     int
	HeadsKV   int
	HeadDim   int
	FFN       int
	Vocab     int
	RopeBase  float32
	Tied      bool // output head shares token_embd.weight
	Biases    bool // Q/K/V biases (Qwen2)
	RopeFreqs bool // llama3 rope_freqs.weight
}

// shapes are the three reference models of the performance targets, with
// the hyperparameters of their Hugging Face configs.
var shapes = []shape{
	{Name: "SmolLM2-135M", Arch: "llama", Embd: 576, Layers: 30, Heads: 9, HeadsKV: 3, HeadDim: 64, FFN: 1536,
		Vocab: 49152, RopeBase: 100000, Tied: true},
	{Name: "Qwen2.5-0.5B", Arch: "qwen2", Embd: 896, Layers: 24, Heads: 14, HeadsKV: 2, HeadDim: 64, FFN: 4864,
		Vocab: 151936, RopeBase: 1000000, Tied: true, Biases: true},
	{Name: "Llama-3.2-1B", Arch: "llama", Embd: 2048, Layers: 16, Heads: 32, HeadsKV: 8, HeadDim: 64, FFN: 8192,
		Vocab: 128256, RopeBase: 500000, Tied: true, RopeFreqs: true},
}

// mix names a quantization recipe.
type mix string

const (
	mixQ8_0   mix = "Q8_0"
	mixQ4_K_M mix = "Q4_K_M"
)

// fallback is llama.cpp's rule for rows whose length is not a multiple of
// the K-quant super-block (256): Q4_K becomes Q5_0 and Q6_K becomes Q8_0.
func fallback(t tensor.Type, cols int) tensor.Type {
	if cols%tensor.QK_K == 0 {
		return t
	}
	switch t {
	case tensor.Q4_K:
		return tensor.Q5_0
	case tensor.Q6_K:
		return tensor.Q8_0
	}
	return t
}

// moreBits is llama.cpp's use_more_bits: the layers whose attn_v and
// ffn_down get Q6_K in a Q4_K_M file.
func moreBits(layer, layers int) bool {
	return layer < layers/8 || layer >= 7*layers/8 || (layer-layers/8)%3 == 2
}

// tensorType returns the type of a weight matrix in a file of mix m, as
// llama.cpp's llama_tensor_get_type picks it for Q8_0 and Q4_K_M.
func tensorType(m mix, role string, layer, layers, cols int) tensor.Type {
	if m == mixQ8_0 {
		return tensor.Q8_0
	}
	t := tensor.Q4_K
	switch role {
	case "output", "token_embd_tied":
		t = tensor.Q6_K
	case "attn_v", "ffn_down":
		if moreBits(layer, layers) {
			t = tensor.Q6_K
		}
	}
	return fallback(t, cols)
}

// fileName is where the synthetic model of s in mix m is written.
func fileName(dir string, s shape, m mix) string {
	return filepath.Join(dir, fmt.Sprintf("synth-%s-%s.gguf", s.Name, m))
}

// writeModel writes the synthetic model unless the file already exists.
func writeModel(dir string, s shape, m mix, seed uint64) (string, error) {
	path := fileName(dir, s, m)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	g := newGen(s, seed)
	g.metadata(s, m)
	g.tensors(s, m)
	if g.err != nil {
		return "", fmt.Errorf("model %s %s: %w", s.Name, m, g.err)
	}
	if err := g.w.WriteFile(path); err != nil {
		return "", fmt.Errorf("model %s %s: %w", s.Name, m, err)
	}
	return path, nil
}

type gen struct {
	w   *gguf.Writer
	r   *rand.Rand
	err error
	hf  *hfVocab // a real tokenizer (article.go), else a synthetic one
}

func newGen(s shape, seed uint64) *gen {
	return &gen{w: gguf.NewWriter(), r: rand.New(rand.NewPCG(seed, uint64(len(s.Name))))}
}

func (g *gen) kv(key string, v any) {
	if g.err == nil {
		g.err = g.w.AddKV(key, v)
	}
}

// spmSpecial is the number of tokens before the plain pieces of the
// synthetic SentencePiece vocabulary: <unk>, <s>, </s> and 256 byte tokens.
const spmSpecial = 3 + 256

func (g *gen) metadata(s shape, m mix) {
	a := s.Arch
	g.kv("general.architecture", a)
	g.kv("general.name", fmt.Sprintf("synthetic %s %s", s.Name, m))
	g.kv(a+".context_length", uint32(4096))
	g.kv(a+".embedding_length", uint32(s.Embd))
	g.kv(a+".block_count", uint32(s.Layers))
	g.kv(a+".feed_forward_length", uint32(s.FFN))
	g.kv(a+".attention.head_count", uint32(s.Heads))
	g.kv(a+".attention.head_count_kv", uint32(s.HeadsKV))
	g.kv(a+".attention.key_length", uint32(s.HeadDim))
	g.kv(a+".attention.value_length", uint32(s.HeadDim))
	g.kv(a+".rope.dimension_count", uint32(s.HeadDim))
	g.kv(a+".rope.freq_base", s.RopeBase)
	g.kv(a+".attention.layer_norm_rms_epsilon", float32(1e-5))
	if g.hf != nil {
		g.hf.metadata(g)
		return
	}
	tokens := make([]string, s.Vocab)
	scores := make([]float32, s.Vocab)
	types := make([]int32, s.Vocab)
	tokens[0], tokens[1], tokens[2] = "<unk>", "<s>", "</s>"
	types[0], types[1], types[2] = 2, 3, 3 // unknown, control, control
	for i := range 256 {
		tokens[3+i], types[3+i] = fmt.Sprintf("<0x%02X>", i), 6 // byte
	}
	for i := spmSpecial; i < s.Vocab; i++ {
		tokens[i], types[i], scores[i] = fmt.Sprintf("\u2581t%d", i), 1, -float32(i)
	}
	g.kv("tokenizer.ggml.model", "llama")
	g.kv("tokenizer.ggml.tokens", tokens)
	g.kv("tokenizer.ggml.scores", scores)
	g.kv("tokenizer.ggml.token_type", types)
	g.kv("tokenizer.ggml.bos_token_id", uint32(1))
	g.kv("tokenizer.ggml.eos_token_id", uint32(2))
}

func (g *gen) tensors(s shape, m mix) {
	q, kv := s.Heads*s.HeadDim, s.HeadsKV*s.HeadDim
	embdRole := "token_embd"
	if s.Tied {
		embdRole = "token_embd_tied"
	}
	g.matrix("token_embd.weight", tensorType(m, embdRole, 0, s.Layers, s.Embd), s.Embd, s.Vocab)
	g.vector("output_norm.weight", s.Embd, 1)
	if !s.Tied {
		g.matrix("output.weight", tensorType(m, "output", 0, s.Layers, s.Embd), s.Embd, s.Vocab)
	}
	if s.RopeFreqs {
		g.vector("rope_freqs.weight", s.HeadDim/2, 1)
	}
	for i := range s.Layers {
		n := func(t string) string { return fmt.Sprintf("blk.%d.%s", i, t) }
		mat := func(role string, cols, rows int) {
			g.matrix(n(role+".weight"), tensorType(m, role, i, s.Layers, cols), cols, rows)
		}
		g.vector(n("attn_norm.weight"), s.Embd, 1)
		mat("attn_q", s.Embd, q)
		mat("attn_k", s.Embd, kv)
		mat("attn_v", s.Embd, kv)
		if s.Biases {
			g.vector(n("attn_q.bias"), q, 0)
			g.vector(n("attn_k.bias"), kv, 0)
			g.vector(n("attn_v.bias"), kv, 0)
		}
		mat("attn_output", q, s.Embd)
		g.vector(n("ffn_norm.weight"), s.Embd, 1)
		mat("ffn_gate", s.Embd, s.FFN)
		mat("ffn_up", s.Embd, s.FFN)
		mat("ffn_down", s.FFN, s.Embd)
	}
}

// vector adds an F32 vector of n values around mean (norm weights ≈ 1,
// biases ≈ 0).
func (g *gen) vector(name string, n int, mean float64) {
	if g.err != nil {
		return
	}
	raw := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(mean+0.05*g.r.NormFloat64())))
	}
	g.err = g.w.AddTensor(name, tensor.F32, []uint64{uint64(n)}, raw)
}

// matrix adds a rows×cols matrix of type t filled with random blocks:
// random quant bits under finite fp16 scales chosen so that weights have a
// standard deviation near 1/sqrt(cols). Speed does not depend on the
// values, and quantizing a billion Gaussian weights would take minutes.
func (g *gen) matrix(name string, t tensor.Type, cols, rows int) {
	if g.err != nil {
		return
	}
	rs, err := tensor.RowSize(t, uint64(cols))
	if err != nil {
		g.err = fmt.Errorf("%s: %w", name, err)
		return
	}
	raw := make([]byte, int(rs)*rows)
	for i := 0; i+8 <= len(raw); i += 8 {
		binary.LittleEndian.PutUint64(raw[i:], g.r.Uint64())
	}
	std := 1 / math.Sqrt(float64(cols))
	if err := setScales(t, raw, std); err != nil {
		g.err = fmt.Errorf("%s: %w", name, err)
		return
	}
	g.err = g.w.AddTensor(name, t, []uint64{uint64(cols), uint64(rows)}, raw)
}

// setScales overwrites the fp16 scales of every block with finite values
// giving weights of about the wanted standard deviation (quant spreads: Q8_0
// ±127 → σ≈73; Q5_0 ±16 → σ≈9; Q4_K 6-bit scale × 0..15 → σ≈140; Q6_K
// int8 scale × ±32 → σ≈1200).
func setScales(t tensor.Type, raw []byte, std float64) error {
	h := func(v float64) uint16 { return tensor.F32ToF16(float32(v)) }
	put := func(off int, v uint16) { binary.LittleEndian.PutUint16(raw[off:], v) }
	switch t {
	case tensor.Q8_0:
		for i := 0; i < len(raw); i += 34 {
			put(i, h(std/73))
			for j := i + 2; j < i+34; j++ {
				if raw[j] == 0x80 { // keep quants in [-127, 127] like real files
					raw[j] = 0x81
				}
			}
		}
	case tensor.Q5_0:
		for i := 0; i < len(raw); i += 22 {
			put(i, h(std/9))
		}
	case tensor.Q4_K:
		for i := 0; i < len(raw); i += 144 {
			put(i, h(std/140))
			put(i+2, h(std/140*7.5))
		}
	case tensor.Q6_K:
		for i := 0; i < len(raw); i += 210 {
			put(i+208, h(std/1200))
		}
	default:
		return fmt.Errorf("no synthetic blocks for %s", t)
	}
	return nil
}
