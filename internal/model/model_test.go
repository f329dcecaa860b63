package model

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// refTolF32 bounds |Δ logit| between Forward and the scalar Reference on F32
// weights, where only float32 summation order differs.
const refTolF32 = 1e-3

func writeSpec(t testing.TB, s testmodel.Spec, e testmodel.Edit) string {
	t.Helper()
	w, err := testmodel.BuildEdited(s, e)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), s.Name()+".gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHostile loads broken models: each must fail with an error naming the
// problem, without panicking or allocating a cache.
func TestHostile(t *testing.T) {
	kv := func(key string, val any) testmodel.Edit {
		return testmodel.Edit{KV: func(k string, v any) any {
			if k == key {
				return val
			}
			return v
		}}
	}
	dims := func(name string, d []uint64) testmodel.Edit {
		return testmodel.Edit{Dims: func(n string, old []uint64) []uint64 {
			if n == name {
				return d
			}
			return old
		}}
	}
	cases := []struct {
		name string
		arch string
		edit testmodel.Edit
		want string
	}{
		{"missing tensor", "llama", dims("blk.1.ffn_down.weight", nil), `"blk.1.ffn_down.weight": missing`},
		{"shape mismatch", "llama", dims("blk.0.attn_k.weight", []uint64{64, 48}), `"blk.0.attn_k.weight": shape [64 48]`},
		{"1-D instead of 2-D", "qwen2", dims("blk.0.attn_q.weight", []uint64{64 * 64}), `"blk.0.attn_q.weight": shape`},
		{"missing bias", "qwen2", dims("blk.1.attn_v.bias", nil), `"blk.1.attn_v.bias": missing`},
		{"missing q norm", "qwen3", dims("blk.0.attn_q_norm.weight", nil), `"blk.0.attn_q_norm.weight": missing`},
		{"n_head 0", "llama", kv("llama.attention.head_count", uint32(0)), "head_count = 0"},
		{"head count not dividing", "llama", kv("llama.attention.head_count_kv", uint32(3)), "not a multiple"},
		{"embd not divisible and no key_length", "llama", testmodel.Edit{KV: func(k string, v any) any {
			switch k {
			case "llama.attention.key_length", "llama.attention.value_length", "llama.rope.dimension_count":
				return nil
			case "llama.attention.head_count":
				return uint32(5)
			}
			return v
		}}, "not a multiple of head_count"},
		{"absurd layers", "llama", kv("llama.block_count", uint32(1<<30)), "block_count"},
		{"absurd embd", "llama", kv("llama.embedding_length", uint64(1<<40)), "embedding_length"},
		{"negative-looking ctx", "llama", kv("llama.context_length", int32(-1)), "context_length"},
		{"odd rope dims", "llama", kv("llama.rope.dimension_count", uint32(7)), "rope.dimension_count"},
		{"NaN eps", "llama", kv("llama.attention.layer_norm_rms_epsilon", float32(math.NaN())), "epsilon"},
		{"missing eps", "llama", kv("llama.attention.layer_norm_rms_epsilon", nil), "layer_norm_rms_epsilon"},
		{"yarn", "qwen2", testmodel.Edit{Extra: map[string]any{"qwen2.rope.scaling.type": "yarn"}}, "yarn"},
		{"absurd rope factor", "llama", testmodel.Edit{Extra: map[string]any{"llama.rope.scaling.factor": float32(1e9)}}, "rope scaling factor"},
		{"unknown arch", "llama", kv("general.architecture", "gpt-j"), "not supported"},
		{"vocab larger than embeddings", "llama", kv("llama.vocab_size", uint32(301)), `"token_embd.weight": shape`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeSpec(t, testmodel.Tiny(c.arch, tensor.F32), c.edit)
			f, err := gguf.Open(path)
			if err != nil {
				t.Fatalf("the writer produced an unreadable file: %v", err)
			}
			defer f.Close()
			m, err := New(f)
			if err == nil {
				t.Fatalf("New accepted the model: %+v", m.Config)
			}
			if !errors.Is(err, ErrConfig) && !errors.Is(err, ErrTensor) {
				t.Errorf("error %v is neither an ErrConfig nor an ErrTensor", err)
			}
			// The message must name the key or tensor at fault: it is
			// what the user reads.
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if !errors.Is(err, ErrConfig) && !errors.Is(err, ErrTensor) {
				t.Errorf("error %v wraps neither ErrConfig nor ErrTensor", err)
			}
		})
	}
}

