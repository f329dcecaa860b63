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

// hasI8MM reports the int8 matrix multiply extension (SMMLA, FEAT_I8MM:
// Apple M2 and later, Graviton 3 and later, Cortex-A510/A710 and later) on
// top of dotprod, which every such CPU has and the i8mm set's other
// kernels need (x/sys/cpu reads it from HWCAP2).
var hasI8MM = hasDotProd && cpu.ARM64.HasI8MM

// armPair is one kernel in its two builds, without (neon) and with SDOT
// (sdot), for the kernel table entry t.
type armPair[F any] struct {
	t          tensor.Type
	neon, sdot F
}

// setPairs installs the SDOT or the NEON build of every pair in tab.
func setPairs[F any](tab *[maxType]F, pairs []armPair[F], sdot bool) {
	for _, p := range pairs {
		if sdot {
			tab[p.t] = p.sdot
		} else {
			tab[p.t] = p.neon
		}
	}
}

// The integer kernels, the entries in which the neon and neon+dotprod sets
// differ. Prompt batches (MatMul with four activation rows or more) of
// every format but F32 run on a batch kernel: Q8_0 on tile42 and rows4,
// Q5_0 expanded to Q8_0 (neonKernels' expand), Q4_0 and Q4_K on
// packedCols4 when repacked (and packedCols8 with i8mm, dotmm_arm64.go),
// the others and the Q4_0 and Q4_K matrices that are not repacked on
// cols4 (F16 and BF16: neonKernels). F32 batches, a batch's last one to
// three activation rows and decoding of the formats without rows4 (all
// but Q8_0, Q5_0 and repacked Q4_K) take the one-row kernels in dotPairs
// and packedPairs.
var (
	dotPairs = []armPair[dotFunc]{
		{tensor.Q8_0, dotQ8_0NEONAsm, dotQ8_0SDOTAsm},
		{tensor.Q4_0, dotQ4_0NEONAsm, dotQ4_0SDOTAsm},
		{tensor.Q5_0, dotQ5_0NEONAsm, dotQ5_0SDOTAsm},
		{tensor.Q4_1, dotQ4_1NEONAsm, dotQ4_1SDOTAsm},
		{tensor.Q5_1, dotQ5_1NEONAsm, dotQ5_1SDOTAsm},
		{tensor.Q4_K, dotQ4KNEONAsm, dotQ4KSDOTAsm},
		{tensor.Q5_K, dotQ5KNEONAsm, dotQ5KSDOTAsm},
		{tensor.Q6_K, dotQ6KNEONAsm, dotQ6KSDOTAsm},
	}
	packedPairs = []armPair[dotFunc]{
		{tensor.Q4_0, dotQ4_0PackedNEONAsm, dotQ4_0PackedSDOTAsm},
		{tensor.Q4_K, dotQ4KPackedNEONAsm, dotQ4KPackedSDOTAsm},
	}
	rows4Pairs = []armPair[rows4Func]{
		{tensor.Q8_0, dotQ8_0Rows4NEONAsm, dotQ8_0Rows4SDOTAsm},
		{tensor.Q5_0, dotQ5_0Rows4NEONAsm, dotQ5_0Rows4SDOTAsm},
	}
	// Decoding repacked Q4_K: four weight rows per activation load.
	packedRows4Pairs = []armPair[rows4Func]{
		{tensor.Q4_K, dotQ4KPackedRows4NEONAsm, dotQ4KPackedRows4SDOTAsm},
	}
	// Prompt batches: one weight row unpacked once for four activations
	// (Q4_0 and Q4_K: the matrices that are not repacked).
	cols4Pairs = []armPair[cols4Func]{
		{tensor.Q6_K, dotQ6KCols4NEONAsm, dotQ6KCols4SDOTAsm},
		{tensor.Q5_K, dotQ5KCols4NEONAsm, dotQ5KCols4SDOTAsm},
		{tensor.Q4_K, dotQ4KCols4NEONAsm, dotQ4KCols4SDOTAsm},
		{tensor.Q4_0, dotQ4_0Cols4NEONAsm, dotQ4_0Cols4SDOTAsm},
		{tensor.Q4_1, dotQ4_1Cols4NEONAsm, dotQ4_1Cols4SDOTAsm},
		{tensor.Q5_1, dotQ5_1Cols4NEONAsm, dotQ5_1Cols4SDOTAsm},
	}
	tile42Pairs = []armPair[tile42Func]{
		{tensor.Q8_0, dotQ8_0Tile42NEONAsm, dotQ8_0Tile42SDOTAsm},
	}
	packedCols4Pairs = []armPair[cols4Func]{
		{tensor.Q4_K, dotQ4KPackedCols4NEONAsm, dotQ4KPackedCols4SDOTAsm},
		{tensor.Q4_0, dotQ4_0PackedCols4NEONAsm, dotQ4_0PackedCols4SDOTAsm},
	}
)

