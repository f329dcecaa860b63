package hugepage

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// vmFlags returns the VmFlags line of the mapping that holds addr, from
// /proc/self/smaps ("hg" marks MADV_HUGEPAGE).
func vmFlags(t *testing.T, addr uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && strings.Contains(line, " ") {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return line
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return ""
}

// Advise marks a buffer of at least Size as huge-page advised (the "hg"
// flag madvise sets, whether or not the kernel then finds huge pages), and
// leaves a smaller one, and an empty one, alone.
func TestAdvise(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		want bool
	}{
		{"one huge page", Size, true},
		{"four huge pages", 4 * Size, true},
		{"under one huge page", Size - 4096, false},
	} {
		mem, err := unix.Mmap(-1, 0, tc.size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			t.Fatal(err)
		}
		Advise(mem)
		got := strings.Contains(vmFlags(t, uintptr(unsafe.Pointer(&mem[0]))), " hg")
		if got != tc.want {
			t.Errorf("%s: advised %v, want %v", tc.name, got, tc.want)
		}
		_ = unix.Munmap(mem)
	}
	Advise([]float32(nil)) // nothing to advise: no panic
}
