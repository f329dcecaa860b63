package model

import (
	"errors"
	"fmt"
	"math"

	"github.com/plumewriter/plume/internal/gguf"
)

// ErrConfig reports hyperparameters that are missing, out of range or that
// disagree with each other or with the tensor shapes.
var ErrConfig = errors.New("invalid model hyperparameters")

// Caps on hyperparameters, checked before anything is allocated. They are far
// above any model Plume can run on a laptop, and low enough that products of
// them cannot overflow an int or ask for absurd allocations.
const (
	MaxLayers  = 512     // Llama 3.1 405B has 126
	MaxEmbd    = 1 << 16 // widest open models use 16384
	MaxHeads   = 1024    // head counts are ≤ 128 in practice
	MaxHeadDim = 1024    // head_dim is 64–256 in practice
	MaxFFN     = 1 << 18 // 53248 for Llama 405B
	MaxVocab   = 1 << 21 // 2M tokens; Gemma has 262k
	MaxContext = 1 << 22 // 4M positions of training context
)

// Defaults llama.cpp uses when a key is absent.
const (
	defaultRopeBase = 10000 // llama.cpp's rope_freq_base default
)

// Config holds the hyperparameters of a llama-family decoder.
type Config struct {
	Arch          string
	ContextLength int     // training context (<arch>.context_length)
	Embd          int     // n_embd
	Layers        int     // n_layer
	Heads         int     // n_head
	HeadsKV       int     // n_head_kv (GQA when < Heads)
	HeadDim       int     // n_embd_head_k (= n_embd_head_v)
	FFN           int     // n_ff
	Vocab         int     // n_vocab
	RopeDim       int     // rotated dimensions per head (≤ HeadDim, even)
	RopeBase      float32 // theta base
	RopeScale     float32 // freq_scale = 1/linear factor (1 = none)
	RopeNeox      bool    // rotate (x[i], x[i+d/2]) instead of adjacent pairs
	RMSEps        float32 // rms_norm epsilon
}

// QDim returns the width of the query projection (Heads*HeadDim).
func (c Config) QDim() int { return c.Heads * c.HeadDim }

// KVDim returns the width of the key and value projections.
func (c Config) KVDim() int { return c.HeadsKV * c.HeadDim }

// readConfig reads the hyperparameters of a llama-family model from f and
// validates their ranges and relations (not yet the tensor shapes).
func readConfig(f *gguf.File, arch string, neox bool) (Config, error) {
	c := Config{Arch: arch, RopeNeox: neox}
	var err error
	uintKey := func(suffix string, dst *int, lo, hi int, required bool, def int) {
		if err != nil {
			return
		}
		key := arch + "." + suffix
		v, e := f.Uint(key)
		switch {
		case errors.Is(e, gguf.ErrNotFound) && !required:
			*dst = def
			return
		case e != nil:
			err = fmt.Errorf("%w: %s: %w", ErrConfig, key, e)
			return
		case v < uint64(lo) || v > uint64(hi):
			err = fmt.Errorf("%w: %s = %d, want %d..%d", ErrConfig, key, v, lo, hi)
			return
		}
		*dst = int(v)
	}
	uintKey("context_length", &c.ContextLength, 1, MaxContext, true, 0)
	uintKey("embedding_length", &c.Embd, 1, MaxEmbd, true, 0)
	uintKey("block_count", &c.Layers, 1, MaxLayers, true, 0)
	uintKey("feed_forward_length", &c.FFN, 1, MaxFFN, true, 0)
	uintKey("attention.head_count", &c.Heads, 1, MaxHeads, true, 0)
	uintKey("attention.head_count_kv", &c.HeadsKV, 1, MaxHeads, false, c.Heads)
	if err != nil {
		return c, err
	}
	defHead := 0
	if c.Embd%c.Heads == 0 {
		defHead = c.Embd / c.Heads
	}
	uintKey("attention.key_length", &c.HeadDim, 1, MaxHeadDim, false, defHead)
	var vdim int
	uintKey("attention.value_length", &vdim, 1, MaxHeadDim, false, c.HeadDim)
	if err != nil {
		return c, err
	}
	if c.HeadDim == 0 {
		return c, fmt.Errorf("%w: embedding_length %d is not a multiple of head_count %d", ErrConfig, c.Embd, c.Heads)
	}
	if vdim != c.HeadDim {
		return c, fmt.Errorf("%w: value_length %d differs from key_length %d", ErrConfig, vdim, c.HeadDim)
	}
	if c.HeadDim > MaxHeadDim {
		return c, fmt.Errorf("%w: head dimension %d > %d", ErrConfig, c.HeadDim, MaxHeadDim)
	}
	if c.Heads%c.HeadsKV != 0 {
		return c, fmt.Errorf("%w: head_count %d is not a multiple of head_count_kv %d", ErrConfig, c.Heads, c.HeadsKV)
	}
	if c.QDim() > MaxEmbd*4 {
		return c, fmt.Errorf("%w: query width %d too large", ErrConfig, c.QDim())
	}
	uintKey("rope.dimension_count", &c.RopeDim, 2, MaxHeadDim, false, c.HeadDim)
	if err != nil {
		return c, err
	}
	if c.RopeDim > c.HeadDim || c.RopeDim%2 != 0 {
		return c, fmt.Errorf("%w: rope.dimension_count %d must be even and ≤ head dimension %d", ErrConfig, c.RopeDim, c.HeadDim)
	}
	if c.Vocab, err = vocabSize(f, arch); err != nil {
		return c, err
	}
	if err := readFloats(f, &c); err != nil {
		return c, err
	}
	return c, nil
}

