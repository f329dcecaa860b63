package testmodel_test

import (
	"bytes"
	"fmt"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// Build a small qwen3 model in memory and look at it.
func ExampleBuild() {
	s := testmodel.Tiny("qwen3", tensor.Q8_0)
	w, err := testmodel.Build(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	w.WriteTo(&buf)
	f, _ := gguf.Parse(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	q, _ := f.Tensor("blk.0.attn_q.weight")
	fmt.Println(s.Name(), f.Arch(), len(f.Tensors), q.Type, q.Dims)
	// Output: synth-qwen3-Q8_0 qwen3 24 Q8_0 [64 64]
}
