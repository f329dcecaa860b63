//go:build !amd64 || purego

package kernels

// otherQuads is empty: this build has no group kernels outside its sets.
func otherQuads() []quadKernel { return nil }
