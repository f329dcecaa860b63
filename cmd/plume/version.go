package main

import (
	"runtime"

	"github.com/plumewriter/plume/internal/kernels"
)

// versionString is what plume --version prints: the release, the Go
// toolchain, the platform and the kernel path chosen for this CPU.
func versionString() string {
	return version + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH +
		", kernels " + kernels.Path() + ")"
}
