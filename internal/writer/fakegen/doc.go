// Package fakegen is a scripted, deterministic llm.Generator for tests of
// the writer, the library and the CLI: a "synthetic model" whose text is
// meaningless but whose behaviour is exact. Without a script it answers
// structured requests with JSON generated from the request's schema (as a
// grammar-constrained engine would) and text requests with pseudo-random
// sentences, all derived from the request's seed; tokens stream with
// logprobs. It records every request and can simulate a crash after N calls.
package fakegen
