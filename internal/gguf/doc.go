// Package gguf reads, validates and writes GGUF model files (versions 2 and 3),
// the container format of llama.cpp.
//
// Every input is treated as hostile (the llama.cpp gguf.cpp CVE chain,
// CVE-2026-7482 "Bleeding Llama"): before anything is allocated, each count
// and length is checked against the bytes left in the file and against a
// fixed, named cap; tensor shapes are checked with overflow-safe arithmetic;
// and tensor data must tile the data section exactly, in offset order, with
// every tensor inside the file. A malformed file yields an error that names
// the byte offset and the key or tensor involved, never a panic.
//
// Open maps a file read-only and hands out zero-copy views of tensor data;
// OpenPrivate reads it into private huge-page memory instead, and
// OpenCopying maps it but copies the tensors it is told to, at open or in
// the background (CopyInBackground) while the caller already reads the
// mapping; Parse does the same validation through an io.ReaderAt. The Writer builds
// files under the same rules, so it cannot produce a file the reader rejects.
//
// Format summary (little-endian throughout):
//
//	magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
//	n_kv × (string key | u32 value type | value)
//	n_tensors × (string name | u32 n_dims | n_dims × u64 | u32 ggml type | u64 offset)
//	padding to the alignment | data section
//
// A string is a u64 byte length followed by the bytes; an array is a u32
// element type, a u64 count and the elements. Nested arrays are rejected, as
// llama.cpp does.
package gguf
