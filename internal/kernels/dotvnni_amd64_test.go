//go:build !purego

package kernels

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// vnniEncoding is one encoding of the VNNI kernels: AVX-512 VNNI (EVEX,
// dotvnni_amd64.s) or AVX-VNNI (VEX, dotavxvnni_amd64.s). Both must give
// the AVX2 kernels' bits; a CPU with both (Zen 4 with AVX-VNNI, Sapphire
// Rapids) tests both natively.
type vnniEncoding struct {
	name             string
	has              bool
	rows4Q8, rows4Q5 rows4Func
	tile42           tile42Func
	cols8            cols8Func
}

var vnniEncodings = []vnniEncoding{
	{"avx512vnni", hasAVX512VNNI, dotQ8_0Rows4VNNIAsm, dotQ5_0Rows4VNNIAsm, dotQ8_0Tile42VNNIAsm, dotQ4KPackedCols8VNNIAsm},
	// The ZMM Q8_0 kernels are the AVX-512 VNNI set's where the CPU has
	// AVX512BW (dispatch_amd64.go), with the same bits to give.
	{"avx512vnni-zmm", hasAVX512ZMM, dotQ8_0Rows4ZMMVNNIAsm, dotQ5_0Rows4VNNIAsm, dotQ8_0Tile42ZMMVNNIAsm, dotQ4KPackedCols8ZMMVNNIAsm},
	// Their forms without VNNI (VPMADDUBSW and VPMADDWD) are the avx512
	// set's (Skylake-SP), with the same bits to give; Q5_0 has none.
	{"avx512-zmm", hasAVX512, dotQ8_0Rows4ZMMAsm, nil, dotQ8_0Tile42ZMMAsm, dotQ4KPackedCols8ZMMAsm},
	{"avxvnni", hasAVXVNNI, dotQ8_0Rows4AVXVNNIAsm, dotQ5_0Rows4AVXVNNIAsm, dotQ8_0Tile42AVXVNNIAsm, dotQ4KPackedCols8AVXVNNIAsm},
}

// forVNNI runs f as a subtest for each VNNI encoding, skipping those this
// CPU lacks (scripts/avx512/run.sh runs the AVX-512 ones in an emulated Ice
// Lake, which has no AVX-VNNI).
func forVNNI(t *testing.T, f func(t *testing.T, e vnniEncoding)) {
	for _, e := range vnniEncodings {
		t.Run(e.name, func(t *testing.T) {
			if !e.has {
				t.Skipf("no %s on this CPU", e.name)
			}
			f(t, e)
		})
	}
}

// TestVNNISelected checks the dispatch: the VNNI set where the CPU has it,
// named so in Path (plume --version, plume bench).
func TestVNNISelected(t *testing.T) {
	limit := os.Getenv(EnvKernels)
	capped := limit == "avx2" || limit == "generic" || limit == "avx512"
	want := hasAVX512VNNI && !capped && limit != "avxvnni"
	if got := strings.Contains(Path(), "avx512vnni"); got != want {
		t.Fatalf("Path() = %q with AVX-512 VNNI %v (%s=%q)", Path(), hasAVX512VNNI, EnvKernels, limit)
	}
	wantVEX := hasAVXVNNI && !capped && (!hasAVX512VNNI || limit == "avxvnni")
	if got := strings.HasPrefix(Path(), "avxvnni"); got != wantVEX {
		t.Fatalf("Path() = %q with AVX-VNNI %v, AVX-512 VNNI %v (%s=%q)", Path(), hasAVXVNNI, hasAVX512VNNI, EnvKernels, limit)
	}
}

// randBytes is n random bytes: every int8 value, -128 included, which
// quantizers never write but a hostile file may hold.
func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// setHalves writes a random finite fp16 scale at the start of each block.
func setHalves(r *rand.Rand, b []byte, blockBytes int) {
	for o := 0; o+blockBytes <= len(b); o += blockBytes {
		h := uint16(r.IntN(0x7800)) | uint16(r.IntN(2))<<15 // below Inf/NaN
		b[o], b[o+1] = byte(h), byte(h>>8)
	}
}

// TestVNNIRows4MatchesAVX2 checks the four-row VNNI kernels against the AVX2
// ones bit for bit on arbitrary bytes (the int32 lanes must be the same for
// every input, see mulSum), and against the generic one-row kernels on
// quantized rows.
func TestVNNIRows4MatchesAVX2(t *testing.T) { forVNNI(t, testVNNIRows4) }

