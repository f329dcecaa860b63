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
func BenchmarkQuadQ8_0(b *testing.B) {
	quad := active.quad[tensor.Q8_0]
	if quad == nil {
		b.Skipf("%s has no Q8_0 group kernel", active.name)
	}
	const cols, size = 2048, 256 << 20
	r := rand.New(rand.NewPCG(7, 8))
	g := interleave(randMatrix(b, r, tensor.Q8_0, 4, cols))
	buf := make([]byte, size+4096)
	hugepage.Advise(buf)
	base := int((64 - uintptr(unsafe.Pointer(&buf[0]))%64) % 64) // the first cache line
	x := actRow(b, tensor.Q8_0, randVec(r, cols))
	for _, off := range []struct {
		name string
		at   int
	}{{"aligned", base}, {"offset32", base + 32}} {
		w := buf[off.at : off.at+size/len(g.Data)*len(g.Data)]
		for i := 0; i < len(w); i += len(g.Data) {
			copy(w[i:], g.Data)
		}
		out := make([]float32, len(w)/len(g.Data)*interleaveRows)
		b.Run(off.name, func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				quad(cols, w, x, out)
			}
		})
	}
}
