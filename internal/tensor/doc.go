// Package tensor describes ggml tensor element types (F32, F16, BF16 and the
// block-quantized formats), their block layouts, and conversion between them
// and float32: dequantization of weights and quantization of activations the
// way llama.cpp does it before an integer dot product.
package tensor