// armIntKernels returns k with the NEON or the SDOT build of every integer
// kernel.
func armIntKernels(k kernelSet, sdot bool) kernelSet {
	setPairs(&k.dot, dotPairs, sdot)
	setPairs(&k.packed, packedPairs, sdot)
	setPairs(&k.rows4, rows4Pairs, sdot)
	setPairs(&k.packedRows4, packedRows4Pairs, sdot)
	setPairs(&k.cols4, cols4Pairs, sdot)
	setPairs(&k.tile42, tile42Pairs, sdot)
	setPairs(&k.packedCols4, packedCols4Pairs, sdot)
	return k
}

// neonKernels is the generic set with the NEON kernels in place of the
// generic ones where they exist (dot_arm64.go). Formats without a NEON
// kernel keep the generic Go code, which computes the same arithmetic.
var neonKernels = func() kernelSet {
	k := armIntKernels(genericKernels, false)
	k.name = "neon"
	k.dot[tensor.F32] = dotF32RowAsm
	k.dot[tensor.F16] = dotF16RowAsm
	k.dot[tensor.BF16] = dotBF16RowAsm
	k.cols4[tensor.F16] = dotF16Cols4Asm
	k.cols4[tensor.BF16] = dotBF16Cols4Asm
	k.scales4[tensor.Q8_0] = q8_0Scales4Go
	// Q5_0 prompt batches run on the Q8_0 kernels (expand.go).
	k.expand[tensor.Q5_0] = expandQ5_0
	k.rowsDotF16X32 = dotF16RowsX32Asm
	k.rowsDotF32 = dotF32RowsNEON
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
	k := armIntKernels(neonKernels, true)
	k.name = "neon+dotprod"
	return k
}()

// i8mmKernels is the dotprod set with the SMMLA prompt kernels (dotmm_arm64.go).
var i8mmKernels = func() kernelSet {
	k := dotProdKernels
	k.name = "neon+dotprod+i8mm"
	addI8MM(&k)
	return k
}()

// armSets are the kernel sets this CPU can run, as capKernels weighs them.
type armSets struct {
	neon, dotprod, i8mm bool
}

// thisCPU is what this CPU can run.
var thisCPU = armSets{neon: hasNEON, dotprod: hasDotProd, i8mm: hasI8MM}

// capNames are the PLUME_KERNELS values capKernels acts on, slowest first.
var capNames = []string{"generic", "neon", "dotprod", "neon+dotprod", "i8mm"}

// selectKernels picks the fastest kernel set this CPU supports, capped by
// PLUME_KERNELS (see capKernels).
func selectKernels() *kernelSet {
	return capKernels(os.Getenv(EnvKernels), thisCPU)
}

// capKernels returns the fastest set the CPU supports (i8mm, then dotprod,
// then neon; each needs the ones before it) that is no faster than the one
// named by limit: "generic", "neon", "dotprod" (or its set's name,
// "neon+dotprod") or "i8mm" ("" or an unknown name: no cap). A cap naming a
// set the CPU lacks only lowers the choice, never raises it, so the
// assembly never runs unguarded.
func capKernels(limit string, c armSets) *kernelSet {
	switch limit {
	case "generic":
		c = armSets{}
	case "neon":
		c.dotprod, c.i8mm = false, false
	case "dotprod", "neon+dotprod":
		c.i8mm = false
	}
	switch {
	case c.i8mm && c.dotprod && c.neon:
		return &i8mmKernels
	case c.dotprod && c.neon:
		return &dotProdKernels
	case c.neon:
		return &neonKernels
	}
	return &genericKernels
}
