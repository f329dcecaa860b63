//go:build !purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// otherQuads are the group kernels of sets this CPU does not pick but can
// run: the AVX-512 F/BW ones of the avx512 set (Skylake-SP), which the
// avx512vnni set replaces with its VNNI twins, and the YMM Q8_0 kernel of
// the avx512vnni set, which its ZMM one replaces wherever both run, and
// the AVX2 and AVX-VNNI sets' Q4_K kernels, which the ZMM ones replace.
func otherQuads() []quadKernel {
	var ks []quadKernel
	if hasAVX2 {
		ks = append(ks, quadKernel{"avx2 packed", tensor.Q4_K, dotQ4KPackedQuadAsm, dotQ4KQ8KPacked})
	}
	if hasAVXVNNI {
		ks = append(ks, quadKernel{"avxvnni packed", tensor.Q4_K, dotQ4KPackedQuadAVXVNNIAsm, dotQ4KQ8KPacked})
	}
	if hasAVX512 {
		ks = append(ks,
			quadKernel{"avx512 packed", tensor.Q4_K, dotQ4KPackedStreamsZMMAsm, dotQ4KQ8KPacked},
			quadKernel{"avx512", tensor.Q6_K, dotQ6KStreamsZMMAsm, dotQ6KQ8K},
			quadKernel{"avx512", tensor.Q8_0, dotQ8_0StreamsZMMAsm, dotQ8_0Q8_0})
	}
	if hasAVX512VNNI {
		ks = append(ks, quadKernel{"avx512vnni ymm", tensor.Q8_0, dotQ8_0StreamsVNNIAsm, dotQ8_0Q8_0})
	}
	return ks
}
