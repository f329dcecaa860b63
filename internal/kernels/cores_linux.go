package kernels

import "os"

// physicalCores reads the core topology from /proc/cpuinfo.
func physicalCores() int {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	return countCores(f)
}
