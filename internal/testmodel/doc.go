// Package testmodel writes small synthetic GGUF models with the shapes,
// metadata and vocabularies of real llama, qwen2 and qwen3 checkpoints, so
// that tests and benchmarks can run every architecture and weight format
// without downloading anything. A model is a deterministic function of its
// Spec (seed included): the same Spec always yields the same bytes, and
// llama.cpp loads the files, which is how the parity goldens are made.
//
// Weights are Gaussian with a scale chosen so next-token distributions are
// peaked (a few likely tokens), not uniform, which makes greedy decoding and
// top-1 agreement meaningful.
package testmodel
