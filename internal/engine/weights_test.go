//go:build unix

package engine

import (
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/hugepage"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

func TestPrivateWeightsDecision(t *testing.T) {
	const gib = 1 << 30
	mem := Memory{Total: 16 * gib, Available: 10 * gib}
	for _, tc := range []struct {
		name     string
		mem      Memory
		size     int64
		huge     bool
		mapAsked bool
		want     bool
	}{
		{"fits in half the available memory", mem, 4 * gib, true, false, true},
		{"exactly half", mem, 5 * gib, true, false, true},
		{"more than half: mapped", mem, 5*gib + 1, true, false, false},
		{"no huge pages: mapped", mem, 4 * gib, false, false, false},
		{"PLUME_MMAP set: mapped", mem, 4 * gib, true, true, false},
		{"memory unknown: mapped", Memory{}, 4 * gib, true, false, false},
		{"under one huge page: mapped", mem, privateWeightsMin - 1, true, false, false},
		{"one huge page", mem, privateWeightsMin, true, false, true},
	} {
		if got := privateWeights(tc.mem, tc.size, tc.huge, tc.mapAsked); got != tc.want {
			t.Errorf("%s: privateWeights = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestLoadPrivateWeights loads one model mapped and with WeightsPrivate:
// the same logits bit for bit, the memory the KV cache can have reduced by
// the copy, and a private model unaffected by the file being truncated
// under it, where the mapped one reports ErrModelChanged
// (TestTruncatedModelDuringRun).
func TestLoadPrivateWeights(t *testing.T) {
	if !hugepage.Enabled() {
		t.Skip("this system gives no transparent huge pages (/sys/kernel/mm/transparent_hugepage/enabled): the weights are always mapped")
	}
	t.Setenv(mapEnv, "")
	path := synthPath(t, testmodel.Base("llama", tensor.Q8_0))
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < privateWeightsMin {
		t.Fatalf("the test model has %d bytes, under privateWeightsMin: it would be mapped", st.Size())
	}
	mem := Memory{Total: 8 << 30, Available: 4 << 30}
	mapped := loadModel(t, path, Options{Memory: mem, Weights: WeightsMapped})
	private := loadModel(t, path, Options{Memory: mem, Weights: WeightsPrivate})
	if want := mem.Available - uint64(st.Size()); private.mem.Available != want || mapped.mem.Available != mem.Available {
		t.Errorf("available memory seen: private %d (want %d), mapped %d (want %d)",
			private.mem.Available, want, mapped.mem.Available, mem.Available)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if m, err := loadContext(cancelled, path, Options{Memory: mem, Weights: WeightsPrivate}); !errors.Is(err, context.Canceled) {
		t.Errorf("load with a cancelled context: %v, %v; want context.Canceled (the copy stops)", m, err)
	}
	prompt := []int32{1, 2, 3, 4, 5}
	want := evalLogits(t, mapped, prompt)
	if err := os.Truncate(path, 4096); err != nil { // the copy no longer needs the file
		t.Fatal(err)
	}
	got := evalLogits(t, private, prompt)
	if !slices.EqualFunc(got, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
		t.Fatal("private weights give other logits than mapped ones")
	}
}

// TestLoadHybridWeights loads a Q4_K model mapped and hybrid (the
// default): where the kernels decode Q4_K interleaved, hybrid copies its
// Q4_K matrices (a Q6_K model's where they decode Q6_K so) (the memory the KV cache can have reduced by them), and
// the logits are the mapped model's bit for bit; without huge pages, with
// PLUME_MMAP, or without the memory for the copy, it maps.
func TestLoadHybridWeights(t *testing.T) {
	if !hugepage.Enabled() {
		t.Skip("this system gives no transparent huge pages (/sys/kernel/mm/transparent_hugepage/enabled): the weights are always mapped")
	}
	t.Setenv(mapEnv, "")
	mem := Memory{Total: 8 << 30, Available: 4 << 30}
	// Q6_K is copied where the kernels interleave it (the ZMM sets).
	q6 := synthPath(t, testmodel.Base("llama", tensor.Q6_K))
	f, layout, err := OpenWeights(context.Background(), q6, mem, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := kernels.Interleaves(tensor.Q6_K); (layout == WeightsHybrid) != want || (f.CopiedBytes() > 0) != want {
		t.Errorf("Q6_K model, kernels %s: layout %s, %d bytes copied", kernels.Path(), layout, f.CopiedBytes())
	}
	f.Close()
	path := synthPath(t, testmodel.Base("llama", tensor.Q4_K))
	f, layout, err = OpenWeights(context.Background(), path, mem, "")
	if err != nil {
		t.Fatal(err)
	}
	copied := f.CopiedBytes()
	f.Close()
	if !kernels.Interleaves(tensor.Q4_K) {
		if layout != WeightsMapped || copied != 0 {
			t.Errorf("kernels %s decode Q4_K row-major: layout %s, %d bytes copied; want mapped", kernels.Path(), layout, copied)
		}
		return
	}
	if layout != WeightsHybrid || copied == 0 {
		t.Fatalf("layout %s, %d bytes copied; want hybrid", layout, copied)
	}
	mapped := loadModel(t, path, Options{Memory: mem, Weights: WeightsMapped})
	hybrid := loadModel(t, path, Options{Memory: mem})
	if want := mem.Available - uint64(copied); hybrid.mem.Available != want || mapped.mem.Available != mem.Available {
		t.Errorf("available memory seen: hybrid %d (want %d), mapped %d", hybrid.mem.Available, want, mapped.mem.Available)
	}
	prompt := []int32{1, 2, 3, 4, 5}
	want, got := evalLogits(t, mapped, prompt), evalLogits(t, hybrid, prompt)
	if !slices.EqualFunc(got, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
		t.Fatal("hybrid weights give other logits than mapped ones")
	}
	for _, c := range []struct {
		name string
		mem  Memory
		env  string
	}{
		{"no memory for the copy", Memory{Total: 8 << 30, Available: uint64(copied)}, ""},
		{"PLUME_MMAP", mem, "1"},
	} {
		t.Setenv(mapEnv, c.env)
		f, layout, err := OpenWeights(context.Background(), path, c.mem, WeightsHybrid)
		if err != nil {
			t.Fatal(err)
		}
		if layout != WeightsMapped || f.CopiedBytes() != 0 {
			t.Errorf("%s: layout %s, %d bytes copied; want mapped", c.name, layout, f.CopiedBytes())
		}
		f.Close()
	}
}

// TestLoadHybridBackground loads a Q8_0 model with tied embeddings (as
// Llama 3.2 1B) mapped and hybrid: where the kernels decode Q8_0
// interleaved, hybrid leaves its matrices mapped at load and copies them
// in the background (the memory the KV cache can have reduced by them, as
// for a copy at load), interleaved, the embeddings and output head
// included; the logits are the mapped model's bit for bit while it copies
// and after; Close ends a copy under way.
func TestLoadHybridBackground(t *testing.T) {
	if !hugepage.Enabled() {
		t.Skip("this system gives no transparent huge pages (/sys/kernel/mm/transparent_hugepage/enabled): the weights are always mapped")
	}
	t.Setenv(mapEnv, "")
	mem := Memory{Total: 8 << 30, Available: 4 << 30}
	spec := testmodel.Base("llama", tensor.Q8_0)
	// Tied, and large enough (about 40 MB) that evaluations overlap the
	// copy.
	spec.Tied, spec.Embd, spec.FFN, spec.Heads, spec.HeadsKV, spec.HeadDim = true, 1024, 4096, 8, 4, 128
	path := synthPath(t, spec)
	if !kernels.Interleaves(tensor.Q8_0) {
		f, layout, err := OpenWeights(context.Background(), path, mem, "")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if layout != WeightsMapped || f.CopiedBytes() != 0 {
			t.Errorf("kernels %s decode Q8_0 row-major: layout %s, %d bytes copied; want mapped", kernels.Path(), layout, f.CopiedBytes())
		}
		return
	}
	mapped := loadModel(t, path, Options{Memory: mem, Weights: WeightsMapped})
	hybrid := loadModel(t, path, Options{Memory: mem})
	if n := hybrid.file.CopiedBytes(); n == 0 || hybrid.mem.Available != mem.Available-uint64(n) {
		t.Fatalf("%d bytes to copy, available memory seen %d", n, hybrid.mem.Available)
	}
	// A prompt (a batch: the copy pauses, and gives way) then decoded
	// tokens (one row: they read the mapping meanwhile).
	prompt, steps := []int32{1, 2, 3, 4, 5}, []int32{6, 7, 8}
	want := evalSteps(t, mapped, prompt, steps)
	equal := func(got []float32) bool {
		return slices.EqualFunc(got, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
	}
	copied := make(chan error)
	go func() { _, err := hybrid.file.WaitCopied(context.Background()); copied <- err }()
	for evals := 0; ; evals++ { // as the copy goes on
		if !equal(evalSteps(t, hybrid, prompt, steps)) {
			t.Fatalf("hybrid weights give other logits than mapped ones while they are copied (eval %d)", evals)
		}
		select {
		case err := <-copied:
			if err != nil {
				t.Fatal(err)
			}
		default:
			continue
		}
		t.Logf("%d evaluations while the copy went on", evals+1)
		break
	}
	w, head := hybrid.model.Weights, "output.weight"
	if _, own := hybrid.file.Tensor(head); !own {
		head = "token_embd.weight"
	}
	for name, m := range map[string]kernels.Matrix{"blk.0.attn_q.weight": w.Layers[0].Wq, head: w.Output} {
		inFile, _ := hybrid.file.TensorData(name)
		if cur := m.Current(); cur.Layout != kernels.Interleaved4 || &cur.Data[0] == &inFile[0] {
			t.Errorf("%s after the copy: layout %d, the mapping's bytes %v", name, cur.Layout, &cur.Data[0] == &inFile[0])
		}
	}
	if !equal(evalSteps(t, hybrid, prompt, steps)) {
		t.Fatal("hybrid weights give other logits than mapped ones after the copy")
	}
	again := loadModel(t, path, Options{Memory: mem})
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := again.file.WaitCopied(context.Background()); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("copy ended by Close: %v", err)
	}
}

// evalSteps evaluates prompt in a new session of m, then each of steps
// alone, and returns the logits of each evaluation, one after the other.
func evalSteps(t *testing.T, m *Model, prompt, steps []int32) []float32 {
	t.Helper()
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out []float32
	for i, ids := 0, prompt; ; i++ {
		logits, err := s.Eval(context.Background(), ids)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, logits...)
		if i == len(steps) {
			return out
		}
		ids = steps[i : i+1]
	}
}

func evalLogits(t *testing.T, m *Model, ids []int32) []float32 {
	t.Helper()
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	logits, err := s.Eval(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(logits)
}

// Hybrid weights copy a model's small tensors (norm weights, and the small
// embeddings of the test model) with its matrices, so that no read at a
// token keeps a page (a large folio) of the file resident; a model none
// of whose matrices is copied stays all mapped, its vectors too.
func TestHybridCopiesSmallTensors(t *testing.T) {
	for _, typ := range []tensor.Type{tensor.Q4_K, tensor.Q4_0} {
		f, err := gguf.Open(synthPath(t, testmodel.Base("llama", typ)))
		if err != nil {
			t.Fatal(err)
		}
		copies := kernels.Interleaves(typ)
		vectors := 0
		for _, ti := range f.Tensors {
			got := hybridCopies(f, ti)
			want := map[bool]gguf.When{true: gguf.AtOpen, false: gguf.Mapped}[copies] // a small tensor
			if len(ti.Dims) == 2 {
				if m := matrixCopy(f, ti); m != gguf.Mapped || ti.Size > smallCopied {
					want = m // a copied matrix as before, a large one left mapped
				}
			} else {
				vectors++
			}
			if got != want {
				t.Errorf("%s model, kernels %s: %s (%d bytes): %v, want %v", typ, kernels.Path(), ti.Name, ti.Size, got, want)
			}
		}
		if vectors == 0 {
			t.Fatalf("%s model: no vector to check", typ)
		}
		f.Close()
	}
}