// vocabSize reads <arch>.vocab_size, else the length of tokenizer.ggml.tokens.
func vocabSize(f *gguf.File, arch string) (int, error) {
	n := uint64(0)
	if v, err := f.Uint(arch + ".vocab_size"); err == nil {
		n = v
	} else if kv, ok := f.Lookup("tokenizer.ggml.tokens"); ok {
		if a, ok := kv.Value.(gguf.Array); ok {
			n = uint64(a.Len())
		}
	}
	if n == 0 || n > MaxVocab {
		return 0, fmt.Errorf("%w: vocabulary size %d, want 1..%d (%s.vocab_size or tokenizer.ggml.tokens)", ErrConfig, n, MaxVocab, arch)
	}
	return int(n), nil
}

// readFloats reads the epsilon and the rope frequency settings.
func readFloats(f *gguf.File, c *Config) error {
	arch := c.Arch
	eps, err := f.Float(arch + ".attention.layer_norm_rms_epsilon")
	if err != nil {
		return fmt.Errorf("%w: %s.attention.layer_norm_rms_epsilon: %w", ErrConfig, arch, err)
	}
	if !(eps > 0 && eps < 1) {
		return fmt.Errorf("%w: rms epsilon %g, want 0 < eps < 1", ErrConfig, eps)
	}
	c.RMSEps = float32(eps)
	base, err := optFloat(f, arch+".rope.freq_base", defaultRopeBase)
	if err != nil {
		return err
	}
	if !(base > 1 && base < 1e12) {
		return fmt.Errorf("%w: rope.freq_base %g, want 1 < base < 1e12", ErrConfig, base)
	}
	c.RopeBase = float32(base)
	c.RopeScale = 1
	typ, err := f.String(arch + ".rope.scaling.type")
	if err != nil && !errors.Is(err, gguf.ErrNotFound) {
		return fmt.Errorf("%w: %s.rope.scaling.type: %w", ErrConfig, arch, err)
	}
	factor, err := optFloat(f, arch+".rope.scaling.factor", 0)
	if err != nil {
		return err
	}
	if factor == 0 { // legacy key
		if factor, err = optFloat(f, arch+".rope.scale_linear", 0); err != nil {
			return err
		}
	}
	switch typ {
	case "", "none", "linear":
		// llama.cpp applies freq_scale = 1/factor whenever a factor is
		// given (rope_freq_scale_train), whatever the declared type.
	default:
		// yarn and longrope change the rotation itself; not implemented.
		return fmt.Errorf("%w: rope scaling type %q is not supported", ErrConfig, typ)
	}
	if factor != 0 {
		if !(factor >= 1 && factor <= 1024) || math.IsNaN(factor) {
			return fmt.Errorf("%w: rope scaling factor %g, want 1..1024", ErrConfig, factor)
		}
		c.RopeScale = float32(1 / factor)
	}
	return nil
}

// optFloat returns a float key, def when it is absent.
func optFloat(f *gguf.File, key string, def float64) (float64, error) {
	v, err := f.Float(key)
	if errors.Is(err, gguf.ErrNotFound) {
		return def, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %w", ErrConfig, key, err)
	}
	return v, nil
}
