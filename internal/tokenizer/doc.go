// Package tokenizer turns text into model token ids and back, reproducing
// llama.cpp's llama-vocab.cpp behaviour for the vocabularies stored in GGUF
// files (tokenizer.ggml.* metadata).
//
// Three model families are supported:
//
//   - "llama": SentencePiece BPE (space prefix, ▁ for spaces, merges by
//     highest score with the leftmost pair on ties, <0xNN> byte fallback);
//   - "gpt2": byte-level BPE with the GPT-2 byte↔unicode map, merge ranks and
//     the pre-tokenizer selected by tokenizer.ggml.pre (llama3/llama-bpe,
//     qwen2, qwen35, gpt-2, mpt, falcon, starcoder, smollm, refact, deepseek-coder,
//     gpt-4o, tekken, default, …). The pre-tokenizers are hand-written,
//     linear-time equivalents of llama.cpp's regex splitting, including its
//     quirks (category-collapsed \p{…} classes, custom llama3/gpt2 code);
//   - "bert": WordPiece (greedy longest match per word).
//
// Special tokens (control and user-defined) are split out of the text before
// tokenization, as llama.cpp's tokenizer_st_partition does. Decoding offers a
// whole-sequence Decode, per-token Piece and TokenBytes, and a StreamDecoder
// that only ever emits complete UTF-8.
//
// All input is untrusted: invalid UTF-8 never panics, inputs above
// MaxInputBytes are refused with an error, and FromGGUF validates the
// vocabulary (array lengths, special ids, merges) before use.
package tokenizer
