package model

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestSinCosfGlibc compares sinf/cosf and the theta scale with glibc's
// output on RoPE arguments (testdata/libm/gen.c), bit for bit.
func TestSinCosfGlibc(t *testing.T) {
	f, err := os.Open("testdata/libm/sincosf.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hex := func(s string) float32 {
		u, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		return math.Float32frombits(uint32(u))
	}
	sc := bufio.NewScanner(f)
	n, bad, pow := 0, 0, 0
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if fs[0] == "pow" {
			d, _ := strconv.Atoi(fs[2])
			if got, want := ropeThetaScale(hex(fs[1]), d), hex(fs[3]); got != want {
				t.Errorf("theta scale base %v dims %d: %v, glibc %v", hex(fs[1]), d, got, want)
			}
			pow++
			continue
		}
		x, s, c := hex(fs[0]), hex(fs[1]), hex(fs[2])
		n++
		if sinf(x) != s || cosf(x) != c {
			if bad++; bad < 5 {
				t.Errorf("x=%v: sinf %v cosf %v, glibc %v %v", x, sinf(x), cosf(x), s, c)
			}
		}
	}
	if n < 1000 || pow == 0 {
		t.Fatalf("only %d values", n)
	}
	if bad > 0 {
		t.Errorf("%d/%d values differ from glibc", bad, n)
	}
}
