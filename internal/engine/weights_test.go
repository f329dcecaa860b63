//go:build unix

package engine

import (
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/plumewriter/plume/internal/hugepage"
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

// TestLoadPrivateWeights loads one model mapped and with PrivateWeights:
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
	mapped := loadModel(t, path, Options{Memory: mem})
	private := loadModel(t, path, Options{Memory: mem, PrivateWeights: true})
	if want := mem.Available - uint64(st.Size()); private.mem.Available != want || mapped.mem.Available != mem.Available {
		t.Errorf("available memory seen: private %d (want %d), mapped %d (want %d)",
			private.mem.Available, want, mapped.mem.Available, mem.Available)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if m, err := loadContext(cancelled, path, Options{Memory: mem, PrivateWeights: true}); !errors.Is(err, context.Canceled) {
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
