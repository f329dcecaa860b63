// Package kernels holds Plume's numeric hot loops: dot products between a
// weight row in any supported ggml format and an activation row quantized the
// way llama.cpp quantizes it (VecDot), matrix × vector/matrix products over a
// persistent worker pool (MatMul, Pool), and the float32 vector operations of
// a transformer forward pass (RMSNorm, Softmax, SiLUMul, RoPE, Dot, Axpy …).
//
// The kernels reproduce llama.cpp's x86 (AVX2+FMA) arithmetic, not just its
// maths: activations are quantized bit-identically, every VecDot sums in the
// same lanes with the same fused multiply-adds as llama.cpp's AVX2
// ggml_vec_dot_* kernels (so single-row MatMul results are bit-identical for
// every format, and batched ones for most), MatMulLlama also mirrors
// llama.cpp's batch-size-dependent kernel choice (llamafile sgemm, repacked
// Q4_0/Q4_K gemv/gemm) for bit-identical batches, and RMSNorm, Softmax,
// SiLUMul and RoPE are bit-identical (ggml's vectorised exp is reproduced,
// and glibc's powf/cosf/sinf for the rope cache). Golden files written by
// llama.cpp's own ggml library (internal/tensor/testdata/llamacpp) check
// this. The fused multiply-adds of
// the generic code (fmaf) are exact, so an assembly kernel using VFMADD in
// the same lane order must reproduce the generic results bit for bit.
//
// Every operation has a portable Go reference implementation (the *_generic.go
// files). Faster implementations for particular CPUs are selected once at
// start-up from golang.org/x/sys/cpu feature flags (see Path); building with
// the purego tag always selects the generic code. On amd64 with AVX2, FMA and
// F16C the "avx2+fma" set replaces the hot kernels with assembly (the
// *_amd64.s files): the dot products of every weight format (Q8_0, Q5_0, Q4_0
// plain and repacked, Q4_1, Q5_1, Q4_K plain and repacked, Q5_K, Q6_K, F32,
// F16 and BF16); four-row Q8_0, Q5_0 and repacked-Q4_K kernels for decoding;
// the 4×2 Q8_0 tile, the eight-activation repacked-Q4_K kernel and the
// four-activation Q4_K and Q6_K kernels for prompt batches (activations
// held in L1 while a tile of weight rows goes past them) (the larger kernels are generated with avo from _asm/: go generate
// ./internal/kernels); strided F16 rows for attention; the Q8_0 and Q8_K
// activation quantizers; F16 conversion; the max, exp and scale passes of
// Softmax and the exp of SiLU. Where the CPU also has AVX-512 VNNI (with
// AVX512VL), the "avx512vnni+avx2+fma" set swaps in VPDPBUSD versions of the
// four-row Q8_0 and Q5_0 kernels and of the 4×2 tile (dotvnni_amd64.s), one
// instruction where AVX2 takes two for the same int32 lanes; the
// development machines have no AVX-512, so scripts/avx512/run.sh runs this
// package's tests on an emulated Ice Lake (Bochs), in CI too. Each kernel is the instruction sequence
// of llama.cpp's own AVX2 code, or shares loads and overlaps independent
// chains across rows while keeping each output's one-row arithmetic, so its
// results equal the generic Go code's bit for bit; the tests in
// *_amd64_test.go check that over odd lengths, misaligned operands and guard
// bytes. Results never depend on the number of threads: each output element
// is computed by exactly one worker with a fixed summation order.
package kernels
