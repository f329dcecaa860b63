//go:build !linux

package kernels

// physicalCores is unknown here; PhysicalCores falls back to NumCPU.
func physicalCores() int { return 0 }
