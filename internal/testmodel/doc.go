// Package testmodel writes small synthetic GGUF models with the shapes,
// metadata and vocabularies of real llama, qwen2 and qwen3 checkpoints, so
// that tests and benchmarks can run every architecture and weight format
// without downloading anything. A model is a deterministic function of its
// Spec (seed included): the same Spec always yields the same bytes, and
// llama.cpp loads the files, which is how the parity goldens are made.
//
// The speed benchmarks (scripts/bench) write full-size models of real shapes
// the same way: a Spec with a Label, llama.cpp's Q4_K_M Mix and RandomBlocks,
// whose random quant bits take seconds for a billion weights.
//
// Weights are Gaussian with a scale chosen so next-token distributions are
// peaked (a few likely tokens), not uniform, which makes greedy decoding and
// top-1 agreement meaningful.
package testmodel
