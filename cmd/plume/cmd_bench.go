package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/model"
	"github.com/plumewriter/plume/internal/tensor"
)

// Defaults of plume bench: llama-bench's pp512/tg128 are too slow on a
// 2-core machine, so the defaults are the sizes the project's targets use.
const (
	defaultBenchPrompt = 128
	defaultBenchGen    = 64
	defaultBenchReps   = 5
	// benchSeed fixes the random prompt tokens, so runs are comparable.
	benchSeed = 0x62656e6368
	// maxBenchTokens bounds -p and -n (and so the KV cache allocated).
	maxBenchTokens = 1 << 16
	// maxBenchReps bounds -r.
	maxBenchReps = 1000
)

// benchOptions are the parsed flags of plume bench.
type benchOptions struct {
	Model   string // reference as given
	path    string // the resolved local file
	Prompt  int
	Gen     int
	Depth   int // tokens in the KV cache before each test (llama-bench -d)
	Threads []int
	Reps    int
	JSON    bool
	Profile string // CPU profile output (pprof), for finding the hot spots
	KV      string // KV cache type: "f16" (llama-bench's default) or "f32"
	kvType  tensor.Type
	// Weights is where the weights live (engine.OpenWeights): "hybrid",
	// the file mapped with its Q4_K and Q6_K matrices copied into
	// huge-page memory at load and its Q8_0 ones in the background (as
	// plume run has them), "mapped" (nothing copied, as with
	// PLUME_MMAP), or "private" huge-page memory (as plume serve and plume
	// write have them), each where the memory allows.
	Weights string
	// NoWarmup counts the cold first run as a measured one, as llama-bench's
	// --no-warmup does: a one-run process then measures start-to-first-token.
	NoWarmup bool
}

// benchResult is one test (pp or tg at one thread count), llama-bench style.
type benchResult struct {
	Model       string    `json:"model"`
	ModelBytes  int64     `json:"model_size"`
	WeightBytes int64     `json:"weight_bytes_per_token"` // matrix bytes read per decoded token
	Kernels     string    `json:"kernels"`
	KVType      string    `json:"type_k"`  // KV cache element type, as llama-bench names it
	Weights     string    `json:"weights"` // "hybrid", "mapped" or "private": where the weights were (engine.OpenWeights)
	Threads     int       `json:"n_threads"`
	Test        string    `json:"test"` // "pp128", "tg64"
	NPrompt     int       `json:"n_prompt"`
	NGen        int       `json:"n_gen"`
	NDepth      int       `json:"n_depth"`
	AvgTS       float64   `json:"avg_ts"`
	StddevTS    float64   `json:"stddev_ts"`
	SamplesTS   []float64 `json:"samples_ts"`
	LoadMillis  float64   `json:"load_ms"`
	TTFTMillis  float64   `json:"ttft_ms"` // load + prompt evaluation, first (cold) run
	// CopyMillis is when the background copy of the weights ended
	// (engine.WeightsHybrid's Q8_0 matrices), counted from the start of
	// the load; 0 without one. The timed runs start after it.
	CopyMillis   float64 `json:"copy_ms,omitempty"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	KVBytes      int64   `json:"kv_bytes"`              // KV cache size (the RSS budget is model + KV + 64 MiB)
	DecodeGBps   float64 `json:"decode_gbps,omitempty"` // tg only: avg_ts × weight bytes
}

func newBenchCmd() *cobra.Command {
	var o benchOptions
	var threads string
	cmd := &cobra.Command{
		Use:   "bench MODEL [-p 128] [-n 64] [-t 1,2] [-r 5] [--json]",
		Short: "Measure prompt processing and generation speed, like llama-bench",
		Long: `Measure the local engine's speed on a GGUF model, the way llama.cpp's llama-bench does:
pp<P> evaluates a P-token prompt as one batch, tg<N> generates N tokens one at a time
(without sampling), both from an empty cache with random token ids, or with -d D after D
cached tokens (named "pp<P> @ d<D>", as llama-bench -d does; the D tokens are evaluated
once, untimed, and kept). The KV cache is F16
as in llama-bench unless --kv f32 is given. Each test runs once
to warm up (unless --no-warmup), then -r times; speeds are reported as mean ± standard deviation in tokens/s.
Also reported: load time, time to first token (load + prompt, first run) and peak RSS.
-t takes a comma-separated list of thread counts (default: physical cores).
MODEL (or --model) is a local .gguf path or a hub reference, as for plume run; the
memory a test needs (weights + KV cache of -d + -p + -n positions) is checked before it runs.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := modelArg(args, &o.Model); err != nil {
				return err
			}
			if err := o.parse(threads); err != nil {
				return usageError{err}
			}
			loc, err := resolveModel(cmd.Context(), o.Model, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			o.path = loc.Path
			// The memory check of the engine, with the KV type and size
			// the tests allocate.
			if err := engine.Check(o.path, engine.Options{KVType: o.kvType, ContextLength: o.Depth + o.Prompt + o.Gen + 1}); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			stop, err := startCPUProfile(o.Profile)
			if err != nil {
				return err
			}
			defer stop()
			results, err := runBench(cmd.Context(), o, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if o.JSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(results)
			}
			return writeBenchMarkdown(cmd.OutOrStdout(), results)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Model, "model", "", "model: local .gguf path or hub reference (or give it as the argument)")
	f.IntVarP(&o.Prompt, "n-prompt", "p", defaultBenchPrompt, "prompt tokens of the pp test (0 skips it)")
	f.IntVarP(&o.Gen, "n-gen", "n", defaultBenchGen, "generated tokens of the tg test (0 skips it)")
	f.IntVarP(&o.Depth, "n-depth", "d", 0, "tokens in the KV cache before each test (attention at a long context)")
	f.StringVarP(&threads, "threads", "t", strconv.Itoa(kernels.PhysicalCores()), "comma-separated thread counts")
	f.IntVarP(&o.Reps, "repetitions", "r", defaultBenchReps, "measured runs per test")
	f.BoolVar(&o.JSON, "json", false, "print JSON instead of a Markdown table")
	f.StringVar(&o.KV, "kv", "f16", "KV cache type: f16 (llama-bench's default) or f32")
	f.StringVar(&o.Weights, "weights", string(engine.WeightsHybrid), "where the weights live, where the memory allows: hybrid (the file mapped, "+
		"its Q4_K and Q6_K matrices copied into huge-page memory at load and its Q8_0 ones in the background, as plume run; "+
		"the timed runs wait for that copy), mapped (nothing copied) or private (all in huge-page memory, as plume serve and write)")
	f.StringVar(&o.Profile, "cpuprofile", "", "write a CPU profile (go tool pprof) to this file")
	f.BoolVar(&o.NoWarmup, "no-warmup", false, "count the cold first run as a measured one (as llama-bench --no-warmup)")
	return cmd
}

