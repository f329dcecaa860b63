package model

import (
	"bytes"
	"context"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// fuzzMaxBytes bounds the inputs FuzzNew tries (a tiny model is ~100 KB).
const fuzzMaxBytes = 1 << 20

// FuzzNew feeds mutated GGUF files to New: it must return an error or a
// model whose forward pass runs, never panic.
func FuzzNew(f *testing.F) {
	var buf bytes.Buffer
	w, err := testmodel.Build(testmodel.Tiny("qwen3", tensor.Q8_0))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := w.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxBytes {
			return
		}
		gf, err := gguf.Parse(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		m, err := New(gf)
		if err != nil {
			return
		}
		if m.Config.Layers*m.Config.KVDim() > 1<<20 { // keep the cache small
			return
		}
		s, err := m.NewState(4)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Forward(context.Background(), nil, s, []int32{0, int32(m.Config.Vocab - 1)}, false); err != nil {
			t.Fatalf("forward on a validated model: %v", err)
		}
	})
}
