package model

import (
	"context"
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// A model built from a private copy of its file, whose matrices the loader
// interleaves where the kernels decode them faster so, gives the logits of
// the same model mapped from the file bit for bit: a batched prompt, then
// decoding token by token (the embedding rows gathered from interleaved
// token_embd too), on 1 and 2 threads. Building a second model from the
// same copy finds the tensors already rearranged and does not redo it.
func TestPrivateLayoutEqualsMapped(t *testing.T) {
	for _, c := range []struct {
		arch string
		typ  tensor.Type
	}{{"llama", tensor.Q8_0}, {"qwen2", tensor.Q4_K}, {"llama", tensor.Q6_K}} {
		spec := testmodel.Base(c.arch, c.typ)
		path := writeSpec(t, spec, testmodel.Edit{})
		_, mapped := openModel(t, path)
		pf, err := gguf.OpenPrivate(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pf.Close() })
		private, err := New(pf)
		if err != nil {
			t.Fatal(err)
		}
		again, err := New(pf)
		if err != nil {
			t.Fatal(err)
		}
		n := interleavedMatrices(private)
		if kernels.Interleaves(c.typ) && n == 0 {
			t.Fatalf("%s %s: the kernels interleave %s, yet no matrix was", c.arch, c.typ, c.typ)
		}
		t.Logf("%s %s on %s: %d matrices interleaved", c.arch, c.typ, kernels.Path(), n)
		if interleavedMatrices(again) != n {
			t.Fatalf("a second model from the same copy has %d interleaved matrices, want %d", interleavedMatrices(again), n)
		}
		ids := spec.PromptIDs(12)
		for _, threads := range []int{1, 2} {
			p := kernels.NewPool(threads)
			want := runTokens(t, mapped, p, ids)
			for name, m := range map[string]*Model{"private": private, "second": again} {
				got := runTokens(t, m, p, ids)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s %s %s, %d threads: logit %d = %v, mapped %v", c.arch, c.typ, name, threads, i, got[i], want[i])
					}
				}
			}
			p.Close()
		}
	}
}

// runTokens evaluates ids[:len-2] as one batch, then the last two one at a
// time, and returns every logit it got.
func runTokens(t *testing.T, m *Model, p *kernels.Pool, ids []int32) []float32 {
	t.Helper()
	st, err := m.NewState(len(ids))
	if err != nil {
		t.Fatal(err)
	}
	k := len(ids) - 2
	out, err := m.Forward(context.Background(), p, st, ids[:k], true)
	if err != nil {
		t.Fatal(err)
	}
	all := append([]float32(nil), out...)
	for _, id := range ids[k:] {
		one, err := m.Forward(context.Background(), p, st, []int32{id}, false)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, one...)
	}
	return all
}

// interleavedMatrices counts m's matrices that are not row-major.
func interleavedMatrices(m *Model) int {
	w := m.Weights
	n := 0
	count := func(ms ...kernels.Matrix) {
		for _, x := range ms {
			if x.Layout != kernels.RowMajor {
				n++
			}
		}
	}
	count(w.TokEmbd)
	if w.Output.Data != nil && &w.Output.Data[0] != &w.TokEmbd.Data[0] {
		count(w.Output)
	}
	for _, L := range w.Layers {
		count(L.Wq, L.Wk, L.Wv, L.Wo, L.Gate, L.Up, L.Down)
	}
	return n
}
