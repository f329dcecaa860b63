//go:build !amd64 || purego

package kernels

import "github.com/plumewriter/plume/internal/tensor"

// quadKernel is a group kernel with the generic dot it must equal.
type quadKernel struct {
	name string
	typ  tensor.Type
	quad quadFunc
	ref  dotFunc
}

// otherQuads is empty: this build has no group kernels outside its sets.
func otherQuads() []quadKernel { return nil }
