package kernels

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// Golden data written by llama.cpp's own ggml CPU library (haswell variant),
// see internal/tensor/testdata/llamacpp/gen.c.
const goldenDir = "../tensor/testdata/llamacpp"

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	return b
}

func goldenName(typ tensor.Type) string {
	s := []byte(typ.String())
	for i, c := range s {
		if c >= 'A' && c <= 'Z' && !(i > 0 && s[i-1] == '_') {
			s[i] = c + 'a' - 'A'
		}
	}
	return string(s)
}

func TestGoldenVecDot(t *testing.T) {
	xb := readGolden(t, "x.f32")
	x := make([]float32, len(xb)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(xb[4*i:]))
	}
	n := len(x)
	sc := bufio.NewScanner(strings.NewReader(string(readGolden(t, "dots.txt"))))
	checked := 0
	for sc.Scan() {
		name, hex, _ := strings.Cut(sc.Text(), " ")
		want, err := strconv.ParseFloat(hex, 32)
		if err != nil {
			t.Fatalf("dots.txt: %v", err)
		}
		typ, err := tensor.ParseType(name)
		if err != nil {
			t.Fatal(err)
		}
		w := readGolden(t, "w_"+name+".bin")
		xq := readGolden(t, "x_"+goldenName(VecDotType(typ))+".bin")
		// Our activation quantizer produces llama.cpp's bytes exactly.
		mine := actRow(t, typ, x)
		if !bytes.Equal(mine, xq) {
			t.Errorf("%s: QuantizeRow(%s) differs from llama.cpp's from_float", typ, VecDotType(typ))
		}
		// VecDot reproduces llama.cpp's AVX2 arithmetic bit for bit.
		got := VecDot(typ, n, w, xq)
		if math.Float32bits(got) != math.Float32bits(float32(want)) {
			t.Errorf("%s: VecDot = %.9g, llama.cpp %.9g", typ, got, want)
		}
		checked++
	}
	if checked != 12 {
		t.Fatalf("checked %d formats, want 12", checked)
	}
}
