// Package tensor describes ggml tensor element types (F32, F16, BF16 and the
// block-quantized formats), their block layouts, and conversion between them
// and float32: dequantization of weights (Dequantize), llama.cpp's reference
// quantizers for writing weights (Quantize), and quantization of activations
// the way llama.cpp's x86 CPU backend does it before an integer dot product
// (QuantizeQ8_0, QuantizeQ8_1, QuantizeQ8_K). Quantize, the activation
// quantizers and the fp16/bf16 conversions are bit-identical to llama.cpp,
// checked against golden files written by its own ggml library
// (testdata/llamacpp, regenerated with gen.sh).
package tensor