// parse validates the options and the -t list.
func (o *benchOptions) parse(threads string) error {
	if o.Model == "" {
		return errors.New("a model is required (plume bench MODEL or --model MODEL)")
	}
	if o.Prompt < 0 || o.Gen < 0 || o.Prompt > maxBenchTokens || o.Gen > maxBenchTokens || o.Prompt+o.Gen == 0 {
		return fmt.Errorf("-p %d -n %d: want 0..%d each, not both 0", o.Prompt, o.Gen, maxBenchTokens)
	}
	if o.Depth < 0 || o.Depth > maxBenchTokens {
		return fmt.Errorf("-d %d: want 0..%d", o.Depth, maxBenchTokens)
	}
	if o.Reps < 1 || o.Reps > maxBenchReps {
		return fmt.Errorf("-r %d: want 1..%d", o.Reps, maxBenchReps)
	}
	switch o.KV {
	case "f16":
		o.kvType = tensor.F16
	case "f32":
		o.kvType = tensor.F32
	default:
		return fmt.Errorf("--kv %q: want f16 or f32", o.KV)
	}
	switch engine.WeightsLayout(o.Weights) {
	case engine.WeightsHybrid, engine.WeightsMapped, engine.WeightsPrivate:
	default:
		return fmt.Errorf("--weights %q: want %s, %s or %s", o.Weights, engine.WeightsHybrid, engine.WeightsMapped, engine.WeightsPrivate)
	}
	o.Threads = nil
	for _, s := range strings.Split(threads, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || t < 1 || t > kernels.MaxThreads {
			return fmt.Errorf("-t %q: want thread counts 1..%d", threads, kernels.MaxThreads)
		}
		o.Threads = append(o.Threads, t)
	}
	return nil
}

