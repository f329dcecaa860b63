// Package sample turns a vector of logits into the next token and
// constrains generation to JSON that matches a schema.
//
// # Sampling
//
// A Sampler applies llama.cpp's default chain — repetition/presence/
// frequency penalties → top-k → top-p → min-p → temperature → dist — with
// llama.cpp's semantics (repetition penalty divides positive logits and
// multiplies the others; top-p keeps the smallest best-first prefix whose
// mass reaches p; min-p keeps tokens with p ≥ min_p·p_max). Temperature 0
// is greedy after the penalties. Ties always go to the lowest token id.
// Randomness comes from a xoshiro256** generator implemented here and
// seeded from Params.Seed (0 is an ordinary seed), and exponentials from a
// fixed-operation exp, so a seed's choices are identical on every platform
// and thread count. NaN/+Inf logits are errors; −Inf marks masked tokens.
// With top-k on (or at temperature 0), only the tokens that can still
// reach the top k once a watermark's bias is added are collected and
// looked up on the green list; the top k, and so every choice, is the one
// the whole vocabulary gives.
//
// # JSON Schema constrained decoding
//
// NewJSONSchema compiles a schema parsed by internal/jsonschema (which
// owns the keywords, their checks and the limits) into a byte-level
// pushdown automaton. Objects emit properties in schema order: required ones
// always, optional ones may be skipped; additionalProperties needs nothing,
// since only declared properties are generated. Where a schema allows any
// value (the empty schema {}, an object without properties whose
// additionalProperties is not false, an array without items) the automaton
// generates free-form JSON: objects with any keys, values of every type,
// nested at most MaxFreeDepth levels (response_format json_object is
// {"type":"object"}). anyOf/oneOf alternatives
// must start with different bytes (the automaton commits to one there);
// other alternatives are an error wrapping ErrSchema. Whitespace runs,
// string lengths, array lengths and number digits are capped by named
// constants, so generation always ends.
//
// Mask walks a byte trie of the vocabulary (built once per Vocab), cloning
// the automaton state at each trie edge so that shared prefixes are
// simulated once; plain string content is decided from precomputed
// per-node summaries. The caller loop is: Mask(logits) → Sample → Accept;
// stop at an end-of-generation token or when Done reports true.
package sample
