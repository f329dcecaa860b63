package model

import "fmt"

// qwen2 is llama with biases on the Q, K and V projections and NeoX RoPE.
func init() {
	Register(Arch{Name: "qwen2", RopeNeox: true, Load: loadQwen2})
}

func loadQwen2(l *Loader, c Config) *Weights {
	return loadFamily(l, c, func(i int, b *Layer) {
		n := func(s string) string { return fmt.Sprintf("blk.%d.%s.bias", i, s) }
		b.Bq = l.Vector(n("attn_q"), c.QDim())  // [heads*head_dim]
		b.Bk = l.Vector(n("attn_k"), c.KVDim()) // [heads_kv*head_dim]
		b.Bv = l.Vector(n("attn_v"), c.KVDim()) // [heads_kv*head_dim]
	})
}
