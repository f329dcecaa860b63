//go:build amd64 && !purego

package kernels

import (
	"os"

	"github.com/plumewriter/plume/internal/tensor"
	"golang.org/x/sys/cpu"
)

// hasAVX2 reports the features the assembly in dot_amd64.s needs: AVX2 for
// the integer and float vectors, FMA for the fused multiply-adds, F16C for
// the fp16 block scales and F16 rows (every AVX2 CPU has F16C; it is
// checked anyway, since the assembly must never run unguarded).
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C

// hasAVX512VNNI reports what the VNNI kernels (dotvnni_amd64.s) need on
// top of AVX2: VPDPBUSD on YMM registers is AVX512_VNNI with AVX512VL, and
// x/sys/cpu reports AVX-512 only where the OS saves its state.
var hasAVX512VNNI = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI

// hasAVXVNNI reports AVX-VNNI (CPUID leaf 7 subleaf 1 EAX bit 4: the
// VEX-encoded VPDPBUSD/VPDPWSSD of Alder Lake and later client cores, and
// of Zen 5 and Sapphire Rapids beside AVX-512 VNNI) on top of AVX2;
// x/sys/cpu reports it only where the OS saves the YMM state.
var hasAVXVNNI = hasAVX2 && cpu.X86.HasAVXVNNI

// avx2Kernels is the generic set with the AVX2+FMA kernels in place of the
// generic ones where they exist. Formats without an assembly kernel keep
// the generic Go code, which computes the same arithmetic.
var avx2Kernels = func() kernelSet {
	k := genericKernels
	k.name = "avx2+fma"
	// one-row dots (dot_amd64.s, dot5_amd64.s), the repacked ones too
	k.dot[tensor.Q8_0] = dotQ8_0Asm
	k.dot[tensor.Q5_0] = dotQ5_0Asm
	k.dot[tensor.Q4_0] = dotQ4_0Asm
	k.dot[tensor.Q4_1] = dotQ4_1Asm
	k.dot[tensor.Q5_1] = dotQ5_1Asm
	k.dot[tensor.Q4_K] = dotQ4KAsm
	k.dot[tensor.Q5_K] = dotQ5KAsm
	k.dot[tensor.Q6_K] = dotQ6KAsm
	k.dot[tensor.F32] = dotF32RowAsm
	k.dot[tensor.F16] = dotF16RowAsm
	k.dot[tensor.BF16] = dotBF16RowAsm
	k.packed[tensor.Q4_0] = dotQ4_0PackedAsm
	k.packed[tensor.Q4_K] = dotQ4KPackedAsm
	// decoding: four weight rows at a time
	k.rows4[tensor.Q8_0] = dotQ8_0Rows4Asm
	k.rows4[tensor.Q5_0] = dotQ5_0Rows4Asm
	k.packedRows4[tensor.Q4_K] = dotQ4KPackedRows4Asm
	// and where the weights may be laid out for it, four interleaved rows
	// at a time: one memory stream (Interleave)
	k.quad[tensor.Q8_0] = dotQ8_0StreamsAsm
	k.packedQuad[tensor.Q4_K] = dotQ4KPackedQuadAsm
	// prompt batches
	k.tile42[tensor.Q8_0] = dotQ8_0Tile42Asm
	k.scales4[tensor.Q8_0] = q8_0Scales4Asm
	k.expand[tensor.Q5_0] = expandQ5_0Asm
	k.cols4[tensor.Q6_K] = dotQ6KCols4Asm
	k.packedCols4[tensor.Q4_K] = dotQ4KPackedCols4Asm
	k.packedCols8[tensor.Q4_K] = dotQ4KPackedCols8Asm
	// attention over the fp16 KV cache
	k.rowsDot[tensor.F16] = dotF16RowsAsm
	k.rowsDotF16X32 = dotF16RowsX32Asm
	k.roundF16 = roundF16Asm
	// and over the float32 one
	k.rowsDotF32 = dotF32RowsAsm
	k.rowsDotF32x2 = dotF32Rows2Asm
	k.rowsDotF32x3 = dotF32Rows3Asm
	// vector operations and activation quantizers
	k.dotF32 = dotF32Asm
	k.axpy = axpyAsm
	k.expGroups = softmaxGroups
	k.siluGroups = siluMulGroups
	k.maxGroups = maxGroups
	k.scaleGroups = scaleGroups
	k.ropePairs = ropePairs
	k.prefetch = prefetch
	k.quantQ8_0 = quantQ8_0Asm
	k.quantQ8_K = quantQ8_KAsm
	k.toF16 = f32ToF16Asm
	return k
}()

