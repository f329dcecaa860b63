package testmodel

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
)

// Weight scales. Matrices get std gain/sqrt(fan_in); the embedding and the
// output head get embedScale so that logits (a 256-wide dot of a unit-RMS
// vector) have a spread of several nats: peaked distributions.
const (
	projGain   = 1.0
	embedScale = 0.2
	normJitter = 0.1 // norm weights are 1 ± this
	biasScale  = 0.2
	qkGain     = 1.0 // q·k/sqrt(d) scores of unit spread: soft, stable attention
)

// WriteFile writes the model of s to path (atomically).
func WriteFile(s Spec, path string) error {
	w, err := Build(s)
	if err != nil {
		return err
	}
	if err := w.WriteFile(path); err != nil {
		return fmt.Errorf("testmodel: %w", err)
	}
	return nil
}

// Build returns a GGUF writer holding the model of s.
func Build(s Spec) (*gguf.Writer, error) { return BuildEdited(s, Edit{}) }

// Edit alters a model as it is built, to make broken ("hostile") files for
// tests. A nil hook changes nothing.
type Edit struct {
	// KV returns the value to write for key (v is the normal one); nil
	// drops the key.
	KV func(key string, v any) any
	// Dims returns the shape to write for a tensor (dims is the normal
	// one); nil drops the tensor. Data of a changed shape is zeros.
	Dims func(name string, dims []uint64) []uint64
	// Extra keys added after the normal metadata.
	Extra map[string]any
}

// BuildEdited is Build with the edits applied.
func BuildEdited(s Spec, e Edit) (*gguf.Writer, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	b := &builder{s: s, e: e, w: gguf.NewWriter(), r: rand.New(rand.NewPCG(s.Seed, 0))}
	b.metadata()
	b.tensors()
	if b.err != nil {
		return nil, fmt.Errorf("testmodel %s: %w", s.Name(), b.err)
	}
	return b.w, nil
}

type builder struct {
	s   Spec
	e   Edit
	w   *gguf.Writer
	r   *rand.Rand
	err error
}

func (b *builder) kv(key string, v any) {
	if b.e.KV != nil {
		if v = b.e.KV(key, v); v == nil {
			return
		}
	}
	if b.err == nil {
		b.err = b.w.AddKV(key, v)
	}
}

func (b *builder) metadata() {
	s, a := b.s, b.s.Arch
	b.kv("general.architecture", a)
	b.kv("general.name", s.Name())
	b.kv("general.license", "mit")
	b.kv(a+".context_length", uint32(s.Context))
	b.kv(a+".embedding_length", uint32(s.Embd))
	b.kv(a+".block_count", uint32(s.Layers))
	b.kv(a+".feed_forward_length", uint32(s.FFN))
	b.kv(a+".attention.head_count", uint32(s.Heads))
	b.kv(a+".attention.head_count_kv", uint32(s.HeadsKV))
	b.kv(a+".attention.key_length", uint32(s.HeadDim))
	b.kv(a+".attention.value_length", uint32(s.HeadDim))
	b.kv(a+".rope.dimension_count", uint32(s.HeadDim))
	if a == "llama" {
		b.kv(a+".attention.layer_norm_rms_epsilon", float32(1e-5))
		b.kv(a+".rope.freq_base", cmp.Or(s.RopeBase, 500000))
		b.kv(a+".vocab_size", uint32(s.Vocab))
	} else {
		b.kv(a+".attention.layer_norm_rms_epsilon", float32(1e-6))
		b.kv(a+".rope.freq_base", cmp.Or(s.RopeBase, 1000000))
	}
	var v vocab
	if a == "llama" {
		v = spmVocab(s.Vocab)
	} else {
		v = bpeVocab(s.Vocab)
	}
	b.kv("tokenizer.ggml.model", v.model)
	if v.pre != "" {
		b.kv("tokenizer.ggml.pre", v.pre)
	}
	b.kv("tokenizer.ggml.tokens", v.tokens)
	b.kv("tokenizer.ggml.scores", v.scores)
	b.kv("tokenizer.ggml.token_type", v.types)
	if v.merges != nil {
		b.kv("tokenizer.ggml.merges", v.merges)
	}
	b.kv("tokenizer.ggml.bos_token_id", v.bos)
	b.kv("tokenizer.ggml.eos_token_id", v.eos)
	b.kv("tokenizer.ggml.add_bos_token", v.addBOS)
	keys := make([]string, 0, len(b.e.Extra))
	for k := range b.e.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.kv(k, b.e.Extra[k])
	}
}

// normal returns n Gaussian values of standard deviation std.
func (b *builder) normal(n int, mean, std float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(mean + std*b.r.NormFloat64())
	}
	return out
}

