//go:build !amd64 || purego

package kernels

// deinterleaveGroup writes the interleaved group src to dst as four
// row-major rows (wrow bytes each, blocks of bb bytes).
func deinterleaveGroup(dst, src []byte, wrow, bb int) { gatherGo(dst, src, wrow, bb) }
