// Temporary QA mutator (not part of the build: directories starting with _ are ignored).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/gguf"
)

type mut struct {
	name string
	kv   map[string]any
	drop string
	tens func(name string, dims []uint64) []uint64
}

func main() {
	src, out := os.Args[1], os.Args[2]
	f, err := gguf.Open(src)
	if err != nil {
		panic(err)
	}
	muts := []mut{
		{name: "emb0", kv: map[string]any{"llama.embedding_length": uint32(0)}},
		{name: "heads0", kv: map[string]any{"llama.attention.head_count": uint32(0)}},
		{name: "kvheads0", kv: map[string]any{"llama.attention.head_count_kv": uint32(0)}},
		{name: "kvheads5", kv: map[string]any{"llama.attention.head_count_kv": uint32(5)}},
		{name: "blocks1e9", kv: map[string]any{"llama.block_count": uint32(1000000000)}},
		{name: "blocks0", kv: map[string]any{"llama.block_count": uint32(0)}},
		{name: "ctx0", kv: map[string]any{"llama.context_length": uint32(0)}},
		{name: "ctxhuge", kv: map[string]any{"llama.context_length": uint32(4000000000)}},
		{name: "ffn0", kv: map[string]any{"llama.feed_forward_length": uint32(0)}},
		{name: "bos_oob", kv: map[string]any{"tokenizer.ggml.bos_token_id": uint32(999999)}},
		{name: "eos_oob", kv: map[string]any{"tokenizer.ggml.eos_token_id": uint32(4294967295)}},
		{name: "nobos", kv: map[string]any{"tokenizer.ggml.add_bos_token": false}},
		{name: "rope_nan", kv: map[string]any{"llama.rope.freq_base": float32(0)}},
		{name: "rope_nanv", kv: map[string]any{"llama.rope.freq_base": float32(-1)}},
		{name: "tmpl_ok", kv: map[string]any{"tokenizer.chat_template": "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}"}},
		{name: "tmpl_go", kv: map[string]any{"tokenizer.chat_template": "{{ messages.__class__ }}{{ range(10000000)|list|length }}{{ 'x' * 100000000 }}"}},
		{name: "eps_neg", kv: map[string]any{"llama.attention.layer_norm_rms_epsilon": float32(-1)}},
		{name: "arch_unknown", kv: map[string]any{"general.architecture": "gpt9"}},
		{name: "arch_type", kv: map[string]any{"general.architecture": uint32(7)}},
		{name: "tok_model_bad", kv: map[string]any{"tokenizer.ggml.model": "nonsense"}},
		{name: "tmpl_bomb", kv: map[string]any{"tokenizer.chat_template": "{% for i in range(100000000) %}{% for j in range(1000000) %}x{% endfor %}{% endfor %}"}},
		{name: "tmpl_bad", kv: map[string]any{"tokenizer.chat_template": "{% if %}"}},
		{name: "no_tokens", drop: "tokenizer.ggml.tokens"},
		{name: "no_scores", drop: "tokenizer.ggml.scores"},
		{name: "no_arch", drop: "general.architecture"},
		{name: "tok_short", kv: map[string]any{"tokenizer.ggml.tokens": []string{"a", "b"}}},
		{name: "tensor_swap", tens: func(n string, d []uint64) []uint64 {
			if n == "token_embd.weight" && len(d) == 2 {
				return []uint64{d[1], d[0]}
			}
			return d
		}},
	}
	for _, m := range muts {
		w := gguf.NewWriter()
		w.SetAlignment(f.Alignment)
		for _, kv := range f.KVs {
			if kv.Key == "general.alignment" || kv.Key == m.drop {
				continue
			}
			v := kv.Value
			if nv, ok := m.kv[kv.Key]; ok {
				v = nv
			}
			if err := w.AddKV(kv.Key, v); err != nil {
				fmt.Println(m.name, "addkv", kv.Key, err)
			}
		}
		for k, v := range m.kv {
			if _, ok := f.Lookup(k); !ok {
				if err := w.AddKV(k, v); err != nil {
					fmt.Println(m.name, "addkv", k, err)
				}
			}
		}
		for _, ti := range f.Tensors {
			d, _ := f.TensorData(ti.Name)
			dims := ti.Dims
			if m.tens != nil {
				dims = m.tens(ti.Name, dims)
			}
			if err := w.AddTensor(ti.Name, ti.Type, dims, d); err != nil {
				fmt.Println(m.name, "addtensor", err)
			}
		}
		if err := w.WriteFile(filepath.Join(out, m.name+".gguf")); err != nil {
			fmt.Println(m.name, err)
		}
	}
}
