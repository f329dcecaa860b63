// Package server is plume serve: an OpenAI-compatible HTTP API in front of
// the local engine, with secure defaults and bounded concurrency.
//
// The OpenAI endpoints (/v1/models, /v1/chat/completions, /v1/completions)
// are a thin translation of OpenAI's JSON into llm.Request and of
// llm.Token/llm.Result back into OpenAI's JSON and SSE chunks; all the
// work is done by the llm.Generator that the Model returns, one per slot.
// The server never loads a model itself: Config.Load does (cmd/plume wires
// the hub and the engine into it).
//
// # Security defaults
//
// Every default is a named constant in limits.go with its reason: a
// loopback bind, an API key required for any other bind (compared in
// constant time), Host headers checked against DNS rebinding on loopback,
// foreign Origins refused unless listed for CORS, header and idle
// timeouts, body and message caps, a bounded number of slots and queue
// places (past them, 503 with Retry-After), and cancellation of a
// request's generation within one decode step when its client leaves.
//
// # Observability
//
// /health answers 503 until the model is loaded, then 200. /metrics
// exposes Prometheus metrics (requests by route and status, queue depth,
// busy slots, prompt and generated tokens, decode speed, time to first
// token) through the official client library, on a registry of the
// Server's own.
package server
