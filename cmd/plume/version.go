package main

import "runtime"

// versionString is what plume --version prints: the release, the Go
// toolchain and the platform. Kernel dispatch adds the chosen SIMD path.
func versionString() string {
	return version + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}
