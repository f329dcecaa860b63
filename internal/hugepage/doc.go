// Package hugepage asks Linux for transparent huge pages (2 MiB) for large
// buffers that are streamed through: the KV cache (internal/model) and the
// private copy of a model's weights (internal/gguf). With 4 KiB pages such a
// buffer costs a page-table walk every 64 cache lines; with huge pages one
// every 32,768. Elsewhere than Linux every function is a no-op.
package hugepage
