package model_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/model"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// Validate a GGUF model and run a batched forward pass over three tokens.
func ExampleNew() {
	var buf bytes.Buffer
	w, _ := testmodel.Build(testmodel.Tiny("qwen2", tensor.Q8_0))
	w.WriteTo(&buf)
	f, err := gguf.Parse(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := model.New(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := m.NewState(16)
	logits, err := m.Forward(context.Background(), nil, s, []int32{260, 270, 280}, true)
	c := m.Config
	fmt.Println(c.Arch, c.Layers, c.Heads, c.HeadsKV, c.HeadDim, c.RopeNeox, len(logits)/c.Vocab, s.Len(), err)
	// Output: qwen2 2 4 2 16 true 3 3 <nil>
}
