// Package tensor describes ggml tensor element types (F32, F16, BF16 and the
// block-quantized formats), their block layouts, and conversion between them
// and float32: dequantization of weights (Dequantize), llama.cpp's reference
// quantizers for writing weights (Quantize), and quantization of activations
// the way llama.cpp's x86 CPU backend does it before an integer dot product
// (QuantizeQ8_0, QuantizeQ8_1, QuantizeQ8_K). Quantize, the activation
// quantizers and the fp16/bf16 conversions are bit-identical to llama.cpp,
// checked against golden files written by its own ggml library
// (testdata/llamacpp, regenerated with gen.sh).
//
// llama.cpp's reference quantizers and dequantizers are built without FMA, so
// every product is rounded before it is added. Go may fuse x*y+z into one
// fused multiply-add (it does on arm64, and on amd64 with GOAMD64=v3), which
// rounds once and changes the bits: products that are added are therefore
// written float32(x*y), an explicit conversion that forbids the fusion.
// scripts/test.sh runs these tests with GOAMD64=v3 too.
package tensor