// vector adds an F32 1-D tensor.
func (b *builder) vector(name string, data []float32) {
	if b.err == nil {
		raw := make([]byte, 4*len(data))
		if err := tensor.Quantize(tensor.F32, data, raw); err != nil {
			b.err = err
			return
		}
		b.add(name, tensor.F32, []uint64{uint64(len(data))}, raw)
	}
}

// add writes a tensor through the Dims hook.
func (b *builder) add(name string, t tensor.Type, dims []uint64, raw []byte) {
	if b.e.Dims != nil {
		nd := b.e.Dims(name, dims)
		if nd == nil {
			return
		}
		if !slices.Equal(nd, dims) {
			n := uint64(1)
			for _, d := range nd[1:] {
				n *= d
			}
			rs, err := tensor.RowSize(t, nd[0])
			if err != nil {
				b.err = err
				return
			}
			raw, dims = make([]byte, rs*n), nd
		}
	}
	b.err = b.w.AddTensor(name, t, dims, raw)
}

// matrix adds a rows×cols weight of role in layer (GGUF dims [cols,
// rows]), in the type the spec gives it.
func (b *builder) matrix(name, role string, layer, cols, rows int, std float64) {
	if b.err != nil {
		return
	}
	t := b.s.matrixType(role, layer, cols)
	if b.s.RandomBlocks {
		raw, err := randomBlocks(b.r, t, cols, rows)
		if err != nil {
			b.err = fmt.Errorf("%s: %w", name, err)
			return
		}
		b.add(name, t, []uint64{uint64(cols), uint64(rows)}, raw)
		return
	}
	data := b.normal(rows*cols, 0, std)
	rs, err := tensor.RowSize(t, uint64(cols))
	if err != nil {
		b.err = fmt.Errorf("%s: %w", name, err)
		return
	}
	raw := make([]byte, int(rs)*rows)
	for r := range rows {
		if err := tensor.Quantize(t, data[r*cols:(r+1)*cols], raw[r*int(rs):(r+1)*int(rs)]); err != nil {
			b.err = fmt.Errorf("%s: %w", name, err)
			return
		}
	}
	b.add(name, t, []uint64{uint64(cols), uint64(rows)}, raw)
}

func (b *builder) tensors() {
	s := b.s
	q, kv := s.Heads*s.HeadDim, s.HeadsKV*s.HeadDim
	proj := func(fanIn int) float64 { return projGain / math.Sqrt(float64(fanIn)) }
	embdRole := roleEmbd
	if s.Tied {
		embdRole = roleEmbdTied
	}
	b.matrix("token_embd.weight", embdRole, 0, s.Embd, s.Vocab, embedScale)
	b.vector("output_norm.weight", b.normal(s.Embd, 1, normJitter))
	if !s.Tied {
		b.matrix("output.weight", roleOutput, 0, s.Embd, s.Vocab, embedScale)
	}
	if s.RopeFreqs && s.Arch == "llama" {
		f := make([]float32, s.HeadDim/2)
		for i := range f { // llama3-like: high frequencies kept, low ones slowed down
			x := float64(i) / float64(len(f)-1)
			f[i] = float32(1 + 7*x*x)
		}
		b.vector("rope_freqs.weight", f)
	}
	for i := range s.Layers {
		n := func(t string) string { return fmt.Sprintf("blk.%d.%s", i, t) }
		b.vector(n("attn_norm.weight"), b.normal(s.Embd, 1, normJitter))
		b.matrix(n("attn_q.weight"), roleOtherProj, i, s.Embd, q, proj(s.Embd)*qkGain)
		b.matrix(n("attn_k.weight"), roleOtherProj, i, s.Embd, kv, proj(s.Embd)*qkGain)
		b.matrix(n("attn_v.weight"), roleAttnV, i, s.Embd, kv, proj(s.Embd))
		b.matrix(n("attn_output.weight"), roleOtherProj, i, q, s.Embd, proj(q))
		switch s.Arch {
		case "qwen2":
			b.vector(n("attn_q.bias"), b.normal(q, 0, biasScale))
			b.vector(n("attn_k.bias"), b.normal(kv, 0, biasScale))
			b.vector(n("attn_v.bias"), b.normal(kv, 0, biasScale))
		case "qwen3":
			b.vector(n("attn_q_norm.weight"), b.normal(s.HeadDim, 1, normJitter))
			b.vector(n("attn_k_norm.weight"), b.normal(s.HeadDim, 1, normJitter))
		}
		b.vector(n("ffn_norm.weight"), b.normal(s.Embd, 1, normJitter))
		b.matrix(n("ffn_gate.weight"), roleOtherProj, i, s.Embd, s.FFN, proj(s.Embd))
		b.matrix(n("ffn_up.weight"), roleOtherProj, i, s.Embd, s.FFN, proj(s.Embd))
		b.matrix(n("ffn_down.weight"), roleFFNDown, i, s.FFN, s.Embd, proj(s.FFN))
	}
}
