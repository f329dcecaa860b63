// Command bench measures this machine's CPU class into BENCHMARKS.md: it
// writes synthetic GGUF models with the exact shapes of SmolLM2-135M,
// Qwen2.5-0.5B and Llama-3.2-1B (Q8_0 and Q4_K_M mixes), then measures
// `plume bench` and llama.cpp's llama-bench on each of them and on the
// TinyStories fixture, alternating the two engines round by round in the
// same run, at each thread count. Run it through run.sh, which builds the
// binaries it needs.
//
// BENCHMARKS.md holds one section per CPU class (cpuclass.go): a run
// replaces its own class's section (with -only or -t, only the rows it
// measured, report.go) and keeps the other classes' sections and the part
// after keptMarker.
//
//	go run ./scripts/bench -plume BIN -llama-bench BIN -membw BIN [-rounds 3] [-o BENCHMARKS.md]
//	go run ./scripts/bench -write-model Qwen2.5-1.5B -tokenizer DIR -model-out FILE   (scripts/article-bench)
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	plumeconfig "github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/scripts/internal/bwprobe"
	"github.com/plumewriter/plume/scripts/internal/stats"
)

// Test sizes of the targets (llama-bench pp128 / tg64).
const (
	promptTokens = 128
	genTokens    = 64
	// modelSeed makes the synthetic models reproducible.
	modelSeed = 20261129
)

