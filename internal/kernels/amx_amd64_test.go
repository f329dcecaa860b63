//go:build amd64 && !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
)

// requireAMX skips t where the AMX kernel cannot run, saying where it is
// tested instead.
func requireAMX(t *testing.T) {
	t.Helper()
	if !hasAMX {
		t.Skip("no AMX here (amx_int8 missing from /proc/cpuinfo, or Linux refused the tile permission): " +
			"the AMX kernel runs natively on Sapphire Rapids and later, and on an emulated one in scripts/avx512/run.sh")
	}
}

// TestAMXConfig checks the tile configuration's bytes against the layout
// of Intel's SDM (LDTILECFG): palette 1, each tile's bytes per row at
// 16+2t (little-endian) and rows at 48+t, reserved bytes zero.
func TestAMXConfig(t *testing.T) {
	cfg := amxTileConfig
	want := [64]byte{0: 1}
	for tile, shape := range [][2]int{{16, 64}, {16, 4}, {1, 64}, {16, 64}, {16, 4}, {1, 64}} {
		want[16+2*tile] = byte(shape[1])
		want[48+tile] = byte(shape[0])
	}
	if cfg != want {
		t.Fatalf("amxTileConfig = % x\nwant            % x", cfg, want)
	}
}

// TestAMXTile16MatchesDot checks the AMX tile against the generic dot, bit
// for bit (tile16Case), with every int8 quant value, odd and even block
// counts (the kernel takes blocks in pairs) and partial groups.
func TestAMXTile16MatchesDot(t *testing.T) {
	requireAMX(t)
	r := rand.New(rand.NewPCG(7, 16))
	for _, nb := range []int{1, 2, 3, 8, 64, 129} {
		for _, acts := range []int{1, 9, 16, 33} {
			tile16Case(t, dotQ8_0Tile16AMX, r, nb, acts)
		}
	}
}

// TestAMXTile16Concurrent runs the AMX tile on several goroutines at once,
// beside a goroutine forcing garbage collections (stop-the-world signals),
// and checks every result bit for bit: the tiles live inside one assembly
// call, which the OS may interrupt but Go does not preempt.
func TestAMXTile16Concurrent(t *testing.T) {
	requireAMX(t)
	r := rand.New(rand.NewPCG(8, 16))
	const nb, acts, workers, rounds = 24, 16, 4, 40
	n, rb := 32*nb, nb*q8_0Bytes
	w := rawQ8_0Rows(r, tile16, nb, rb)
	x := rawQ8_0Rows(r, acts, nb, rb)
	var xt tile16Acts
	packTile16(&xt, x, rb, acts, nb)
	q, xs, rows := xt.group(0)
	ws := make([]float32, tile16*nb)
	tile16Scales(w, rb, nb, ws)
	want := make([]float32, acts*tile16)
	tile16Go(n, w, rb, ws, q, xs, rows, want, tile16, &tile16Scratch{})
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	defer close(stop)
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &tile16Scratch{}
			got := make([]float32, acts*tile16)
			for range rounds {
				dotQ8_0Tile16AMX(n, w, rb, ws, q, xs, rows, got, tile16, s)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						errs <- "a concurrent AMX tile differs"
						return
					}
				}
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// TestAMXMatMul checks MatMul with the AMX set against the AVX-512 VNNI
// set it extends, bit for bit, on Q8_0 and Q5_0 (expanded) matrices of a
// model's shapes, over the pool.
func TestAMXMatMul(t *testing.T) {
	requireAMX(t)
	old := active
	t.Cleanup(func() { active = old })
	p := NewPool(2)
	defer p.Close()
	r := rand.New(rand.NewPCG(9, 16))
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q5_0, tensor.Q4_0, tensor.Q4_K} {
		for _, c := range []struct{ rows, cols, n int }{{256, 512, 8}, {96, 2048, 37}, {520, 256, 64}} {
			var w []byte
			for range c.rows {
				w = append(w, quantRow(t, typ, randVec(r, c.cols))...)
			}
			m := Matrix{Type: typ, Rows: c.rows, Cols: c.cols, Data: w}
			x := randVec(r, c.n*c.cols)
			want, got := make([]float32, c.n*c.rows), make([]float32, c.n*c.rows)
			active = &avx512VNNIKernels
			if err := MatMul(p, m, x, c.n, want); err != nil {
				t.Fatal(err)
			}
			active = &amxKernels
			if err := MatMul(p, m, x, c.n, got); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v %+v: output %d = %.9g, want %.9g", typ, c, i, got[i], want[i])
				}
			}
		}
	}
}

