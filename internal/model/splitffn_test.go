package model

import (
	"context"
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// TestSplitOddFFN checks batch invariance on a feed-forward width that is
// not a multiple of the SwiGLU kernel's 8 lanes (stories260K's 172): a
// prompt evaluated whole, one token at a time, or in two parts gives the
// same logits bit for bit. SwiGLU over several rows at once rounded each
// row's tail by its place in the batch.
func TestSplitOddFFN(t *testing.T) {
	spec := testmodel.Tiny("llama", tensor.F32)
	spec.FFN = 172
	_, m := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
	ids := spec.PromptIDs(24)
	V := m.Config.Vocab
	whole, _ := m.NewState(len(ids))
	want, err := m.Forward(context.Background(), nil, whole, ids, true)
	if err != nil {
		t.Fatal(err)
	}
	want = append([]float32(nil), want...)
	for _, split := range []int{1, 5, 23} {
		st, _ := m.NewState(len(ids))
		if _, err := m.Forward(context.Background(), nil, st, ids[:split], false); err != nil {
			t.Fatal(err)
		}
		got, err := m.Forward(context.Background(), nil, st, ids[split:], true)
		if err != nil {
			t.Fatal(err)
		}
		for j, g := range got {
			if w := want[split*V+j]; math.Float32bits(g) != math.Float32bits(w) {
				t.Fatalf("split at %d: position %d logit %d = %v, whole prompt %v", split, split+j/V, j%V, g, w)
			}
		}
	}
}
