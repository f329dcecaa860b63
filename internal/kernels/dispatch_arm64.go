//go:build arm64 && !purego

package kernels

import (
	"os"

	"github.com/plumewriter/plume/internal/tensor"
	"golang.org/x/sys/cpu"
)

// hasNEON reports Advanced SIMD (ASIMD), which every arm64 CPU Go runs on
// has; it is checked anyway, since the assembly must never run unguarded.
// FP (scalar float, FCVT from fp16) comes with it.
var hasNEON = cpu.ARM64.HasASIMD && cpu.ARM64.HasFP

// hasDotProd reports the ASIMD dot product extension (SDOT, Armv8.2
// FEAT_DotProd: Apple M1 and later, Graviton 2 and later, Ampere Altra,
// Cortex-A76 and later as in the Raspberry Pi 5).
var hasDotProd = hasNEON && cpu.ARM64.HasASIMDDP

// neonKernels is the generic set with the NEON kernels in place of the
// generic ones where they exist (dot_arm64.go). Formats without a NEON
// kernel keep the generic Go code, which computes the same arithmetic.
var neonKernels = func() kernelSet {
	k := genericKernels
	k.name = "neon"
	k.dot[tensor.Q8_0] = dotQ8_0NEONAsm
	k.dot[tensor.Q4_K] = dotQ4KNEONAsm
	k.packed[tensor.Q4_K] = dotQ4KPackedNEONAsm
	k.dot[tensor.Q4_0] = dotQ4_0NEONAsm
	k.packed[tensor.Q4_0] = dotQ4_0PackedNEONAsm
	k.dot[tensor.Q5_0] = dotQ5_0NEONAsm
	k.dot[tensor.Q4_1] = dotQ4_1NEONAsm
	k.dot[tensor.Q5_1] = dotQ5_1NEONAsm
	k.rows4[tensor.Q8_0] = dotQ8_0Rows4NEONAsm
	k.rows4[tensor.Q5_0] = dotQ5_0Rows4NEONAsm
	k.dot[tensor.Q6_K] = dotQ6KNEONAsm
	k.dot[tensor.Q5_K] = dotQ5KNEONAsm
	k.dot[tensor.F32] = dotF32RowAsm
	k.dot[tensor.F16] = dotF16RowAsm
	k.dot[tensor.BF16] = dotBF16RowAsm
	k.rowsDotF16X32 = dotF16RowsX32Asm
	k.quantQ8_0 = quantQ8_0Asm
	k.quantQ8_K = quantQ8_KAsm
	k.toF16 = f32ToF16Asm
	k.roundF16 = roundF16Asm
	k.ropePairs = ropePairsAsm
	k.scaleGroups = scaleGroupsNEON
	k.maxGroups = maxGroupsNEON
	k.expGroups = expGroupsNEON
	k.siluGroups = siluGroupsAsm
	k.dotF32 = dotF32Asm
	k.axpy = axpyAsm
	return k
}()

// dotProdKernels is the NEON set with the SDOT kernels in place of the
// NEON ones they share their arithmetic with.
var dotProdKernels = func() kernelSet {
	k := neonKernels
	k.name = "neon+dotprod"
	k.dot[tensor.Q8_0] = dotQ8_0SDOTAsm
	k.dot[tensor.Q4_K] = dotQ4KSDOTAsm
	k.packed[tensor.Q4_K] = dotQ4KPackedSDOTAsm
	k.dot[tensor.Q4_0] = dotQ4_0SDOTAsm
	k.packed[tensor.Q4_0] = dotQ4_0PackedSDOTAsm
	k.dot[tensor.Q5_0] = dotQ5_0SDOTAsm
	k.dot[tensor.Q4_1] = dotQ4_1SDOTAsm
	k.dot[tensor.Q5_1] = dotQ5_1SDOTAsm
	k.rows4[tensor.Q8_0] = dotQ8_0Rows4SDOTAsm
	k.rows4[tensor.Q5_0] = dotQ5_0Rows4SDOTAsm
	k.dot[tensor.Q6_K] = dotQ6KSDOTAsm
	k.dot[tensor.Q5_K] = dotQ5KSDOTAsm
	return k
}()

// selectKernels picks the fastest kernel set this CPU supports, capped by
// PLUME_KERNELS (see capKernels).
func selectKernels() *kernelSet {
	return capKernels(os.Getenv(EnvKernels), hasDotProd, hasNEON)
}

// capKernels returns the fastest set the CPU supports (dotprod, neon) that
// is no faster than the one named by limit: "generic", "neon" or
// "neon+dotprod" ("" or an unknown name: no cap). A cap naming a set the
// CPU lacks only lowers the choice, never raises it, so the assembly never
// runs unguarded.
func capKernels(limit string, dotprod, neon bool) *kernelSet {
	switch limit {
	case "generic":
		dotprod, neon = false, false
	case "neon":
		dotprod = false
	}
	switch {
	case dotprod && neon:
		return &dotProdKernels
	case neon:
		return &neonKernels
	}
	return &genericKernels
}