// TestTokensOutsideVocab checks that Forward rejects ids outside the vocabulary.
func TestTokensOutsideVocab(t *testing.T) {
	_, m := openModel(t, writeSpec(t, testmodel.Tiny("llama", tensor.F32), testmodel.Edit{}))
	s, err := m.NewState(8)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int32{-1, int32(m.Config.Vocab), math.MaxInt32} {
		if _, err := m.Forward(context.Background(), nil, s, []int32{1, id}, false); err == nil {
			t.Errorf("token %d accepted", id)
		}
	}
	if s.Len() != 0 {
		t.Errorf("a rejected batch changed the cache: len %d", s.Len())
	}
	if _, err := m.Forward(context.Background(), nil, s, make([]int32, 9), false); !errors.Is(err, ErrContextFull) {
		t.Errorf("9 tokens in a cache of 8: %v, want ErrContextFull", err)
	}
}

// TestReferenceAgreement compares the fast batched path with the scalar
// reference on F32 weights for every architecture.
func TestReferenceAgreement(t *testing.T) {
	for _, arch := range []string{"llama", "qwen2", "qwen3"} {
		t.Run(arch, func(t *testing.T) {
			s := testmodel.Tiny(arch, tensor.F32)
			_, m := openModel(t, writeSpec(t, s, testmodel.Edit{}))
			ids := s.PromptIDs(24)
			st, err := m.NewState(len(ids))
			if err != nil {
				t.Fatal(err)
			}
			fast, err := m.Forward(context.Background(), nil, st, ids, true)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := NewReference(m)
			if err != nil {
				t.Fatal(err)
			}
			V, worst := m.Config.Vocab, 0.0
			for i, id := range ids {
				want := ref.Forward(id, i)
				for j, w := range want {
					worst = math.Max(worst, math.Abs(float64(fast[i*V+j]-w)))
				}
			}
			t.Logf("%s: max |Δ logit| fast vs reference = %.2e", arch, worst)
			if worst > refTolF32 {
				t.Errorf("max |Δ logit| %.3e > %.0e", worst, refTolF32)
			}
		})
	}
}

// TestBatchedEqualsIncremental checks that a batched prefill gives bitwise
// the logits of feeding the tokens one at a time, and that the result does
// not depend on the thread count (1, 2, 3).
func TestBatchedEqualsIncremental(t *testing.T) {
	spec := testmodel.Base("qwen2", tensor.Q4_K)
	_, m := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
	ids := spec.PromptIDs(20) // ≥ minParallelRows: the row-wise work is split too
	V := m.Config.Vocab
	var first []float32
	for _, threads := range []int{1, 2, 3} {
		p := kernels.NewPool(threads)
		st, _ := m.NewState(len(ids))
		batched, err := m.Forward(context.Background(), p, st, ids, true)
		if err != nil {
			t.Fatal(err)
		}
		batched = append([]float32(nil), batched...)
		st2, _ := m.NewState(len(ids))
		for i, id := range ids {
			one, err := m.Forward(context.Background(), p, st2, []int32{id}, false)
			if err != nil {
				t.Fatal(err)
			}
			for j := range V {
				if one[j] != batched[i*V+j] {
					t.Fatalf("threads %d, position %d, token %d: incremental %v, batched %v", threads, i, j, one[j], batched[i*V+j])
				}
			}
		}
		p.Close()
		if first == nil {
			first = batched
			continue
		}
		for j := range first {
			if first[j] != batched[j] {
				t.Fatalf("threads %d: logit %d = %v, with 1 thread %v", threads, j, batched[j], first[j])
			}
		}
	}
}

