package server

import "time"

// Network defaults.
const (
	// DefaultAddr binds loopback only: nothing else on the network can reach
	// the model (or spend its CPU) unless the user asks for it.
	DefaultAddr = "127.0.0.1:8080"
	// ReadHeaderTimeout bounds how long a client may take to send its
	// headers, so slow-loris connections cannot pile up.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request body (at most MaxBodyBytes),
	// which a well-behaved client sends in well under a second.
	ReadTimeout = 60 * time.Second
	// IdleTimeout closes keep-alive connections nobody uses.
	IdleTimeout = 120 * time.Second
	// MaxHeaderBytes caps request headers: API requests carry a few hundred
	// bytes; 64 KiB leaves room for cookies and long tokens.
	MaxHeaderBytes = 64 << 10
	// ShutdownGrace is how long requests in flight may run after SIGINT or
	// SIGTERM before their generation is cancelled.
	ShutdownGrace = 10 * time.Second
)

// Request limits, checked before any work.
const (
	// MaxBodyBytes caps a request body (MaxBytesReader). The chat template
	// sandbox refuses to render more than 4 MiB of prompt, so a larger body
	// could never be served anyway.
	MaxBodyBytes = 4 << 20
	// MaxJSONDepth caps the nesting of a request body, checked by a scan
	// before decoding: real requests nest 6 levels (a JSON schema in
	// response_format a few more), and deep nesting is only an attack on
	// the decoder's stack and time.
	MaxJSONDepth = 64
	// MaxMessages caps a chat's messages: the chat template sandbox renders a
	// 1,000-message conversation in about a tenth of its step budget, and no
	// context window of a model this engine runs holds more turns.
	MaxMessages = 1024
	// MaxMessageBytes caps one message's content (1 MiB, ~250k tokens: more
	// than any context window of a model this engine runs).
	MaxMessageBytes = 1 << 20
	// MaxCompletionTokens caps max_tokens: it bounds how long one request
	// holds a slot, and no context window of a model that runs on a laptop
	// CPU leaves room for more.
	MaxCompletionTokens = 32768
	// MaxPromptStrings caps /v1/completions prompt arrays: one prompt per
	// request (n = 1), as a string or an array of one.
	MaxPromptStrings = 1
)

// Concurrency defaults.
const (
	// DefaultParallel is one slot: on a CPU, a second concurrent generation
	// shares the same cores and memory bandwidth, so it only makes both
	// slower (the bandwidth-bound decode gains nothing from interleaving).
	DefaultParallel = 1
	// MaxParallel bounds --parallel: each slot holds a KV cache.
	MaxParallel = 64
	// DefaultQueue lets a few requests wait for a slot instead of failing
	// at once, without letting a burst queue minutes of work.
	DefaultQueue = 4
	// MaxQueue bounds --queue.
	MaxQueue = 1024
	// RetryAfter is the Retry-After of a 503 (busy or loading), in seconds:
	// about one short completion on a small model.
	RetryAfter = 2
)
