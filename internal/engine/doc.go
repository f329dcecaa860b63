// Package engine is Plume's local inference backend: it loads a GGUF model
// (weights memory-mapped, and the matrices that decode faster so copied
// into huge pages: see OpenWeights), runs sessions with a KV cache over
// internal/model's forward pass, and streams tokens with log-probabilities.
//
// Open is the one way to open a model: it resolves a reference (a file path
// or a hub reference, through the model cache, pulling when asked), then
// loads it with Load. Check answers "can the engine run this file" with the
// code Load runs (architecture, shapes, tokenizer, memory for the context
// with the real KV type). Model.ContextLimit says how large a context the
// model can have and what limits it (trained window, memory, the caller).
//
// Load validates the whole file before allocating the KV cache. A Session
// holds one live sequence: Generate decodes from a prompt, Score rates the
// tokens of a text (teacher-forced echo). Its PromptCache keeps copies of
// the K/V of up to MaxCachedSequences earlier sequences (prompt and
// output, least recently used out, bounded by memory), and a prompt is
// evaluated only after the longest prefix it shares with the live sequence
// or one of those. The forward pass gives the same bits for a prompt
// evaluated whole or after a cached prefix, so the cache changes no output
// (Options.NoPromptCache turns it off to show it). Model.Generator adapts a model to llm.Generator:
// chat templates (internal/chat), an assistant turn read back as the ids
// the engine generated for it (splice.go), sampling and JSON-schema
// grammars (internal/sample), stop strings and UTF-8-safe streaming.
//
// Cancelling the context stops work within one decode step (the forward
// pass checks it between layers).
package engine