type config struct {
	plume, llamaBench, membw string
	modelDir, fixture, out   string
	threads                  []int
	rounds                   int
	only                     string
	// kernels, with -kernels, is the kernel set plume bench is capped to
	// (PLUME_KERNELS): a stand-in run (see standInKey).
	kernels string
	// partial is set by -only or -t other than defaultThreads: the run
	// measures some rows of its class, and replaces only those.
	partial bool
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	var c config
	var threads string
	flag.StringVar(&c.plume, "plume", "", "plume binary")
	flag.StringVar(&c.llamaBench, "llama-bench", "/tmp/plume-llamacpp/bin/llama-bench", "llama-bench binary")
	flag.StringVar(&c.membw, "membw", "", "membw binary (scripts/bench/membw/membw.c)")
	flag.StringVar(&c.modelDir, "models", filepath.Join(os.TempDir(), "plume-bench-models"), "where synthetic models are cached")
	flag.StringVar(&c.fixture, "fixture", "../shared/fixtures/TinyStories-656K-Q8_0.gguf", "real model fixture")
	flag.StringVar(&c.out, "o", "BENCHMARKS.md", "output file")
	flag.StringVar(&threads, "t", defaultThreads, "thread counts (other than the default, the run replaces only its rows)")
	flag.IntVar(&c.rounds, "rounds", 3, "alternating rounds per model and thread count")
	flag.StringVar(&c.only, "only", "", "only models whose name contains this (the run replaces only their rows)")
	flag.StringVar(&c.kernels, "kernels", "", "a stand-in run: cap plume to this kernel set (PLUME_KERNELS), with -llama-bench a folder holding only the matching ggml-cpu variant; its own section")
	writeShape := flag.String("write-model", "", "only write the model of this shape (article.go) with -tokenizer to -model-out, and exit")
	tokDir := flag.String("tokenizer", "", "folder holding tokenizer.json and tokenizer_config.json, for -write-model")
	modelOut := flag.String("model-out", "", "GGUF file -write-model writes")
	modelsOnly := flag.Bool("models-only", false, "only write the synthetic models (those -only selects) to -models, and exit (scripts/api-bench)")
	flag.Parse()
	if *modelsOnly {
		if err := os.MkdirAll(c.modelDir, 0o755); err != nil {
			log.Fatal(err)
		}
		if _, err := prepareModels(c); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *writeShape != "" {
		if err := writeArticleModel(*writeShape, mixQ4_K_M, *tokDir, *modelOut); err != nil {
			log.Fatal(err)
		}
		return
	}
	for _, s := range strings.Split(threads, ",") {
		t, err := strconv.Atoi(s)
		if err != nil || t < 1 {
			log.Fatalf("bad -t %q", threads)
		}
		c.threads = append(c.threads, t)
	}
	c.partial = c.only != "" || threads != defaultThreads
	if c.plume == "" || c.membw == "" || c.rounds < 1 {
		log.Fatalf("-plume and -membw are required, -rounds >= 1")
	}
	if v := os.Getenv(plumeconfig.EnvKernels); v != "" && c.kernels == "" {
		log.Fatalf("%s=%s is set: a capped run is a stand-in, give -kernels %s instead", plumeconfig.EnvKernels, v, v)
	}
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

// modelRun is everything measured on one model at one thread count.
type modelRun struct {
	Model   string
	Threads int
	Llama   map[string][]float64 // "pp"/"tg" → tok/s samples
	Plume   map[string][]float64
	Last    map[string]plumeResult // last plume result per test (load, TTFT, RSS)
	// Cold start to first token (process start, load, pp prompt, exit), ms.
	LlamaTTFT, PlumeTTFT []float64
	// LlamaBuild names llama-bench's build and ggml-cpu variant.
	LlamaBuild string
	// Membw is the read bandwidth (GB/s, membw.c at Threads) measured in
	// each round, next to the decode runs: this machine's bandwidth moves
	// by a third over minutes (other tenants), so decode is compared with
	// the bandwidth of the same rounds.
	Membw []float64
}

func run(c config) error {
	if err := os.MkdirAll(c.modelDir, 0o755); err != nil {
		return err
	}
	// Read the file first: a hand-edited BENCHMARKS.md fails here, not
	// after half an hour of measuring.
	rep, err := readReport(c.out)
	if err != nil {
		return err
	}
	models, err := prepareModels(c)
	if err != nil {
		return err
	}
	if len(models) == 0 {
		return fmt.Errorf("no model matches -only %q", c.only)
	}
	id := detectCPU()
	fmt.Fprintf(os.Stderr, "CPU class %s (%s)\n", id.className(), id.classKey())
	var runs []modelRun
	for _, m := range models {
		for _, t := range c.threads {
			r, err := measure(c, m, t)
			if err != nil {
				return err
			}
			runs = append(runs, r)
		}
	}
	rep.merge(newSection(id, c, time.Now(), runs), !c.partial)
	return os.WriteFile(c.out, rep.render(), 0o644)
}

// readReport parses the BENCHMARKS.md at path (an empty report when there
// is none yet).
func readReport(path string) (*report, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &report{}, nil
	}
	if err != nil {
		return nil, err
	}
	rep, err := parseReport(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// keptMarker starts the part of BENCHMARKS.md that other scripts measure
// (scripts/article-bench, scripts/api-bench): a regeneration keeps it.
const keptMarker = "<!-- kept: sections measured by other scripts -->"

// defaultThreads are the thread counts of a complete run.
const defaultThreads = "1,2"

// newSection turns the measurements of one run into its class's section,
// every figure rounded to the digits the tables print (see row).
func newSection(id cpuID, c config, at time.Time, runs []modelRun) section {
	run := benchRun{Date: at.UTC().Format(runDate), CPUs: runtime.NumCPU(), Go: runtime.Version(), Rounds: c.rounds}
	byThreads := map[int][]float64{}
	rows := make([]row, 0, len(runs))
	for _, r := range runs {
		for _, x := range r.Last {
			run.Kernels = x.Kernels
			if x.Weights != "" && !slices.Contains(strings.Split(run.Weights, ", "), x.Weights) {
				run.Weights = strings.TrimPrefix(run.Weights+", "+x.Weights, ", ")
			}
		}
		run.Llama = r.LlamaBuild
		byThreads[r.Threads] = append(byThreads[r.Threads], r.Membw...)
		x := r.row()
		x.Run = run.Date
		rows = append(rows, x)
	}
	for _, t := range c.threads {
		if all := byThreads[t]; len(all) > 0 {
			m, _ := meanSD(all)
			run.Membw = append(run.Membw, membw{Threads: t, Min: round(slices.Min(all), 1), Max: round(slices.Max(all), 1), Mean: round(m, 1)})
		}
	}
	key, name := id.classKey(), id.className()
	if c.kernels != "" {
		key, name = standInKey(key, c.kernels), standInName(name, c.kernels)
	}
	return section{Key: key, Name: name, Runs: []benchRun{run}, Rows: rows}
}

// row is r's line of the tables, rounded as they print it.
func (r modelRun) row() row {
	lp, lps := meanSD(r.Llama["pp"])
	pp, pps := meanSD(r.Plume["pp"])
	lt, lts := meanSD(r.Llama["tg"])
	pt, pts := meanSD(r.Plume["tg"])
	lgb, lpct := r.decodeBandwidth(lt)
	pgb, ppct := r.decodeBandwidth(pt)
	last := r.Last["tg"]
	ltt, _ := meanSD(r.LlamaTTFT)
	ptt, _ := meanSD(r.PlumeTTFT)
	return row{Model: strings.TrimSuffix(r.Model, ".gguf"), Threads: r.Threads,
		PPLlama: round(lp, 1), PPLlamaSD: round(lps, 1), PPPlume: round(pp, 1), PPPlumeSD: round(pps, 1), PPRatio: round(pp/lp, 2),
		TGLlama: round(lt, 1), TGLlamaSD: round(lts, 1), TGPlume: round(pt, 1), TGPlumeSD: round(pts, 1), TGRatio: round(pt/lt, 2),
		GBLlama: round(lgb, 2), PctLlama: round(lpct, 0), GBPlume: round(pgb, 2), PctPlume: round(ppct, 0),
		LoadMs: round(last.LoadMillis, 0), TTFTLlama: round(ltt, 0), TTFTPlume: round(ptt, 0), TTFTRatio: round(ptt/ltt, 2),
		RSSMiB: round(float64(last.PeakRSSBytes)/(1<<20), 0), BudgetMiB: round(float64(rssBudget(last))/(1<<20), 0)}
}

// round is x as printed with digits decimals (%.Nf), read back.
func round(x float64, digits int) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', digits, 64), 64)
	return f
}

// prepareModels writes (or reuses) the synthetic models and lists every
// model to measure.
func prepareModels(c config) ([]string, error) {
	var out []string
	for _, s := range shapes {
		for _, m := range []mix{mixQ8_0, mixQ4_K_M} {
			if c.only != "" && !strings.Contains(s.Label+"-"+string(m), c.only) {
				continue
			}
			t0 := time.Now()
			p, err := writeModel(c.modelDir, s, m)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "model %s (%.1fs)\n", p, time.Since(t0).Seconds())
			out = append(out, p)
		}
	}
	if c.only == "" || strings.Contains(c.fixture, c.only) {
		out = append(out, c.fixture)
	}
	return out, nil
}

// measure alternates llama-bench and plume bench, the same repetitions
// each per round, so both see the same machine load.
func measure(c config, model string, threads int) (modelRun, error) {
	r := modelRun{Model: filepath.Base(model), Threads: threads, Llama: map[string][]float64{},
		Plume: map[string][]float64{}, Last: map[string]plumeResult{}}
	reps, err := repsPerRound(model)
	if err != nil {
		return r, err
	}
	for round := range c.rounds {
		fmt.Fprintf(os.Stderr, "%s t=%d round %d/%d\n", r.Model, threads, round+1, c.rounds)
		lr, build, err := runLlamaBench(c.llamaBench, model, threads, reps)
		if err != nil {
			return r, err
		}
		r.LlamaBuild = build
		for _, x := range lr {
			k := testKind(x.NPrompt, x.NGen)
			r.Llama[k] = append(r.Llama[k], x.SamplesTS...)
		}
		bw, err := bwprobe.Read(c.membw, threads)
		if err != nil {
			return r, err
		}
		r.Membw = append(r.Membw, bw)
		pr, err := runPlumeBench(c, model, threads, reps)
		if err != nil {
			return r, err
		}
		for _, x := range pr {
			if !strings.HasPrefix(x.Kernels, c.kernels) {
				return r, fmt.Errorf("plume bench ran kernels %q, not the -kernels %q asked for (does this CPU have them?)", x.Kernels, c.kernels)
			}
			k := testKind(x.NPrompt*boolInt(strings.HasPrefix(x.Test, "pp")), x.NGen*boolInt(strings.HasPrefix(x.Test, "tg")))
			r.Plume[k] = append(r.Plume[k], x.SamplesTS...)
			r.Last[k] = x
		}
		if err := measureTTFT(c, model, threads, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// measureTTFT times one cold process per engine that loads the model and
// evaluates the pp prompt once, without warm-up: the user's wait from
// start to first token.
func measureTTFT(c config, model string, threads int, r *modelRun) error {
	t, p, n := strconv.Itoa(threads), strconv.Itoa(promptTokens), "0"
	runs := []struct {
		dst  *[]float64
		name string
		cmd  *exec.Cmd
	}{
		{&r.LlamaTTFT, "llama-bench", exec.Command(c.llamaBench, "-m", model, "-t", t, "-p", p, "-n", n, "-r", "1", "--no-warmup", "-o", "json")},
		{&r.PlumeTTFT, "plume bench", plumeCmd(c, "bench", "--model", model, "-t", t, "-p", p, "-n", n, "-r", "1", "--no-warmup", "--json")},
	}
	for _, x := range runs {
		t0 := time.Now()
		if out, err := x.cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s ttft %s: %w\n%s", x.name, model, err, out)
		}
		*x.dst = append(*x.dst, float64(time.Since(t0).Microseconds())/1e3)
	}
	return nil
}

// Repetitions per round: one for the real-shaped models; tinyRepetitions
// for models under tinyModelBytes, whose pp128 takes ~2 ms, so that one
// scheduling hiccup of the shared machine does not make a whole round's
// sample.
const (
	tinyModelBytes  = 16 << 20
	tinyRepetitions = 10
)

func repsPerRound(model string) (int, error) {
	fi, err := os.Stat(model)
	if err != nil {
		return 0, err
	}
	if fi.Size() < tinyModelBytes {
		return tinyRepetitions, nil
	}
	return 1, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// testKind classifies a result as llama-bench does: a test with generated
// tokens is tg, otherwise pp.
func testKind(nPrompt, nGen int) string {
	if nGen > 0 {
		return "tg"
	}
	return "pp"
}

type llamaResult struct {
	NPrompt     int       `json:"n_prompt"`
	NGen        int       `json:"n_gen"`
	SamplesTS   []float64 `json:"samples_ts"`
	BuildCommit string    `json:"build_commit"`
	BuildNumber int       `json:"build_number"`
}

// runLlamaBench runs llama-bench and names its build and the ggml-cpu
// variant it loaded (llamaVariant).
func runLlamaBench(bin, model string, threads, reps int) ([]llamaResult, string, error) {
	cmd := exec.Command(bin, "-m", model, "-t", strconv.Itoa(threads), "-p", strconv.Itoa(promptTokens),
		"-n", strconv.Itoa(genTokens), "-r", strconv.Itoa(reps), "-o", "json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := runJSON[llamaResult]("llama-bench "+model, cmd)
	if err != nil {
		return nil, "", fmt.Errorf("%w\n%s", err, stderr.Bytes())
	}
	variants, _ := filepath.Glob(filepath.Join(filepath.Dir(bin), "libggml-cpu-*.so"))
	build := "llama-bench from `../shared/bench`"
	if len(res) > 0 {
		build = fmt.Sprintf("llama-bench build %d (%s) from `../shared/bench`", res[0].BuildNumber, res[0].BuildCommit)
	}
	return res, build + ", " + llamaVariant(stderr.String(), len(variants)), nil
}

// runJSON runs cmd and decodes its standard output, a JSON array of T;
// what names the run in errors.
func runJSON[T any](what string, cmd *exec.Cmd) ([]T, error) {
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var res []T
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("%s output: %w", what, err)
	}
	return res, nil
}

type plumeResult struct {
	Test         string    `json:"test"`
	NPrompt      int       `json:"n_prompt"`
	NGen         int       `json:"n_gen"`
	Kernels      string    `json:"kernels"`
	Weights      string    `json:"weights"`
	SamplesTS    []float64 `json:"samples_ts"`
	LoadMillis   float64   `json:"load_ms"`
	TTFTMillis   float64   `json:"ttft_ms"`
	PeakRSSBytes int64     `json:"peak_rss_bytes"`
	KVBytes      int64     `json:"kv_bytes"`
	ModelBytes   int64     `json:"model_size"`
	WeightBytes  int64     `json:"weight_bytes_per_token"`
}

func runPlumeBench(c config, model string, threads, reps int) ([]plumeResult, error) {
	cmd := plumeCmd(c, "bench", "--model", model, "-t", strconv.Itoa(threads), "-p", strconv.Itoa(promptTokens),
		"-n", strconv.Itoa(genTokens), "-r", strconv.Itoa(reps), "--json")
	return runJSON[plumeResult]("plume bench "+model, cmd)
}

// plumeCmd runs the plume binary with args, capped to c.kernels if set.
func plumeCmd(c config, args ...string) *exec.Cmd {
	cmd := exec.Command(c.plume, args...)
	if c.kernels != "" {
		cmd.Env = append(os.Environ(), plumeconfig.EnvKernels+"="+c.kernels)
	}
	return cmd
}

// meanSD is stats.MeanSD, shared with scripts/api-bench.
var meanSD = stats.MeanSD

// decodeBandwidth returns the weight bytes read per second at tok tokens/s
// (GB/s) and their share of the read bandwidth measured in r's rounds (%).
func (r modelRun) decodeBandwidth(tok float64) (gbs, pct float64) {
	gbs = tok * float64(r.Last["tg"].WeightBytes) / 1e9
	bw, _ := meanSD(r.Membw)
	return gbs, 100 * gbs / bw
}

// rssBudget is the peak-RSS limit: model file + KV cache + 64 MiB.
func rssBudget(x plumeResult) int64 { return x.ModelBytes + x.KVBytes + 64<<20 }

// bandwidthTarget reports whether the row of model in the section of key
// has a decode bandwidth target (≥ 95% of the measured read bandwidth):
// the 1B Q4_K_M model's on every class (the performance issue of wave 1),
// and the 1B Q8_0 model's on AVX-512 classes (issue #16). Stand-in
// sections have none (keyParts gives them no features).
func bandwidthTarget(key, model string) bool {
	if strings.Contains(model, "Llama-3.2-1B-Q4_K_M") {
		return true
	}
	_, feats := keyParts(key)
	return strings.Contains(model, "Llama-3.2-1B-Q8_0") && slices.Contains(feats, "avx512f")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