func testVNNIRows4(t *testing.T, e vnniEncoding) {
	r := rand.New(rand.NewPCG(7, 1))
	for _, c := range []struct {
		typ        tensor.Type
		vnni, avx2 rows4Func
		one        dotFunc
		wBlock     int
	}{
		{tensor.Q8_0, e.rows4Q8, dotQ8_0Rows4Asm, dotQ8_0Q8_0, q8_0Bytes},
		{tensor.Q5_0, e.rows4Q5, dotQ5_0Rows4Asm, dotQ5_0Q8_0, q5_0Bytes},
	} {
		if c.vnni == nil {
			continue // no such kernel in this encoding
		}
		for _, nb := range []int{0, 1, 2, 3, 7, 8, 17, 33} {
			n := 32 * nb
			rb := nb*c.wBlock + r.IntN(5)
			for _, hostile := range []bool{false, true} {
				var w, x []byte
				if hostile {
					w, x = randBytes(r, 4*rb), randBytes(r, nb*q8_0Bytes)
					for i := range 4 {
						setHalves(r, w[i*rb:i*rb+nb*c.wBlock], c.wBlock)
					}
					setHalves(r, x, q8_0Bytes)
				} else {
					w = make([]byte, 4*rb)
					for i := range 4 {
						copy(w[i*rb:], quantRow(t, c.typ, randVec(r, n)))
					}
					x = actRow(t, c.typ, randVec(r, n))
				}
				w, x = placed(w, 1), placed(x, 3)
				var got, want [4]float32
				c.vnni(n, w, rb, x, &got)
				c.avx2(n, w, rb, x, &want)
				for i := range 4 {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Errorf("%s nb=%d hostile=%v row %d: VNNI %.9g, AVX2 %.9g", c.typ, nb, hostile, i, got[i], want[i])
					}
					if ref := c.one(n, w[i*rb:], x); !hostile && math.Float32bits(got[i]) != math.Float32bits(ref) {
						t.Errorf("%s nb=%d row %d: VNNI %.9g, generic %.9g", c.typ, nb, i, got[i], ref)
					}
				}
			}
		}
	}
}

// TestVNNITile42MatchesAVX2 checks the VNNI 4×2 tile against the AVX2 tile
// bit for bit on arbitrary bytes and against the generic kernel on
// quantized rows, and that it writes only its outputs.
func TestVNNITile42MatchesAVX2(t *testing.T) { forVNNI(t, testVNNITile42) }

func testVNNITile42(t *testing.T, e vnniEncoding) {
	withTileScales(t)
	r := rand.New(rand.NewPCG(7, 2))
	const guard = -7.25
	for _, c := range []struct{ nb, pairs int }{{0, 1}, {1, 1}, {2, 3}, {5, 1}, {18, 4}, {3, 7}} {
		for _, hostile := range []bool{false, true} {
			nb, pairs := c.nb, c.pairs
			n, acts := 32*nb, 2*pairs
			rb, xb := nb*q8_0Bytes+r.IntN(3), nb*q8_0Bytes+r.IntN(3)
			w, x := randBytes(r, 4*rb), randBytes(r, acts*xb)
			for i := range 4 {
				if hostile {
					setHalves(r, w[i*rb:i*rb+nb*q8_0Bytes], q8_0Bytes)
				} else {
					copy(w[i*rb:], quantRow(t, tensor.Q8_0, randVec(r, n)))
				}
			}
			for i := range acts {
				if hostile {
					setHalves(r, x[i*xb:i*xb+nb*q8_0Bytes], q8_0Bytes)
				} else {
					copy(x[i*xb:], actRow(t, tensor.Q8_0, randVec(r, n)))
				}
			}
			w, x = placed(w, 1), placed(x, 2)
			ws := make([]float32, 4*nb)
			q8_0Scales4Asm(n, w, rb, ws)
			xs := tileActScales(nil, tensor.Q8_0, x, xb, acts, n)
			ostride := 4 + r.IntN(3)
			got := fill(make([]float32, acts*ostride+2), guard)
			want := fill(make([]float32, acts*ostride+2), guard)
			e.tile42(n, w, rb, ws, x, xb, xs, pairs, got, ostride)
			dotQ8_0Tile42Asm(n, w, rb, ws, x, xb, xs, pairs, want, ostride)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Errorf("nb=%d pairs=%d hostile=%v cell %d: VNNI %.9g, AVX2 %.9g", nb, pairs, hostile, i, got[i], want[i])
				}
			}
			if hostile {
				continue
			}
			for i := range acts {
				for k := range 4 {
					if ref := dotQ8_0Q8_0(n, w[k*rb:], x[i*xb:]); math.Float32bits(got[i*ostride+k]) != math.Float32bits(ref) {
						t.Errorf("nb=%d pairs=%d row %d act %d: VNNI %.9g, generic %.9g", nb, pairs, k, i, got[i*ostride+k], ref)
					}
				}
			}
		}
	}
}

// TestVNNIQ4KCols8MatchesAVX2 checks the VNNI eight-activation Q4_K kernel
// against the AVX2 one bit for bit on arbitrary bytes (scales, mins, quants
// and bsums included) and against the generic packed kernel on quantized
// rows.
func TestVNNIQ4KCols8MatchesAVX2(t *testing.T) { forVNNI(t, testVNNIQ4KCols8) }

