package model

import "github.com/plumewriter/plume/internal/kernels"

// Weights are the tensors of a llama-family decoder. Matrices are views of
// the GGUF mapping; the small norm vectors and biases are float32 copies.
// Optional tensors are nil (or a zero Matrix) when the architecture has none.
type Weights struct {
	TokEmbd    kernels.Matrix // [vocab rows × embd]
	OutputNorm []float32      // [embd]
	Output     kernels.Matrix // [vocab rows × embd]; TokEmbd when tied
	RopeFreqs  []float32      // [rope_dim/2] llama3 frequency factors, or nil
	Layers     []Layer
}

// Layer is one transformer block.
type Layer struct {
	AttnNorm []float32      // [embd]
	Wq       kernels.Matrix // [heads*head_dim rows × embd]
	Wk, Wv   kernels.Matrix // [heads_kv*head_dim rows × embd]
	Wo       kernels.Matrix // [embd rows × heads*head_dim]
	Bq       []float32      // [heads*head_dim] qwen2 bias, or nil
	Bk, Bv   []float32      // [heads_kv*head_dim] qwen2 biases, or nil
	QNorm    []float32      // [head_dim] qwen3 per-head RMS norm, or nil
	KNorm    []float32      // [head_dim] qwen3 per-head RMS norm, or nil
	FFNNorm  []float32      // [embd]
	Gate, Up kernels.Matrix // [ffn rows × embd]
	Down     kernels.Matrix // [embd rows × ffn]
}
