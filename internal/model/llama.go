package model

import "fmt"

// llama covers Llama 2/3.x, Mistral, TinyLlama and SmolLM: RMSNorm,
// SwiGLU, GQA, adjacent-pair RoPE with optional llama3 frequency factors
// (rope_freqs), optionally tied output embeddings.
func init() {
	Register(Arch{Name: "llama", RopeNeox: false, Load: loadLlama})
}

func loadLlama(l *Loader, c Config) *Weights {
	w := loadCommon(l, c)
	w.RopeFreqs = l.OptionalVector("rope_freqs.weight", c.RopeDim/2) // [rope_dim/2]
	for i := range w.Layers {
		loadBlock(l, c, i, &w.Layers[i])
	}
	return w
}

// loadCommon requests the tensors outside the blocks.
func loadCommon(l *Loader, c Config) *Weights {
	w := &Weights{Layers: make([]Layer, c.Layers)}
	w.TokEmbd = l.Matrix("token_embd.weight", c.Embd, c.Vocab)    // [embd, vocab]
	w.OutputNorm = l.Vector("output_norm.weight", c.Embd)         // [embd]
	out, ok := l.OptionalMatrix("output.weight", c.Embd, c.Vocab) // [embd, vocab]
	if !ok {
		out = w.TokEmbd // tied embeddings
	}
	w.Output = out
	return w
}

// loadFamily requests the tensors every llama-family model has, outside and
// in each block, then calls extra for each block so that an architecture
// requests only its own tensors.
func loadFamily(l *Loader, c Config, extra func(i int, b *Layer)) *Weights {
	w := loadCommon(l, c)
	for i := range w.Layers {
		b := &w.Layers[i]
		loadBlock(l, c, i, b)
		extra(i, b)
	}
	return w
}

// loadBlock requests the tensors every llama-family block has.
func loadBlock(l *Loader, c Config, i int, b *Layer) {
	n := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", i, s) }
	b.AttnNorm = l.Vector(n("attn_norm"), c.Embd)       // [embd]
	b.Wq = l.Matrix(n("attn_q"), c.Embd, c.QDim())      // [embd, heads*head_dim]
	b.Wk = l.Matrix(n("attn_k"), c.Embd, c.KVDim())     // [embd, heads_kv*head_dim]
	b.Wv = l.Matrix(n("attn_v"), c.Embd, c.KVDim())     // [embd, heads_kv*head_dim]
	b.Wo = l.Matrix(n("attn_output"), c.QDim(), c.Embd) // [heads*head_dim, embd]
	b.FFNNorm = l.Vector(n("ffn_norm"), c.Embd)         // [embd]
	b.Gate = l.Matrix(n("ffn_gate"), c.Embd, c.FFN)     // [embd, ffn]
	b.Up = l.Matrix(n("ffn_up"), c.Embd, c.FFN)         // [embd, ffn]
	b.Down = l.Matrix(n("ffn_down"), c.FFN, c.Embd)     // [ffn, embd]
}
