//go:build !purego

package kernels

// prefetchAVX2 asks for every cache line of b (len(b) > 0) without waiting
// for them.
//
//go:noescape
func prefetchAVX2(b []byte)

// prefetch is kernelSet.prefetch.
func prefetch(b []byte) {
	if len(b) > 0 {
		prefetchAVX2(b)
	}
}