func testVNNIQ4KCols8(t *testing.T, e vnniEncoding) {
	r := rand.New(rand.NewPCG(7, 3))
	const guard = -3.5
	for _, c := range []struct{ nb, rows int }{{0, 1}, {1, 1}, {2, 3}, {5, 1}, {8, 2}, {3, 16}} {
		for _, hostile := range []bool{false, true} {
			n, rb := 256*c.nb, c.nb*q4KBytes
			xb := c.nb*q8KBytes + r.IntN(5)
			w, x := randBytes(r, c.rows*rb), randBytes(r, 8*xb)
			for i := range c.rows {
				if hostile {
					fixScales(tensor.Q4_K, w[i*rb:(i+1)*rb]) // finite d and dmin
				} else {
					copy(w[i*rb:], quantRow(t, tensor.Q4_K, randVec(r, n)))
				}
			}
			for i := range 8 {
				if hostile {
					for o := i * xb; o+q8KBytes <= i*xb+c.nb*q8KBytes; o += q8KBytes {
						binary.LittleEndian.PutUint32(x[o:], math.Float32bits(r.Float32()*2-1))
					}
				} else {
					copy(x[i*xb:], actRow(t, tensor.Q4_K, randVec(r, n)))
				}
			}
			w, x = placed(w, 3), placed(x, 1)
			ostride := c.rows + r.IntN(4)
			got := fill(make([]float32, 8*ostride+1), guard)
			want := fill(make([]float32, 8*ostride+1), guard)
			// The scratch with guard bytes past the most any entry asks
			// for (c8PreBytes+c8PairBytes a super-block, the ZMM kernel's):
			// the assembly must stay within what the Go side sizes.
			room := c.nb * (c8PreBytes + c8PairBytes)
			buf := bytes.Repeat([]byte{0x5a}, room+64)
			scratch := buf[:0]
			e.cols8(n, w, c.rows, x, xb, got, ostride, &scratch)
			if !bytes.Equal(buf[room:], bytes.Repeat([]byte{0x5a}, 64)) {
				t.Errorf("nb=%d: the kernel wrote past its scratch", c.nb)
			}
			dotQ4KPackedCols8Asm(n, w, c.rows, x, xb, want, ostride, &scratch)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Errorf("nb=%d rows=%d hostile=%v cell %d: VNNI %.9g, AVX2 %.9g", c.nb, c.rows, hostile, i, got[i], want[i])
				}
			}
			if hostile {
				continue
			}
			for a := range 8 {
				for k := range c.rows {
					if ref := dotQ4KQ8KPacked(n, w[k*rb:], x[a*xb:]); math.Float32bits(got[a*ostride+k]) != math.Float32bits(ref) {
						t.Errorf("nb=%d rows=%d row %d act %d: VNNI %.9g, generic %.9g", c.nb, c.rows, k, a, got[a*ostride+k], ref)
					}
				}
			}
		}
	}
}

// TestVNNIDecodesQ8_0RowByRow checks the AVX-512 VNNI set's decode rule:
// one activation row of a Q8_0 matrix takes the one-row dot (no four-row
// kernel), batches keep the four-row kernel, and MatMul's decode equals
// the generic dot bit for bit, rows past a multiple of four included.
func TestVNNIDecodesQ8_0RowByRow(t *testing.T) {
	if !hasAVX512VNNI {
		t.Skip("no AVX-512 VNNI here: the set is tested on an emulated CPU by scripts/avx512/run.sh")
	}
	old := active
	active = &avx512VNNIKernels
	t.Cleanup(func() { active = old })
	r := rand.New(rand.NewPCG(11, 1))
	const rows, cols = 13, 256
	var data []byte
	for range rows {
		data = append(data, quantRow(t, tensor.Q8_0, randVec(r, cols))...)
	}
	w := Matrix{Type: tensor.Q8_0, Rows: rows, Cols: cols, Data: data}
	if rows4Kernel(w, 1) != nil {
		t.Fatal("decoding a Q8_0 matrix takes a four-row kernel")
	}
	if rows4Kernel(w, 2) == nil {
		t.Fatal("a Q8_0 batch lost its four-row kernel")
	}
	x := randVec(r, cols)
	out := make([]float32, rows)
	if err := MatMul(nil, w, x, 1, out); err != nil {
		t.Fatal(err)
	}
	xq := actRow(t, tensor.Q8_0, x)
	rb := w.RowBytes()
	for i := range rows {
		if want := dotQ8_0Q8_0(cols, data[i*rb:(i+1)*rb], xq); math.Float32bits(out[i]) != math.Float32bits(want) {
			t.Fatalf("row %d: %.9g, want %.9g", i, out[i], want)
		}
	}
}
