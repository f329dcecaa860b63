package model

import "fmt"

// qwen3 is llama with a per-head RMS norm on Q and K before RoPE (NeoX), no
// projection biases, and a head dimension independent of embd/heads.
func init() {
	Register(Arch{Name: "qwen3", RopeNeox: true, Load: loadQwen3})
}

func loadQwen3(l *Loader, c Config) *Weights {
	return loadFamily(l, c, func(i int, b *Layer) {
		n := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", i, s) }
		b.QNorm = l.Vector(n("attn_q_norm"), c.HeadDim) // [head_dim]
		b.KNorm = l.Vector(n("attn_k_norm"), c.HeadDim) // [head_dim]
	})
}