// benchModel is a loaded model with what the reports need to know about it.
type benchModel struct {
	file        *gguf.File
	m           *model.Model
	start       time.Time // when the load started
	loadMillis  float64
	weightBytes int64
	weights     engine.WeightsLayout // what OpenWeights did
}

// loadBenchModel opens the model as the engine does, its weights in the
// layout want where the memory allows.
func loadBenchModel(ctx context.Context, path string, want engine.WeightsLayout) (*benchModel, error) {
	t0 := time.Now()
	f, weights, err := engine.OpenWeights(ctx, path, engine.SystemMemory(), want)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	m, err := model.New(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	return &benchModel{file: f, m: m, start: t0, loadMillis: ms(time.Since(t0)), weightBytes: weightBytesPerToken(f), weights: weights}, nil
}

// settle waits for the background copy of the weights, so that the timed
// runs measure the layout the model keeps (as llama-bench's follow its
// load, repacking included), and records in base when it ended.
func (bm *benchModel) settle(ctx context.Context, base *benchResult) error {
	end, err := bm.file.WaitCopied(ctx)
	if err != nil {
		return fmt.Errorf("bench: copying the weights in the background: %w", err)
	}
	if !end.IsZero() {
		base.CopyMillis = ms(end.Sub(bm.start))
	}
	return nil
}

// weightBytesPerToken is what one decode step reads from the weights: every
// tensor except the token embeddings, of which one row is read (unless the
// output head reuses them).
func weightBytesPerToken(f *gguf.File) int64 {
	_, hasOutput := f.Tensor("output.weight")
	var n int64
	for _, ti := range f.Tensors {
		if ti.Name == "token_embd.weight" && hasOutput {
			continue
		}
		n += int64(ti.Size)
	}
	return n
}

func runBench(ctx context.Context, o benchOptions, progress io.Writer) ([]benchResult, error) {
	var out []benchResult
	for _, t := range o.Threads {
		res, err := benchThreads(ctx, o, t, progress)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

// benchThreads loads the model afresh (so load time and the cold first
// prompt are measured per configuration) and runs the pp and tg tests.
func benchThreads(ctx context.Context, o benchOptions, threads int, progress io.Writer) ([]benchResult, error) {
	bm, err := loadBenchModel(ctx, o.path, engine.WeightsLayout(o.Weights))
	if err != nil {
		return nil, err
	}
	defer bm.file.Close()
	pool := kernels.NewPool(threads)
	defer pool.Close()
	st, err := bm.m.NewStateKV(o.Depth+o.Prompt+o.Gen+1, o.kvType)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	r := rand.New(rand.NewPCG(benchSeed, uint64(threads)))
	tokens := make([]int32, o.Depth+max(o.Prompt, o.Gen))
	for i := range tokens {
		tokens[i] = int32(r.IntN(bm.m.Config.Vocab))
	}
	depth, tokens := tokens[:o.Depth], tokens[o.Depth:]
	at := ""
	if o.Depth > 0 {
		at = fmt.Sprintf(" @ d%d", o.Depth)
	}
	base := benchResult{Model: filepath.Base(o.path), ModelBytes: bm.file.Size(), WeightBytes: bm.weightBytes,
		Kernels: kernels.Path(), KVType: o.KV, Weights: string(bm.weights), Threads: threads, NPrompt: o.Prompt, NGen: o.Gen, NDepth: o.Depth, LoadMillis: bm.loadMillis,
		KVBytes: st.KVBytes()}
	var out []benchResult
	if o.Prompt > 0 {
		run := func() (float64, error) { return timeForward(ctx, bm.m, pool, st, depth, tokens[:o.Prompt]) }
		first, err := run() // the warm-up run is the cold first prompt: time to first token
		if err != nil {
			return nil, err
		}
		base.TTFTMillis = bm.loadMillis + first*1e3
		reps, res := o.Reps, []float64(nil)
		if o.NoWarmup {
			reps, res = reps-1, append(res, float64(o.Prompt)/first)
		}
		if reps > 0 { // a process of one cold run ends without the copy
			if err := bm.settle(ctx, &base); err != nil {
				return nil, err
			}
		}
		more, err := repeatBench(reps, o.Prompt, run)
		if err != nil {
			return nil, err
		}
		out = append(out, fill(base, append(res, more...), fmt.Sprintf("pp%d%s", o.Prompt, at)))
	}
	if o.Gen > 0 {
		if err := bm.settle(ctx, &base); err != nil {
			return nil, err
		}
		run := func() (float64, error) { return timeGen(ctx, bm.m, pool, st, depth, tokens[:o.Gen]) }
		if !o.NoWarmup {
			if _, err := run(); err != nil {
				return nil, err
			}
		}
		res, err := repeatBench(o.Reps, o.Gen, run)
		if err != nil {
			return nil, err
		}
		b := fill(base, res, fmt.Sprintf("tg%d%s", o.Gen, at))
		b.DecodeGBps = b.AvgTS * float64(bm.weightBytes) / 1e9
		out = append(out, b)
	}
	for i := range out {
		out[i].PeakRSSBytes = peakRSS()
		fmt.Fprintf(progress, "plume bench: %s t=%d %s: %.2f ± %.2f tok/s\n", out[i].Model, threads, out[i].Test, out[i].AvgTS, out[i].StddevTS)
	}
	return out, nil
}

// fill completes a result from the measured speeds.
func fill(base benchResult, samples []float64, test string) benchResult {
	b := base
	b.Test, b.SamplesTS = test, samples
	b.AvgTS, b.StddevTS = meanStddev(samples)
	return b
}

// repeatBench runs a timed test reps times and returns tokens/s per run.
func repeatBench(reps, tokens int, run func() (float64, error)) ([]float64, error) {
	out := make([]float64, 0, reps)
	for range reps {
		sec, err := run()
		if err != nil {
			return nil, err
		}
		out = append(out, float64(tokens)/sec)
	}
	return out, nil
}

// timeForward evaluates a prompt as one batch after the depth tokens.
func timeForward(ctx context.Context, m *model.Model, p *kernels.Pool, st *model.State, depth, toks []int32) (float64, error) {
	if err := holdOnly(ctx, m, p, st, depth); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if _, err := m.Forward(ctx, p, st, toks, false); err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	return time.Since(t0).Seconds(), nil
}

// timeGen evaluates tokens one at a time after the depth tokens, as
// decoding does.
func timeGen(ctx context.Context, m *model.Model, p *kernels.Pool, st *model.State, depth, toks []int32) (float64, error) {
	if err := holdOnly(ctx, m, p, st, depth); err != nil {
		return 0, err
	}
	t0 := time.Now()
	for i := range toks {
		if _, err := m.Forward(ctx, p, st, toks[i:i+1], false); err != nil {
			return 0, fmt.Errorf("bench: %w", err)
		}
	}
	return time.Since(t0).Seconds(), nil
}

// holdOnly leaves the cache holding the depth tokens: the ones it holds
// after an earlier test (which starts with them) are kept, an empty or
// shorter cache is filled, untimed.
func holdOnly(ctx context.Context, m *model.Model, p *kernels.Pool, st *model.State, depth []int32) error {
	if st.Len() >= len(depth) && len(depth) > 0 {
		st.Truncate(len(depth))
		return nil
	}
	st.Truncate(0)
	if len(depth) == 0 {
		return nil
	}
	if _, err := m.Forward(ctx, p, st, depth, false); err != nil {
		return fmt.Errorf("bench: depth: %w", err)
	}
	return nil
}

func meanStddev(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

// startCPUProfile starts writing a pprof CPU profile to path (the
// --cpuprofile of bench, serve and write); the returned function stops it and
// closes the file. An empty path profiles nothing.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

// peakRSS returns the process's peak resident set size (VmHWM) in bytes, or
// 0 where /proc is not available.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// writeBenchMarkdown prints the results as llama-bench's Markdown table plus
// the columns llama-bench lacks.
func writeBenchMarkdown(w io.Writer, results []benchResult) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "| model | size | kernels | threads | test | t/s | load ms | TTFT ms | peak RSS | decode GB/s |")
	fmt.Fprintln(bw, "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range results {
		gbps := ""
		if r.DecodeGBps > 0 {
			gbps = fmt.Sprintf("%.2f", r.DecodeGBps)
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %d | %s | %.2f ± %.2f | %.1f | %.1f | %s | %s |\n",
			r.Model, mib(r.ModelBytes), r.Kernels, r.Threads, r.Test, r.AvgTS, r.StddevTS,
			r.LoadMillis, r.TTFTMillis, mib(r.PeakRSSBytes), gbps)
	}
	return bw.Flush()
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
