package kernels

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// libmLiveStep is the bit stride of gen.c's float32 sweep when the test runs
// it: about 450,000 arguments, a fraction of a second in C and in Go.
const libmLiveStep = 997

// TestLibm compares sinf, cosf and powf with glibc's own results, bit for
// bit: always with testdata/libm/libm.txt (gen.c's output on glibc 2.36,
// x86-64 with FMA and AVX2), and, where a C compiler and glibc are present
// on a CPU with FMA and AVX2 (where glibc selects its FMA build, the one
// these ports follow), with the output of gen.c compiled and run now.
func TestLibm(t *testing.T) {
	t.Run("committed", func(t *testing.T) {
		f, err := os.Open(filepath.Join("testdata", "libm", "libm.txt"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		checkLibm(t, f, 9000)
	})
	t.Run("cc", func(t *testing.T) {
		out := runLibmGen(t)
		checkLibm(t, bytes.NewReader(out), 400000)
	})
}

// runLibmGen compiles gen.c and returns its output, or skips the test
// where that cannot give glibc's FMA results.
func runLibmGen(t *testing.T) []byte {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" || !cpu.X86.HasFMA || !cpu.X86.HasAVX2 {
		t.Skipf("glibc's FMA libm needs linux/amd64 with FMA and AVX2 (%s/%s); the committed values were checked", runtime.GOOS, runtime.GOARCH)
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) on PATH; the committed values were checked")
	}
	bin := filepath.Join(t.TempDir(), "gen")
	src, err := filepath.Abs(filepath.Join("testdata", "libm", "gen.c"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(cc, "-O2", "-o", bin, src, "-lm").CombinedOutput(); err != nil {
		t.Fatalf("cc gen.c: %v\n%s", err, b)
	}
	out, err := exec.Command(bin, strconv.Itoa(libmLiveStep)).Output()
	if err != nil {
		t.Fatalf("gen: %v", err)
	}
	if !bytes.HasPrefix(out, []byte("libc glibc ")) {
		line, _, _ := bytes.Cut(out, []byte("\n"))
		t.Skipf("the C library is not glibc (%q); the committed values were checked", line)
	}
	return out
}

// checkLibm reads gen.c's lines from r and checks each against the Go
// ports; it fails when fewer than minLines values were read.
func checkLibm(t *testing.T, r io.Reader, minLines int) {
	t.Helper()
	sc := bufio.NewScanner(r)
	n, bad := 0, 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] == "libc" {
			continue
		}
		if len(f) != 4 {
			t.Fatalf("line %q: want 4 fields", sc.Text())
		}
		x, a, b := libmHex(t, f[1]), libmHex(t, f[2]), libmHex(t, f[3])
		var msg string
		switch f[0] {
		case "pow":
			if got := powf(x, a); math.Float32bits(got) != math.Float32bits(b) {
				msg = fmt.Sprintf("powf(%g, %g) = %.9g, glibc %.9g", x, a, got, b)
			}
		case "sc":
			if s, c := sinf(x), cosf(x); math.Float32bits(s) != math.Float32bits(a) || math.Float32bits(c) != math.Float32bits(b) {
				msg = fmt.Sprintf("x=%g: sinf %.9g cosf %.9g, glibc %.9g %.9g", x, s, c, a, b)
			}
		default:
			t.Fatalf("line %q: unknown kind", sc.Text())
		}
		n++
		if msg != "" {
			if bad++; bad <= 5 {
				t.Error(msg)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < minLines {
		t.Fatalf("only %d values, want at least %d", n, minLines)
	}
	if bad > 0 {
		t.Errorf("%d of %d values differ from glibc", bad, n)
	}
}

func libmHex(t *testing.T, s string) float32 {
	t.Helper()
	u, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		t.Fatalf("hex float bits %q: %v", s, err)
	}
	return math.Float32frombits(uint32(u))
}