// TestAMXQ4KConfig checks the repacked Q4_K tile's configuration: tmm0
// 16 rows of 64 bytes, tmm1 16 rows of 32, tmm2 8 rows of 64.
func TestAMXQ4KConfig(t *testing.T) {
	want := [64]byte{0: 1}
	for tile, shape := range [][2]int{{16, 64}, {16, 32}, {8, 64}} {
		want[16+2*tile] = byte(shape[1])
		want[48+tile] = byte(shape[0])
	}
	if amxQ4KTileConfig != want {
		t.Fatalf("amxQ4KTileConfig = % x\nwant               % x", amxQ4KTileConfig, want)
	}
}

// TestAMXTile16KMatchesGo checks the repacked Q4_K AMX tile against the
// Go tile (itself checked against dotQ4KQ8KPacked everywhere), bit for
// bit: 1 to 3 super-blocks, whole and partial groups, any scale, min and
// nibble, and 4 goroutines at once beside forced GCs (tile state across
// preemption and context switches).
func TestAMXTile16KMatchesGo(t *testing.T) {
	requireAMX(t)
	r := rand.New(rand.NewPCG(45, 46))
	type tc struct {
		wt   *tile16KWeights
		xk   *tile16KActs
		want [][]float32
	}
	var cases []tc
	for _, c := range []struct{ nb, n int }{{1, 16}, {2, 9}, {3, 40}} {
		_, _, _, wt, xk := tile16KCase(t, r, c.nb, c.n)
		k := tc{wt: wt, xk: xk}
		var s tile16KScratch
		for g := range xk.groups() {
			q, d, bs, rows := xk.group(g)
			out := make([]float32, tile16*tile16)
			tile16KGo(wt, q, d, bs, rows, out, tile16, &s)
			k.want = append(k.want, out)
		}
		cases = append(cases, k)
	}
	check := func(k tc) string {
		var s tile16KScratch
		for g := range k.xk.groups() {
			q, d, bs, rows := k.xk.group(g)
			out := make([]float32, tile16*tile16)
			dotQ4KTile16AMX(k.wt, q, d, bs, rows, out, tile16, &s)
			for i := range out {
				if math.Float32bits(out[i]) != math.Float32bits(k.want[g][i]) {
					return fmt.Sprintf("nb=%d group %d output %d: %.9g, Go tile %.9g", k.wt.nb, g, i, out[i], k.want[g][i])
				}
			}
		}
		return ""
	}
	for _, k := range cases {
		if msg := check(k); msg != "" {
			t.Fatal(msg)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				if msg := check(cases[i%len(cases)]); msg != "" {
					errs <- msg
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
}

// TestAMXTile16Q40MatchesGo checks the repacked Q4_0 AMX tile against the
// Go tile (itself checked against dotQ4_0Q8_0Packed everywhere), bit for
// bit: 1 to 8 blocks, whole and partial groups, every nibble and int8.
func TestAMXTile16Q40MatchesGo(t *testing.T) {
	requireAMX(t)
	r := rand.New(rand.NewPCG(51, 52))
	for _, c := range []struct{ nb, n int }{{1, 16}, {3, 9}, {8, 40}} {
		_, _, _, wt, xt := tile16Q40Case(t, r, c.nb, c.n)
		var s tile16KScratch
		for g := range xt.groups() {
			q, xs, rows := xt.group(g)
			want, got := make([]float32, tile16*tile16), make([]float32, tile16*tile16)
			tile16Q40Go(wt, q, xs, rows, want, tile16, &s)
			dotQ4_0Tile16AMX(wt, q, xs, rows, got, tile16, &s)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%+v group %d output %d: %.9g, Go tile %.9g", c, g, i, got[i], want[i])
				}
			}
		}
	}
}
