package kernels

import (
	"runtime"
	"strings"
	"testing"
)

func TestCountCores(t *testing.T) {
	for _, tc := range []struct {
		name, cpuinfo string
		want          int
	}{
		{"empty", "", 0},
		{"no topology", "processor\t: 0\nflags\t: avx2\n", 0},
		{"two cores, four threads", "processor: 0\nphysical id: 0\ncore id: 0\n\nprocessor: 1\nphysical id: 0\ncore id: 1\n\n" +
			"processor: 2\nphysical id: 0\ncore id: 0\n\nprocessor: 3\nphysical id: 0\ncore id: 1\n", 2},
		{"two sockets", "physical id: 0\ncore id: 0\nphysical id: 1\ncore id: 0\n", 2},
	} {
		if got := countCores(strings.NewReader(tc.cpuinfo)); got != tc.want {
			t.Errorf("%s: countCores = %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := PhysicalCores(); n < 1 || n > runtime.NumCPU() {
		t.Errorf("PhysicalCores() = %d, want 1..%d", n, runtime.NumCPU())
	}
}
