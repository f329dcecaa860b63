// Package kernels holds Plume's numeric hot loops: dot products between a
// weight row in any supported ggml format and an activation row quantized the
// way llama.cpp quantizes it (VecDot), matrix × vector/matrix products over a
// persistent worker pool (MatMul, Pool), and the float32 vector operations of
// a transformer forward pass (RMSNorm, Softmax, SiLUMul, RoPE, Dot, Axpy …).
//
// The kernels reproduce llama.cpp's x86 (AVX2+FMA) arithmetic, not just its
// maths: activations are quantized bit-identically, every VecDot sums in the
// same lanes with the same fused multiply-adds as llama.cpp's AVX2
// ggml_vec_dot_* kernels, so single-row MatMul results are bit-identical for
// every format, and batched ones for every format except where llama.cpp
// switches to batch kernels (llamafile sgemm for F32/F16/BF16, the four-row
// gemm for repacked Q4_K): MatMul keeps one kernel per matrix whatever the
// batch size, and the parity tests check those batches within a tolerance
// (and check llama.cpp's choice itself, reproduced in test code, bit for
// bit). RMSNorm, Softmax, SiLUMul and RoPE are bit-identical (ggml's
// vectorised exp is reproduced, and glibc's powf/cosf/sinf for the rope cache,
// RoPECache). Golden files written by llama.cpp's own ggml library
// (internal/tensor/testdata/llamacpp) check this. The fused multiply-adds of
// the generic code (fmaf) are exact, so an assembly kernel using VFMADD in
// the same lane order must reproduce the generic results bit for bit.
//
// Every operation has a portable Go reference implementation (the *_generic.go
// files). Faster implementations for particular CPUs are selected once at
// start-up from golang.org/x/sys/cpu feature flags (see Path, and EnvKernels
// to cap the choice); building with the purego tag always selects the
// generic code. On amd64 with AVX2, FMA and F16C the "avx2+fma" set replaces
// the hot kernels with assembly (the *_amd64.s files): the dot products of
// every weight format (Q8_0, Q5_0, Q4_0 plain and repacked, Q4_1, Q5_1, Q4_K
// plain and repacked, Q5_K, Q6_K, F32, F16 and BF16); the rows4 kernels of
// Q8_0, Q5_0 and repacked Q4_K for decoding; the Q8_0 tile42, the packed
// Q4_K cols8 and cols4 kernels and the Q6_K cols4 kernel for prompt batches
// (activations held in L1 while a tile of weight rows goes past them);
// strided F16 rows for attention; the Q8_0 and Q8_K activation quantizers;
// F16 conversion; the max, exp and scale passes of Softmax and the exp of
// SiLU. Where the CPU also has AVX-512 VNNI (with AVX512VL), the
// "avx512vnni+avx2+fma" set swaps in VNNI versions of four of them
// (dotvnni_amd64.s): the Q8_0 and Q5_0 rows4 kernels and the Q8_0 tile42
// with VPDPBUSD, one instruction where AVX2 takes two for the same int32
// lanes, and the packed Q4_K cols8 kernel with VPDPWSSD. Where the CPU
// also has AVX512BW and AVX512VL, that set decodes on ZMM registers too
// (dotzmm_amd64.go): the Q8_0 rows4 kernel with two rows per register
// (for the odd activation row of batches: this set decodes Q8_0 row by
// row with the one-row kernel, oneRowDecode, one memory stream per row,
// which measured faster on Zen 5), the Q8_0 tile42 with each weight
// row's two products in one register (one VPDPBUSD and one embedded-
// broadcast VMULPS for both: pp128 of the 1B Q8_0 model 17-18% faster
// than the YMM tile at 1 and 2 threads on a Zen 5), the packed Q4_K
// cols8 with two activations per register (their quants laid out in pairs
// once per call; pp128 of the 1B Q4_K_M model 12% faster at 1 thread, 4%
// at 2), a Q6_K cols4 with two 32-element chunks per register (pp128 of
// that model 4.5% faster at 1 thread, 8% at 2), the
// repacked Q4_K rows4 kernel with its integer sums 64 quants per
// instruction, and a Q6_K rows4 kernel (decode only; prompt batches take
// the cols4 kernel); each keeps the YMM kernels' float lanes and order, so
// the bits are the same; in this set the Q4_K and Q6_K ones add their
// scaled pair sums with VPDPWSSD (dotzmmvnni_amd64.go; the Q4_K kernel 8%
// faster in L2 on a Zen 5). AVX-512 CPUs without VNNI (Skylake-SP) get all
// these ZMM kernels in the "avx512+avx2+fma" set, each VPDPBUSD there
// VPMADDUBSW and VPMADDWD with int16 ones and each VPDPWSSD VPMADDWD and
// VPADDD (dotzmmbw_amd64.s for the generated ones; the same int32 lanes),
// and Q8_0 decoded row by row too: on a Zen 5 running that set, pp128 of
// the 1B Q8_0 and Q4_K_M models 25% and 23% faster than with its YMM
// prompt kernels. CPUs
// with AVX-VNNI but no AVX-512 (Alder Lake and later client cores) get the
// "avxvnni+avx2+fma" set: the same four VNNI kernels with the VEX encoding
// of VPDPBUSD/VPDPWSSD (dotavxvnni_amd64.s; the Go assembler spells only
// the EVEX one, so _asm emits the bytes), and a Q4_K group kernel with
// VPDPWSSD (dotq4r4_amd64.s, the bytes in a macro). PLUME_KERNELS=avxvnni selects it
// on a CPU that has both encodings, so both are tested natively there (and
// PLUME_KERNELS=avx512 the avx512 set). Where the CPU also has AMX-INT8
// and Linux grants the tile permission (asked for once at start-up with
// arch_prctl(ARCH_REQ_XCOMP_PERM)), the "amx+avx512vnni+avx2+fma" set
// multiplies Q8_0 prompt batches (and Q5_0's, expanded) on AMX tiles, 16
// weight rows by 16 activation rows a call (tile16.go, amx_amd64.s):
// TDPBSSD takes each lane of four products of the generic dot as a 16×4
// by 4×16 tile product, and ZMM fused multiply-adds sum the exact int32
// results into the generic code's eight lane accumulators, so the bits
// are the same. Repacked Q4_0 batches take a full-depth tile per block
// (tile16q40.go, amxq40_amd64.s: llama.cpp's repacked Q4_0 fuses each
// block's exact int32 sum with one fmaf), and repacked Q4_K batches their
// own (tile16k.go, amxq4k_amd64.s): llama.cpp's repacked arithmetic sums a whole
// super-block into one exact int32 per output, so each 32-quant sub-block
// is one full-depth TDPBSSD (16 rows × 32 quants by 32 × 16 activations),
// scaled per weight row with VPMULLD and summed, the min term likewise,
// then the one-row kernel's two fused multiply-adds per super-block. The
// tiles are configured, used and released inside one assembly call, where
// Go never preempts. The Go assembler has no AMX mnemonics: amx_amd64.h
// spells them in bytes. Q6_K and plain Q4_K keep llama.cpp's AVX2 lanes
// of four products, which a tile would take four deep (as Q8_0's), each
// also scaled per sub-block: they stay on the VNNI kernels (on ZMM
// registers, 32 multiply-adds an instruction for Q6_K's cols4, more than
// a four-deep tile with a VPMULLD per tile row gives). llama.cpp's AMX
// build does tile them one sub-block deep, but then its AMX build gives
// other bits than its AVX2 one; Plume's sets give one. CPUs without AVX-512 VNNI
// or without AMX run those tests through scripts/avx512/run.sh on an
// emulated Sapphire Rapids (Bochs 3.0), in CI too.
//
// Decoding reads every weight once a token, so its speed is the memory's:
// four row-major rows read side by side are four streams, which the
// hardware prefetchers follow less well than one. Where the weights are
// the process's own (a private copy, as plume serve and plume write load
// them, or the matrices that plume run copies out of the mapped file,
// engine.WeightsHybrid; see gguf.File.Rearrange, and Matrix.Later for
// those copied while the model runs), Interleave lays a matrix out in groups
// of four rows interleaved block by block (Interleaved4; Q8_0 in runs of
// eight blocks, the run's scales on one cache line before its quants, and
// Q4_K with the four rows' heads on one line before their quants, so that
// every load is aligned: groupForm), and the x86 sets decode those
// groups with group kernels (quad_amd64.go): the four-row kernels with a
// row stride of one block and a block step of four, so the same bits from
// one stream. They exist for Q8_0 (every set, YMM and
// ZMM), repacked Q4_K (AVX2, AVX-VNNI and ZMM) and Q6_K (ZMM); on a Zen 5, with the
// weights in huge pages, decoding the 1B models was 1.19–1.41× as fast as
// from the mapped file, where row-major huge pages gave 1.03–1.11×
// (BENCHMARKS.md, "Weights in huge pages"). The ZMM sets' Q8_0 and Q4_K
// group kernels have stream forms (streamEntry): a call's groups cut in
// four runs that one kernel reads together, block by block, since one
// core reads memory faster from four streams than from one (on a Zen 5,
// Q8_0 decode at one thread 1.12×, BENCHMARKS.md "Four streams").
// Batches gather each row tile back into row-major order
// first (batchTile) and use the batch kernels unchanged; RowData reads one
// row of either layout (embedding lookups).
//
// On arm64 the "neon" set (every arm64 CPU: Advanced SIMD) replaces, with
// hand-written Go assembly (the *_arm64.s files), the dot products of every
// weight format the AVX2 set covers (Q8_0, Q4_0 plain and repacked, Q5_0,
// Q4_1, Q5_1, Q4_K plain and repacked, Q5_K, Q6_K, F32, F16, BF16), the
// Q8_0, Q5_0 and repacked Q4_K rows4 kernels for decoding (the last with
// its integer sums in assembly, the activation loaded once for the four
// rows, the float steps the one-row kernel's Go code), the strided F16
// rows of attention (rowsDotF16X32) and its float32 rows (rowsDotF32,
// F32RowsDot's loop in one assembly function), F32 Dot and Axpy, the
// Q8_0 and Q8_K activation quantizers, fp16 conversion and rounding, the
// max, exp and scale passes of Softmax, the exp of SiLU (ggml_v_expf) and
// RoPE's rotation. Where the
// CPU has the dot product extension (Apple M1 and later, Graviton 2 and
// later, Ampere, Cortex-A76 and later) the "neon+dotprod" set forms the
// integer lanes with SDOT, one instruction for four byte products, instead
// of SMULL, SADDLP and ADDP. The Go assembler has no mnemonic for SDOT and
// many other NEON instructions: they are WORD-encoded by the macros of
// neon_arm64.h, each naming its instruction. The K-quant kernels form each
// super-block's int32 lanes in assembly and leave the scales, the min and
// bsum terms and the float32 accumulation to the generic Go helpers; the
// F16 and BF16 rows leave their float64 tail to Go; so those parts are the
// generic code itself. Every other float32 step is the generic code's:
// FMLA/FMLS where it calls fmaf, FMUL and FADD where it rounds, the same
// reductions. Prompt batches (four activation rows or more) have arm64
// kernels for every format but F32: the Q8_0 4×2 tile (tile42, with the scales of
// the Go scales4) and rows4; Q5_0 rows expanded to Q8_0 (the generic
// expandQ5_0) for those; the cols4 shape (one weight row, four
// activations) for Q6_K, Q5_K and Q4_K, repacked or not (one super-block
// unpacked once in assembly for the four, the float steps the one-row
// kernels' Go code), for Q4_0, repacked or not, Q4_1 and Q5_1 (wholly in
// assembly: dotq40c4_arm64.s, dotlc4_arm64.s) and for F16 and BF16
// (dothc4_arm64.s: each 32-weight chunk widened once per two activations,
// the float64 tail the one-row kernels' Go code); each integer kernel in a
// NEON and an SDOT build. Where the CPU also has
// i8mm (Apple M2 and later, Graviton 3 and later) the "neon+dotprod+i8mm"
// set multiplies repacked Q4_0 and Q4_K prompt batches with SMMLA
// (dotmm_arm64.s, the packedCols8 shape: two weight rows times eight
// activations, each 2×2 int32 tile one block's exact integer sums, times
// the rows' sub-block scales for Q4_K; Q4_K's float steps stay the
// one-row kernel's Go code); SMMLA's eight-product sums cannot form the
// four-product lanes that the other formats' eight-lane float
// accumulation needs, so only the repacked formats' single per-block sum
// fits it. PLUME_KERNELS=neon, dotprod or generic caps the choice.
// scripts/arm64/run.sh runs this package's tests (the *_arm64_test.go
// files: bit for bit against the generic code) and the model goldens under
// qemu-aarch64, on a CPU with dotprod and i8mm (and capped to dotprod) and
// on one without. Still on the one-row kernels on arm64: prompt batches
// of F32 weights (as on amd64), the last one to three activation rows of
// a batch (as on amd64), and decoding (one activation row) of every format
// but Q8_0, Q5_0 and repacked Q4_K, which have rows4; not yet on arm64:
// the cols8 shape of repacked Q4_K without i8mm, and SMMLA for the other
// formats (see above).
//
// The larger kernels (the Q8_0 and Q5_0 rows4, tile42 and scales4, the
// packed Q4_K cols8, the Q6_K cols4, the strided F16 rows, all the VNNI
// and AVX-VNNI ones, the Q8_0 ZMM rows4 and tile42, the Q4_K ZMM cols8
// and the Q6_K ZMM cols4; the Q4_K and Q6_K ZMM rows4
// are hand-written beside their YMM twins) are generated with avo by the program in _asm, its own module: edit _asm, not the generated files, and
// regenerate with `go generate ./internal/kernels`; scripts/test.sh fails
// when they are stale. Each kernel is the instruction sequence of
// llama.cpp's own AVX2 code, or shares loads and overlaps independent chains
// across rows while keeping each output's one-row arithmetic, so its results
// equal the generic Go code's bit for bit; the tests in *_amd64_test.go
// check that over odd lengths, misaligned operands and guard bytes. Results
// never depend on the number of threads: each output element is computed by
// exactly one worker with a fixed summation order.
//
// # Glossary
//
// The kernel table (kernelSet) has one field per kind of kernel, indexed by
// weight type; the kinds are named by their shape:
//
//   - dot: one weight row times one activation row, the reference every
//     other kind is bit-identical to (VecDot).
//   - rows4: four consecutive weight rows times one activation row, sharing
//     the activation's loads (decoding: one token at a time).
//   - cols4: one weight row times four activation rows, unpacking the
//     weight row once for the four (prompt batches).
//   - cols8: cols4 with eight activation rows, over a run of weight rows.
//   - tile42: four weight rows times pairs of activation rows, a 4×2 block
//     of outputs kept in registers (llamafile's tinyBLAS 4×2 tile).
//   - scales4: converts the fp16 block scales of four weight rows to float32
//     once, for tile42 (tileActScales does the same for the activations).
//   - packed: the dot of a matrix llama.cpp repacks at load time (Q4_0 and
//     Q4_K with a multiple of eight rows), whose different summation order
//     MatMul reproduces; packedRows4, packedCols4 and packedCols8 are the
//     shapes above for such matrices.
//   - expand: converts weight rows to Q8_0 (Q5_0 today) so that a batch
//     runs on the faster Q8_0 kernels with the same integer products.
//   - tile16: 16 Q8_0 weight rows times a group of 16 activation rows
//     packed for a matrix unit (packTile16), one 16×16 block of outputs
//     per call (AMX); tile16Q40 and tile16K the same for repacked Q4_0
//     and Q4_K, their weights unpacked once per 16-row tile.
//   - rowsDot: rows a stride apart times one activation row, scaled
//     (attention over the fp16 KV cache).
//
// Names follow the table: <format>[Packed]<Shape> with a suffix for the
// code. AVX2 means the assembly of the avx2+fma set, VNNI the assembly of the
// avx512vnni set (EVEX, YMM registers), ZMM the kernels on ZMM registers
// of the avx512 set and ZMMVNNI their VNNI forms (the avx512vnni set's),
// AVXVNNI the assembly of the avxvnni set (VEX), AMX that of the amx set,
// NEON and SDOT the arm64
// assembly without and with dotprod (dotQ8_0SDOT; its entry
// dotQ8_0SDOTAsm), I8MM the arm64 assembly with SMMLA, and Asm (VNNIAsm,
// ZMMAsm, ZMMVNNIAsm, AVXVNNIAsm) the bounds-checked Go entry that the table holds and that calls it: dotQ8_0Rows4AVX2 is the
// AVX2 rows4 kernel of Q8_0, dotQ8_0Rows4Asm its entry, dotQ8_0Tile42VNNI
// the VNNI tile42 of Q8_0. The entries of the rows4, tile42 and cols8
// kernels are built from the assembly function by rows4Entry, tile42Entry
// and cols8Entry, one builder per shape whatever the instruction set.
package kernels
