//go:build !purego

package kernels

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/plumewriter/plume/internal/hugepage"
	"github.com/plumewriter/plume/internal/tensor"
)

// BenchmarkQuadQ8_0 is Q8_0 decode's memory stream at one thread: the
// active set's group kernel on 256 MB of interleaved 2048-wide rows in
// huge pages (as a model's copy is), starting on a cache line (as the
// copies of plume run are) and 32 bytes past one (as a private copy of a
// file whose data section is 32 bytes off a line may be). Compare with
// scripts/bench/membw run just before or after: this VM's bandwidth
// varies by a third from minute to minute.
func BenchmarkQuadQ8_0(b *testing.B) { benchQuad(b, tensor.Q8_0) }

// BenchmarkQuadQ4_K is the same for repacked Q4_K (q4KForm), the bulk of
// a Q4_K_M model's decode; its sub-benchmark L2 is the kernel's
// arithmetic alone (512 KB of rows, read 200 times a pass).
func BenchmarkQuadQ4_K(b *testing.B) { benchQuad(b, tensor.Q4_K) }

// BenchmarkQuadQ6_K is the same for Q6_K (whole super-blocks interleaved).
func BenchmarkQuadQ6_K(b *testing.B) { benchQuad(b, tensor.Q6_K) }

func benchQuad(b *testing.B, typ tensor.Type) {
	quad := active.quad[typ]
	if p := active.packedQuad[typ]; p != nil {
		quad = p
	}
	if quad == nil {
		b.Skipf("%s has no %s group kernel", active.name, typ)
	}
	const cols, size = 2048, 256 << 20
	r := rand.New(rand.NewPCG(7, 8))
	g := interleave(randMatrix(b, r, typ, 4, cols))
	buf := make([]byte, size+4096)
	hugepage.Advise(buf)
	base := int((64 - uintptr(unsafe.Pointer(&buf[0]))%64) % 64) // the first cache line
	x := actRow(b, typ, randVec(r, cols))
	for _, c := range []struct {
		name      string
		at, bytes int
		reps      int
	}{{"aligned", base, size, 1}, {"offset32", base + 32, size, 1}, {"L2", base, 512 << 10, 200}} {
		w := buf[c.at : c.at+c.bytes/len(g.Data)*len(g.Data)]
		for i := 0; i < len(w); i += len(g.Data) {
			copy(w[i:], g.Data)
		}
		out := make([]float32, len(w)/len(g.Data)*interleaveRows)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(c.reps * len(w)))
			for b.Loop() {
				for range c.reps {
					quad(cols, w, x, out)
				}
			}
		})
	}
}
