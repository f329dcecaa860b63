package testmodel_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

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

// Write a small model with llama.cpp's Q4_K_M mix of random blocks, as the
// speed benchmarks do at full size, and look at the types it picked: Q6_K
// for the tied embedding and for attn_v in the use_more_bits layers (2 and 3
// of 4).
func ExampleSpec_mix() {
	s := testmodel.Base("llama", tensor.Q4_K)
	s.Label, s.Mix, s.RandomBlocks, s.Tied = "Small", testmodel.MixQ4KM, true, true
	dir, _ := os.MkdirTemp("", "testmodel")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, s.Name()+".gguf")
	if err := testmodel.WriteFile(s, path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := gguf.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for _, name := range []string{"token_embd.weight", "blk.1.attn_v.weight", "blk.2.attn_v.weight", "blk.2.ffn_up.weight"} {
		ti, _ := f.Tensor(name)
		fmt.Println(name, ti.Type)
	}
	fmt.Println(s.Name())
	// Output:
	// token_embd.weight Q6_K
	// blk.1.attn_v.weight Q4_K
	// blk.2.attn_v.weight Q6_K
	// blk.2.ffn_up.weight Q4_K
	// synth-Small-Q4_K_M
}
