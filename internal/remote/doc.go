// Package remote is an llm.Generator backed by any OpenAI-compatible server
// (llama.cpp's llama-server, Ollama, vLLM).
//
// Chat requests go to {base}/v1/chat/completions and prompt-only requests to
// {base}/v1/completions, always streamed (server-sent events) so that tokens
// reach the caller as they are produced. Sampling settings map to the OpenAI
// fields plus the llama.cpp extensions top_k, min_p and repeat_penalty.
// Request.JSONSchema becomes response_format json_schema (strict) and, for
// prompt-only requests, llama.cpp's json_schema field; the answer is
// validated, and repaired if need be, by the caller (the writer), as for the
// local engine.
//
// Network behaviour is bounded by named constants: connect and header
// timeouts, an idle timeout between stream chunks (no overall timeout, since
// a long article legitimately streams for minutes), capped SSE line and body
// sizes, and capped exponential backoff (honouring Retry-After) for 429 and
// 5xx answers. The API key comes from an environment variable named in the
// config and is never logged or included in errors.
package remote
