// Package bwprobe runs membw.c (scripts/bench/membw), the memory read
// bandwidth probe the benchmark scripts (scripts/bench,
// scripts/weights-bench) compare decode speeds with.
package bwprobe

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
)

var bwLine = regexp.MustCompile(`bandwidth ([0-9.]+) GB/s`)

// Read runs the membw binary bin at threads threads and returns the
// read bandwidth it reports (GB/s).
func Read(bin string, threads int) (float64, error) {
	out, err := exec.Command(bin, strconv.Itoa(threads)).Output()
	if err != nil {
		return 0, fmt.Errorf("membw: %w", err)
	}
	m := bwLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("membw: unexpected output %q", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
