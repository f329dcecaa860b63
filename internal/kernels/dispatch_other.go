//go:build (!amd64 && !arm64) || purego

package kernels

// selectKernels returns the portable Go kernels (no assembly on this
// platform, or the purego build tag is set); PLUME_KERNELS has nothing to
// cap here.
func selectKernels() *kernelSet { return &genericKernels }
