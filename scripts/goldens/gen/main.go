// Command gen regenerates Plume's parity goldens from llama.cpp: for each
// model it runs llama-logits (flash attention off, F32 KV cache) on fixed
// prompt ids, greedily decodes, and records the greedy ids and the top
// log-probabilities (log-softmax of llama.cpp's raw logits, in float64) at
// every position. Synthetic models are first written by internal/testmodel
// from their seeds. Run it through regen.sh.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/testmodel"
)

// Golden generation settings.
const (
	topN       = 5  // alternatives kept per position
	realGen    = 80 // greedy tokens for the real models (tests need ≥ 64)
	synthGen   = 24 // greedy tokens for synthetic models
	synthPromt = 40 // random prompt tokens for synthetic models (teacher-forced rows)
)

// Golden is the committed file format (see internal/model/golden_test.go).
type Golden struct {
	Model     string  `json:"model"`
	SHA256    string  `json:"sha256"`
	Source    string  `json:"source"`
	PromptIDs []int32 `json:"prompt_ids"`
	GreedyIDs []int32 `json:"greedy_ids"`
	Rows      []Row   `json:"rows"`
	// RowsUBatch1 are the same positions evaluated one token per
	// micro-batch: llama.cpp's single-token (decode) arithmetic.
	RowsUBatch1 []Row `json:"rows_ubatch1"`
	// RowsUBatch1KVF16 is RowsUBatch1 with llama.cpp's default F16 KV cache.
	RowsUBatch1KVF16 []Row           `json:"rows_ubatch1_kvf16"`
	Synthetic        *testmodel.Spec `json:"synthetic,omitempty"`
}

// Row is the distribution after feeding Input at Pos.
type Row struct {
	Pos   int          `json:"pos"`
	Input int32        `json:"input"`
	Top   [][2]float64 `json:"top"` // [id, logprob]
}

type llamaOut struct {
	NVocab    int     `json:"n_vocab"`
	PromptIDs []int32 `json:"prompt_ids"`
	Rows      []struct {
		Pos   int   `json:"pos"`
		Input int32 `json:"input"`
	} `json:"rows"`
	GreedyIDs []int32 `json:"greedy_ids"`
}

func main() {
	bin := flag.String("llama-logits", "/tmp/plume-llamacpp/bin/llama-logits", "llama-logits binary")
	bin1 := flag.String("llama-logits-ub1", "/tmp/plume-llamacpp/bin/llama-logits-ub1", "llama-logits built with n_ubatch = 1")
	shared := flag.String("shared", "../shared", "the shared fixtures directory")
	out := flag.String("out", "internal/model/testdata/goldens", "output directory")
	work := flag.String("work", os.TempDir(), "scratch directory for synthetic models and logits")
	only := flag.String("only", "", "regenerate only goldens whose name contains this")
	flag.Parse()
	if err := run([2]string{*bin, *bin1}, *shared, *out, *work, *only); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(bins [2]string, shared, out, work, only string) error {
	type job struct {
		name, path string
		prompt     []int32
		n          int
		spec       *testmodel.Spec
	}
	fx := filepath.Join(shared, "fixtures")
	jobs := []job{
		{"stories260K", filepath.Join(fx, "stories260K.gguf"), []int32{1, 403, 407, 261, 378}, realGen, nil},
		{"TinyStories-656K-Q8_0", filepath.Join(fx, "TinyStories-656K-Q8_0.gguf"), []int32{1, 80, 147, 201, 282, 57}, realGen, nil},
	}
	for _, s := range testmodel.GoldenSpecs() {
		s := s
		path := filepath.Join(work, s.Name()+".gguf")
		if !strings.Contains(s.Name(), only) {
			continue
		}
		if err := testmodel.WriteFile(s, path); err != nil {
			return err
		}
		jobs = append(jobs, job{s.Name(), path, s.PromptIDs(synthPromt), synthGen, &s})
	}
	for _, j := range jobs {
		if !strings.Contains(j.name, only) {
			continue
		}
		g, err := golden(bins[0], work, j.path, j.prompt, j.n, "f32")
		if err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
		g1, err := golden(bins[1], work, j.path, j.prompt, j.n, "f32")
		if err != nil {
			return fmt.Errorf("%s (n_ubatch 1): %w", j.name, err)
		}
		g.RowsUBatch1 = g1.Rows
		g16, err := golden(bins[1], work, j.path, j.prompt, j.n, "f16")
		if err != nil {
			return fmt.Errorf("%s (n_ubatch 1, F16 KV): %w", j.name, err)
		}
		g.RowsUBatch1KVF16 = g16.Rows
		g.Model, g.Synthetic = filepath.Base(j.path), j.spec
		data, err := json.Marshal(g)
		if err != nil {
			return err
		}
		dst := filepath.Join(out, j.name+".json")
		if err := os.WriteFile(dst, append(data, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d rows, greedy %v…\n", dst, len(g.Rows), g.GreedyIDs[:min(8, len(g.GreedyIDs))])
	}
	return nil
}

func golden(bin, work, model string, prompt []int32, n int, kv string) (*Golden, error) {
	ids := make([]string, len(prompt))
	for i, id := range prompt {
		ids[i] = strconv.Itoa(int(id))
	}
	full := filepath.Join(work, "logits.f32")
	args := []string{"-m", model, "--ids", strings.Join(ids, ","), "-n", strconv.Itoa(n), "-k", "1",
		"--all", "--fa", "off", "--kv", kv, "-t", "1", "--full", full}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("llama-logits: %w", err)
	}
	var lo llamaOut
	if err := json.Unmarshal(stdout, &lo); err != nil {
		return nil, fmt.Errorf("llama-logits output: %w", err)
	}
	raw, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	if len(raw) != 4*lo.NVocab*len(lo.Rows) {
		return nil, fmt.Errorf("logits file has %d bytes, want %d rows × %d", len(raw), len(lo.Rows), lo.NVocab)
	}
	sum, err := hub.FileSHA256(model)
	if err != nil {
		return nil, err
	}
	g := &Golden{SHA256: sum, PromptIDs: lo.PromptIDs, GreedyIDs: lo.GreedyIDs,
		Source: "llama.cpp (node-llama-cpp 3.21.1 bundle) llama-logits --all --fa off --kv f32 -t 1 (rows_ubatch1: n_ubatch 1; rows_ubatch1_kvf16: also --kv f16)"}
	for r, row := range lo.Rows {
		lg := make([]float64, lo.NVocab)
		for i := range lg {
			lg[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*(r*lo.NVocab+i):])))
		}
		g.Rows = append(g.Rows, Row{Pos: row.Pos, Input: row.Input, Top: topLogprobs(lg, topN)})
	}
	return g, nil
}

// topLogprobs returns the k best [id, log-softmax] pairs, ties by lower id.
func topLogprobs(lg []float64, k int) [][2]float64 {
	m := math.Inf(-1)
	for _, v := range lg {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range lg {
		s += math.Exp(v - m)
	}
	lse := m + math.Log(s)
	idx := make([]int, len(lg))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return lg[idx[a]] > lg[idx[b]] })
	out := make([][2]float64, 0, k)
	for _, i := range idx[:min(k, len(idx))] {
		lp := math.Round((lg[i]-lse)*1e6) / 1e6
		out = append(out, [2]float64{float64(i), lp})
	}
	return out
}
