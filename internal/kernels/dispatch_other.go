//go:build (!amd64 && !arm64) || purego

package kernels

// selectKernels returns the portable Go kernels (no assembly on this
// platform, or the purego build tag is set); PLUME_KERNELS has nothing to
// cap here.
func selectKernels() *kernelSet { return &genericKernels }

// capNames are the PLUME_KERNELS values this build acts on: none but the
// generic set's own name.
var capNames = []string{"generic"}
