// Package sample turns a vector of logits into the next token: greedy,
// temperature, top-k, top-p, min-p, repetition/presence/frequency penalties,
// a seeded random source, and grammar (JSON Schema) constrained decoding.
// Samplers are pure functions on []float32 so that output is identical
// across runs and thread counts for a given seed.
package sample