// TestLastRowsOnly checks that asking for the last row's logits only (the
// last layer then skips attention and feed-forward for the other rows)
// gives bitwise the logits, and leaves bitwise the cache, of a pass that
// computes every row: prompts of one batch and of more than MaxBatch tokens
// (whose first chunk wants no logits at all), then a short batch and one
// token on top, with 1 and 2 threads.
func TestLastRowsOnly(t *testing.T) {
	tests := []struct {
		arch   string
		typ    tensor.Type
		prompt int
	}{
		{"llama", tensor.Q8_0, 40},
		{"qwen2", tensor.Q4_K, 20},           // Q/K/V biases
		{"qwen3", tensor.F16, 20},            // per-head Q/K norms
		{"llama", tensor.Q8_0, MaxBatch + 9}, // a chunk without logits
	}
	for _, tc := range tests {
		t.Run(tc.arch+"/"+tc.typ.String(), func(t *testing.T) {
			spec := testmodel.Tiny(tc.arch, tc.typ)
			if tc.typ == tensor.Q4_K {
				spec = testmodel.Base(tc.arch, tc.typ) // rows of 256
			}
			_, m := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
			ids := spec.PromptIDs(tc.prompt + 6)
			calls := [][]int32{ids[:tc.prompt], ids[tc.prompt : tc.prompt+5], ids[tc.prompt+5:]}
			V := m.Config.Vocab
			for _, threads := range []int{1, 2} {
				p := kernels.NewPool(threads)
				full, _ := m.NewState(len(ids))
				last, _ := m.NewState(len(ids))
				for c, toks := range calls {
					want, err := m.Forward(context.Background(), p, full, toks, true)
					if err != nil {
						t.Fatal(err)
					}
					want = want[(len(toks)-1)*V:]
					got, err := m.Forward(context.Background(), p, last, toks, false)
					if err != nil {
						t.Fatal(err)
					}
					for j := range V {
						if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
							t.Fatalf("%s %s prompt %d, %d threads, call %d: logit %d = %v, all rows %v",
								tc.arch, tc.typ, tc.prompt, threads, c, j, got[j], want[j])
						}
					}
				}
				p.Close()
			}
		})
	}
}

// TestTruncateReuse checks that truncating the cache and re-feeding gives
// the same logits as a fresh state.
func TestTruncateReuse(t *testing.T) {
	spec := testmodel.Tiny("llama", tensor.Q8_0)
	_, m := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
	ids := spec.PromptIDs(10)
	st, _ := m.NewState(16)
	if _, err := m.Forward(context.Background(), nil, st, ids, false); err != nil {
		t.Fatal(err)
	}
	st.Truncate(4)
	got, err := m.Forward(context.Background(), nil, st, []int32{ids[4], 7, 9}, false)
	if err != nil {
		t.Fatal(err)
	}
	got = append([]float32(nil), got...)
	fresh, _ := m.NewState(16)
	want, _ := m.Forward(context.Background(), nil, fresh, append(append([]int32{}, ids[:5]...), 7, 9), false)
	for j := range want {
		if got[j] != want[j] {
			t.Fatalf("logit %d after truncate %v, fresh %v", j, got[j], want[j])
		}
	}
}

// TestCancelForward checks that a cancelled context stops the pass and
// leaves the cache unchanged.
func TestCancelForward(t *testing.T) {
	_, m := openModel(t, writeSpec(t, testmodel.Tiny("llama", tensor.F32), testmodel.Edit{}))
	st, _ := m.NewState(8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Forward(ctx, nil, st, []int32{1, 2, 3}, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if st.Len() != 0 {
		t.Errorf("cache len %d after a cancelled pass", st.Len())
	}
}

// KVBytes counts keys (ctx rows) and the transposed values (rows padded to
// vLanes) of every layer, at the cache's element size.
func TestKVBytes(t *testing.T) {
	_, m := openModel(t, writeSpec(t, testmodel.Tiny("llama", tensor.F32), testmodel.Edit{}))
	c := m.Config
	for _, tc := range []struct {
		kv   tensor.Type
		ctx  int
		size int64
	}{{tensor.F16, 10, 2}, {tensor.F32, 10, 4}, {tensor.F16, 64, 2}} {
		st, err := m.NewStateKV(tc.ctx, tc.kv)
		if err != nil {
			t.Fatal(err)
		}
		cpad := (tc.ctx + vLanes - 1) / vLanes * vLanes
		want := int64(c.Layers) * int64(c.KVDim()) * int64(tc.ctx+cpad) * tc.size
		if got := st.KVBytes(); got != want {
			t.Errorf("%s ctx %d: KVBytes %d, want %d", tc.kv, tc.ctx, got, want)
		}
	}
}
