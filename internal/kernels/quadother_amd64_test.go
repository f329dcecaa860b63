//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// otherQuads are the group kernels of sets this CPU does not pick but can
// run: the AVX-512 F/BW ones of the avx512 set (Skylake-SP), which the
// avx512vnni set replaces with its VNNI twins.
func otherQuads() []quadKernel {
	if !hasAVX512 {
		return nil
	}
	return []quadKernel{
		{"avx512 packed", tensor.Q4_K, dotQ4KPackedQuadZMMAsm, dotQ4KQ8KPacked},
		{"avx512", tensor.Q6_K, dotQ6KQuadZMMAsm, dotQ6KQ8K},
		{"avx512", tensor.Q8_0, dotQ8_0QuadZMMAsm, dotQ8_0Q8_0},
	}
}
