//go:build !amd64 || purego

package kernels

// deinterleaveGroup writes the interleaved group src (form f) to dst as
// four row-major rows of wrow bytes.
func deinterleaveGroup(dst, src []byte, wrow int, f groupForm) {
	f.move(src, dst, wrow, 0, interleaveRows, true)
}

// interleaveGroup writes the four row-major rows src (wrow bytes each) to
// dst as one interleaved group in form f.
func interleaveGroup(dst, src []byte, wrow int, f groupForm) {
	f.move(dst, src, wrow, 0, interleaveRows, false)
}
