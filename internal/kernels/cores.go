package kernels

import (
	"bufio"
	"io"
	"runtime"
	"strings"
)

// PhysicalCores returns the number of physical CPU cores (hyper-threads of
// one core counted once), the default thread count of a Pool for inference:
// two threads on one core share its vector units and gain nothing on these
// kernels. Where the topology is unknown it returns runtime.NumCPU().
func PhysicalCores() int {
	if n := physicalCores(); n > 0 {
		return min(n, runtime.NumCPU())
	}
	return runtime.NumCPU()
}

// countCores counts the distinct (physical id, core id) pairs of a Linux
// /proc/cpuinfo; 0 when the file lacks them.
func countCores(r io.Reader) int {
	type core struct{ pkg, id string }
	seen := map[core]bool{}
	var cur core
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "physical id":
			cur.pkg = strings.TrimSpace(v)
		case "core id":
			cur.id = strings.TrimSpace(v)
			seen[cur] = true
		}
	}
	return len(seen)
}