// avx512Kernels is the AVX2 set with the ZMM kernels (addZMM) in the
// forms without VNNI: for AVX-512 CPUs without VNNI (Skylake-SP/X). They
// are bit-identical to the YMM ones. On a Zen 5 running this set
// (PLUME_KERNELS=avx512, 3 alternating rounds) the ZMM prompt kernels
// took pp128 at 1 thread from 53.0 to 66.5 tok/s (1B Q8_0) and from 72.2
// to 88.6 (1B Q4_K_M).
var avx512Kernels = func() kernelSet {
	k := avx2Kernels
	k.name = "avx512+avx2+fma"
	addZMM(&k, false)
	return k
}()

// addZMM puts the ZMM kernels in k, their VNNI forms if vnni: the Q4_K
// and Q6_K decode kernels (dotzmm_amd64.go; the VNNI ones VPDPWSSD twins,
// dotzmmvnni_amd64.go), the generated Q8_0 decode and prompt kernels, the
// Q4_K cols8 and the Q6_K cols4 (dotzmm_amd64.s, dotzmmbw_amd64.s), and
// the F32 rows kernels for four to six activations (dotfzmm_amd64.go).
func addZMM(k *kernelSet, vnni bool) {
	// Row-major weights are decoded four rows at a time; matrices
	// interleaved by four rows on load (Interleave) by groups, one stream
	// for four rows. Q6_K's rows4 is for decoding only: batches take cols4.
	if vnni {
		k.packedRows4[tensor.Q4_K], k.rows4[tensor.Q6_K] = dotQ4KPackedRows4ZMMVNNIAsm, dotQ6KRows4ZMMVNNIAsm
		k.packedQuad[tensor.Q4_K], k.quad[tensor.Q6_K] = dotQ4KPackedStreamsZMMVNNIAsm, dotQ6KStreamsZMMVNNIAsm
		k.rows4[tensor.Q8_0], k.quad[tensor.Q8_0] = dotQ8_0Rows4ZMMVNNIAsm, dotQ8_0StreamsZMMVNNIAsm
		k.tile42[tensor.Q8_0] = dotQ8_0Tile42ZMMVNNIAsm
		k.packedCols8[tensor.Q4_K], k.cols4[tensor.Q6_K] = dotQ4KPackedCols8ZMMVNNIAsm, dotQ6KCols4ZMMVNNIAsm
	} else {
		k.packedRows4[tensor.Q4_K], k.rows4[tensor.Q6_K] = dotQ4KPackedRows4ZMMAsm, dotQ6KRows4ZMMAsm
		k.packedQuad[tensor.Q4_K], k.quad[tensor.Q6_K] = dotQ4KPackedStreamsZMMAsm, dotQ6KStreamsZMMAsm
		k.rows4[tensor.Q8_0], k.quad[tensor.Q8_0] = dotQ8_0Rows4ZMMAsm, dotQ8_0StreamsZMMAsm
		k.tile42[tensor.Q8_0] = dotQ8_0Tile42ZMMAsm
		k.packedCols8[tensor.Q4_K], k.cols4[tensor.Q6_K] = dotQ4KPackedCols8ZMMAsm, dotQ6KCols4ZMMAsm
	}
	k.f32Wide = true // attention: up to six query heads a pass
	// Q8_0 decodes row by row: one sequential stream per row reads memory
	// faster than the four-row kernels' four. On a Zen 5 (1 thread, plume
	// bench tg64 on the 1B Q8_0 model, 3 alternating pairs) 15.0 against
	// 12.6 tok/s; 256 MB of 2048-wide rows from DRAM, 23 against 19 GB/s.
	// The four-row kernels stay for prompt batches; the K-quants' four-row
	// decode kernels measured faster than their one-row ones (Q4_K_M 5-13%).
	// The avx512 set on the same Zen 5 (PLUME_KERNELS=avx512, tg128, 3
	// alternating pairs): 16.4 against 14.7 tok/s with the ZMM rows4.
	k.oneRowDecode[tensor.Q8_0] = true
}

// avx512VNNIKernels is the AVX2 set with the VNNI kernels in place of the
// AVX2 ones they share their arithmetic with (dotvnni_amd64.go), and where
// the CPU has AVX512BW the ZMM kernels in their VNNI forms (addZMM).
var avx512VNNIKernels = func() kernelSet {
	k := vnniKernels("avx512vnni+avx2+fma", dotQ8_0Rows4VNNIAsm, dotQ5_0Rows4VNNIAsm,
		dotQ8_0Tile42VNNIAsm, dotQ4KPackedCols8VNNIAsm, dotQ8_0StreamsVNNIAsm)
	if hasAVX512ZMM {
		addZMM(&k, true)
	}
	return k
}()

