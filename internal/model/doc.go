// Package model holds the transformer architectures Plume runs: the
// hyperparameters read from a GGUF file, the weights (views of the file's
// mapping, never copied), a batched forward pass with a KV cache built on
// internal/kernels, and a scalar reference forward pass kept as the oracle
// the fast path is tested against.
//
// Each architecture is one small declarative file (llama.go, qwen2.go,
// qwen3.go) whose init function registers it: it lists the GGUF tensors it
// needs, each with its expected shape, like llama.cpp's load_arch_tensors.
// New reads and bounds the hyperparameters, checks every tensor's presence,
// shape and type, and only then lets a caller allocate a cache. Any
// violation is an error naming the key or tensor, never a panic.
//
// The arithmetic follows llama.cpp's CPU backend: activations are rounded to
// the weight's dot-product type before every matrix product (kernels.MatMul),
// token embeddings are dequantized rows (get_rows), the attention scale
// 1/sqrt(head_dim) is applied to the scores inside the softmax, and the KV
// cache is float32. The attention softmax and the V product run over cells
// padded like llama.cpp's (n_kv is a multiple of 256 there), so that its
// 8- and 32-lane summation orders are reproduced, and RoPE uses glibc's
// powf/sinf/cosf (kernels.RoPECache). The result is bit-identical to llama.cpp's single-token
// (decode) path on every tested format (F32, F16, Q8_0, Q4_0, Q4_K, Q6_K;
// testdata/goldens, rows_ubatch1). llama.cpp evaluates multi-token prompt
// batches with other kernels (llamafile sgemm, repacked K-quant GEMM) that
// round differently; Forward uses the single-token arithmetic for batches
// too, so its batched and incremental results are identical.
//
// When only the last row's logits are wanted (a prompt before sampling), the
// last layer of each batch computes K and V for every row but attention and
// the feed-forward block only for that row, as llama.cpp skips the unused
// rows of its last layer; every computed row is bitwise what a full pass
// gives (TestLastRowsOnly).
package model
