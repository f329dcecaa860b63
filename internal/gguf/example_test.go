package gguf_test

import (
	"bytes"
	"fmt"
	"log"
	"os"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
)

// Build a tiny model file in memory with the Writer.
func ExampleWriter() {
	w := gguf.NewWriter()
	if err := w.AddKV("general.architecture", "llama"); err != nil {
		log.Fatal(err)
	}
	if err := w.AddKV("llama.embedding_length", uint32(4)); err != nil {
		log.Fatal(err)
	}
	if err := w.AddKV("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>"}); err != nil {
		log.Fatal(err)
	}
	// A 4×2 F32 matrix: two rows of four elements (ggml order: row length first).
	if err := w.AddTensor("output_norm.weight", tensor.F32, []uint64{4, 2}, make([]byte, 4*2*4)); err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := w.WriteTo(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "bytes")
	// Output: 288 bytes
}

// Read metadata and tensors; Open does the same from a path, with mmap.
func ExampleParse() {
	w := gguf.NewWriter()
	_ = w.AddKV("general.architecture", "llama")
	_ = w.AddKV("llama.context_length", uint32(2048))
	_ = w.AddKV("tokenizer.ggml.token_type", []int32{2, 3, 3})
	_ = w.AddTensor("token_embd.weight", tensor.F32, []uint64{2, 3}, make([]byte, 2*3*4))
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		log.Fatal(err)
	}

	f, err := gguf.Parse(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ctx, _ := f.Uint(f.ArchKey("context_length"))
	types, _ := f.Int32s("tokenizer.ggml.token_type")
	ti, _ := f.Tensor("token_embd.weight")
	data, _ := f.TensorData("token_embd.weight")
	fmt.Println(f.Arch(), ctx, types)
	fmt.Println(ti.Name, ti.Type, ti.Dims, ti.NumElements(), len(data))
	_, err = f.String("general.name")
	fmt.Println(err)
	// Output:
	// llama 2048 [2 3 3]
	// token_embd.weight F32 [2 3] 6 24
	// gguf: key "general.name": not found
}

func ExampleFile_Describe() {
	w := gguf.NewWriter()
	_ = w.AddKV("general.architecture", "llama")
	_ = w.AddKV("llama.block_count", uint32(5))
	_ = w.AddKV("tokenizer.ggml.scores", []float32{0, -1, -2, -3, -4, -5, -6, -7})
	_ = w.AddTensor("output_norm.weight", tensor.F32, []uint64{8}, make([]byte, 32))
	var buf bytes.Buffer
	_, _ = w.WriteTo(&buf)
	f, err := gguf.Parse(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	_ = f.Describe(os.Stdout)
	// Output:
	// GGUF v3, 288 bytes, alignment 32, data at byte 256
	// 3 metadata pairs:
	//   general.architecture string = "llama"
	//   llama.block_count u32 = 5
	//   tokenizer.ggml.scores [f32 × 8] = [0, -1, -2, -3, -4, -5, …]
	// 1 tensors:
	//   output_norm.weight       F32   [8] offset 0 size 32
}