// avxVNNIKernels is the AVX2 set with the AVX-VNNI kernels in place of the
// same five (dotavxvnni_amd64.go): the VNNI kernels with the VEX encoding;
// and the Q4_K group kernel with VPDPWSSD (dotq4r4_amd64.s).
var avxVNNIKernels = func() kernelSet {
	k := vnniKernels("avxvnni+avx2+fma", dotQ8_0Rows4AVXVNNIAsm, dotQ5_0Rows4AVXVNNIAsm,
		dotQ8_0Tile42AVXVNNIAsm, dotQ4KPackedCols8AVXVNNIAsm, dotQ8_0StreamsAVXVNNIAsm)
	k.packedQuad[tensor.Q4_K] = dotQ4KPackedQuadAVXVNNIAsm
	return k
}()

// vnniKernels returns the AVX2 set, named name, with the five kernels that
// both VNNI encodings provide in place of the AVX2 ones: the Q8_0 and Q5_0
// rows4 kernels, the Q8_0 tile42, the packed Q4_K cols8 and the Q8_0
// group kernel.
func vnniKernels(name string, q8_0Rows4, q5_0Rows4 rows4Func, q8_0Tile42 tile42Func, q4KCols8 cols8Func, q8_0Quad quadFunc) kernelSet {
	k := avx2Kernels
	k.name = name
	k.rows4[tensor.Q8_0], k.rows4[tensor.Q5_0] = q8_0Rows4, q5_0Rows4
	k.quad[tensor.Q8_0] = q8_0Quad
	k.tile42[tensor.Q8_0] = q8_0Tile42
	k.packedCols8[tensor.Q4_K] = q4KCols8
	return k
}

// cpuSets are the kernel sets this CPU can run, as capKernels weighs them.
type cpuSets struct {
	avx2, avx512, avxVNNI, avx512VNNI, amx bool
}

// thisCPU is what this CPU can run (each set needs AVX2 as well, the AMX
// set the AVX-512 VNNI one).
var thisCPU = cpuSets{avx2: hasAVX2, avx512: hasAVX512, avxVNNI: hasAVXVNNI, avx512VNNI: hasAVX512VNNI, amx: hasAMX}

// capNames are the PLUME_KERNELS values capKernels acts on, slowest first.
var capNames = []string{"generic", "avx2", "avx512", "avxvnni", "avx512vnni", "amx"}

// selectKernels picks the fastest kernel set this CPU supports, capped by
// PLUME_KERNELS (see capKernels).
func selectKernels() *kernelSet {
	return capKernels(os.Getenv(EnvKernels), thisCPU)
}

// capKernels returns the fastest set the CPU supports (amx, then
// avx512vnni, then avxvnni, then avx512, then avx2) that is no faster than
// the one named by limit: "generic", "avx2", "avx512", "avxvnni",
// "avx512vnni" or "amx" ("" or an unknown name: no cap). "avx512vnni" is
// how an AMX CPU tests the VNNI batch kernels the AMX set takes over from.
// The two VNNI sets compute the same instructions in two encodings; the
// EVEX one ranks first, so "avxvnni" is how a CPU with both tests the VEX
// kernels natively, as "avx512" tests the ZMM kernels of CPUs without
// VNNI. A cap naming a set the CPU lacks only lowers the choice, never
// raises it, so the assembly never runs unguarded.
func capKernels(limit string, c cpuSets) *kernelSet {
	switch limit {
	case "generic":
		c = cpuSets{}
	case "avx2":
		c = cpuSets{avx2: c.avx2}
	case "avx512":
		c.avxVNNI, c.avx512VNNI, c.amx = false, false, false
	case "avxvnni":
		c.avx512, c.avx512VNNI, c.amx = false, false, false
	case "avx512vnni":
		c.amx = false
	}
	switch {
	case c.amx && c.avx512VNNI && c.avx2:
		return &amxKernels
	case c.avx512VNNI && c.avx2:
		return &avx512VNNIKernels
	case c.avxVNNI && c.avx2:
		return &avxVNNIKernels
	case c.avx512 && c.avx2:
		return &avx512Kernels
	case c.avx2:
		return &avx2Kernels
	}
	return &genericKernels
}
