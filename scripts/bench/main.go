// Command bench regenerates BENCHMARKS.md: it writes synthetic GGUF models
// with the exact shapes of SmolLM2-135M, Qwen2.5-0.5B and Llama-3.2-1B (Q8_0
// and Q4_K_M mixes), then measures `plume bench` and llama.cpp's llama-bench
// on each of them and on the TinyStories fixture, alternating the two engines
// round by round in the same run, at each thread count. Run it through
// run.sh, which builds the binaries it needs.
//
//	go run ./scripts/bench -plume BIN -llama-bench BIN -membw BIN [-rounds 3] [-o BENCHMARKS.md]
//	go run ./scripts/bench -write-model Qwen2.5-1.5B -tokenizer DIR -model-out FILE   (scripts/article-bench)
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

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
	flag.StringVar(&threads, "t", "1,2", "thread counts")
	flag.IntVar(&c.rounds, "rounds", 3, "alternating rounds per model and thread count")
	flag.StringVar(&c.only, "only", "", "only models whose name contains this")
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
	if c.plume == "" || c.membw == "" || c.rounds < 1 {
		log.Fatalf("-plume and -membw are required, -rounds >= 1")
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
	models, err := prepareModels(c)
	if err != nil {
		return err
	}
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
	var buf bytes.Buffer
	writeReport(&buf, c, runs)
	buf.Write(keptSections(c.out))
	return os.WriteFile(c.out, buf.Bytes(), 0o644)
}

// keptMarker starts the part of BENCHMARKS.md that other scripts measure
// (scripts/article-bench, scripts/api-bench): a regeneration keeps it.
const keptMarker = "<!-- kept: sections measured by other scripts -->"

// keptSections returns the part of the file at path from keptMarker on
// (nothing when the file or the marker is absent), after a blank line.
func keptSections(path string) []byte {
	old, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	i := bytes.Index(old, []byte(keptMarker))
	if i < 0 {
		return nil
	}
	return append([]byte("\n"), old[i:]...)
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

var bwLine = regexp.MustCompile(`bandwidth ([0-9.]+) GB/s`)

func memBandwidth(bin string, threads int) (float64, error) {
	out, err := exec.Command(bin, strconv.Itoa(threads)).Output()
	if err != nil {
		return 0, fmt.Errorf("membw: %w", err)
	}
	m := bwLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("membw: unexpected output %q", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
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
		lr, err := runLlamaBench(c.llamaBench, model, threads, reps)
		if err != nil {
			return r, err
		}
		for _, x := range lr {
			k := testKind(x.NPrompt, x.NGen)
			r.Llama[k] = append(r.Llama[k], x.SamplesTS...)
		}
		bw, err := memBandwidth(c.membw, threads)
		if err != nil {
			return r, err
		}
		r.Membw = append(r.Membw, bw)
		pr, err := runPlumeBench(c.plume, model, threads, reps)
		if err != nil {
			return r, err
		}
		for _, x := range pr {
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
		{&r.PlumeTTFT, "plume bench", exec.Command(c.plume, "bench", "--model", model, "-t", t, "-p", p, "-n", n, "-r", "1", "--no-warmup", "--json")},
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
	NPrompt   int       `json:"n_prompt"`
	NGen      int       `json:"n_gen"`
	SamplesTS []float64 `json:"samples_ts"`
}

func runLlamaBench(bin, model string, threads, reps int) ([]llamaResult, error) {
	cmd := exec.Command(bin, "-m", model, "-t", strconv.Itoa(threads), "-p", strconv.Itoa(promptTokens),
		"-n", strconv.Itoa(genTokens), "-r", strconv.Itoa(reps), "-o", "json")
	return runJSON[llamaResult]("llama-bench "+model, cmd)
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
	SamplesTS    []float64 `json:"samples_ts"`
	LoadMillis   float64   `json:"load_ms"`
	TTFTMillis   float64   `json:"ttft_ms"`
	PeakRSSBytes int64     `json:"peak_rss_bytes"`
	KVBytes      int64     `json:"kv_bytes"`
	ModelBytes   int64     `json:"model_size"`
	WeightBytes  int64     `json:"weight_bytes_per_token"`
}

func runPlumeBench(bin, model string, threads, reps int) ([]plumeResult, error) {
	cmd := exec.Command(bin, "bench", "--model", model, "-t", strconv.Itoa(threads), "-p", strconv.Itoa(promptTokens),
		"-n", strconv.Itoa(genTokens), "-r", strconv.Itoa(reps), "--json")
	return runJSON[plumeResult]("plume bench "+model, cmd)
}

// meanSD is stats.MeanSD, shared with scripts/api-bench.
var meanSD = stats.MeanSD

func writeReport(w *bytes.Buffer, c config, runs []modelRun) {
	kernels := ""
	for _, r := range runs {
		for _, x := range r.Last {
			kernels = x.Kernels
		}
	}
	fmt.Fprintf(w, "# Benchmarks\n\nGenerated by `scripts/bench/run.sh` on %s — do not edit by hand (the sections after the \"kept\" marker at the end come from `scripts/article-bench` and `scripts/api-bench`, and a regeneration keeps them).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "- CPU: %s, %d logical CPUs; %s; Plume kernels `%s`.\n", cpuModel(), runtime.NumCPU(), runtime.Version(), kernels)
	for _, t := range c.threads {
		var all []float64
		for _, r := range runs {
			if r.Threads == t {
				all = append(all, r.Membw...)
			}
		}
		if len(all) == 0 {
			continue
		}
		m, _ := meanSD(all)
		fmt.Fprintf(w, "- Memory read bandwidth (membw.c, %d thread%s, measured in every round): %.1f–%.1f GB/s, mean %.1f.\n",
			t, plural(t), slices.Min(all), slices.Max(all), m)
	}
	fmt.Fprintln(w, "- % of membw: decode GB/s (weight bytes per token × tg tok/s) over the mean bandwidth of the same model's rounds.")
	fmt.Fprintf(w, "- Each cell: mean ± sd over %d alternating rounds (llama-bench -r 1, then plume bench -r 1; -r %d each for\n"+
		"  models under %d MiB),\n"+
		"  pp%d = %d-token prompt as one batch, tg%d = %d tokens one at a time, tokens/s.\n"+
		"  Both engines use their defaults: F16 KV cache; llama-bench also its default flash-attention setting.\n", c.rounds, tinyRepetitions, tinyModelBytes>>20, promptTokens, promptTokens, genTokens, genTokens)
	fmt.Fprintf(w, "- Synthetic models: real shapes, random weights (`scripts/bench/models.go`); Q4_K_M = Q4_K + Q6_K\n"+
		"  (attn_v/ffn_down of llama.cpp's use_more_bits layers, tied output), rows not a multiple of 256 fall back\n"+
		"  to Q5_0/Q8_0 as llama.cpp does.\n\n")
	writeSpeedTable(w, runs)
	writeStartTable(w, runs)
	writeTargets(w, runs)
}

func writeSpeedTable(w *bytes.Buffer, runs []modelRun) {
	fmt.Fprint(w, "## Speed\n\n")
	fmt.Fprintln(w, "| model | t | pp llama.cpp | pp Plume | pp ratio | tg llama.cpp | tg Plume | tg ratio | decode GB/s llama.cpp (% of membw) | decode GB/s Plume (% of membw) |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range runs {
		lp, lps := meanSD(r.Llama["pp"])
		pp, pps := meanSD(r.Plume["pp"])
		lt, lts := meanSD(r.Llama["tg"])
		pt, pts := meanSD(r.Plume["tg"])
		lgb, lpct := r.decodeBandwidth(lt)
		pgb, ppct := r.decodeBandwidth(pt)
		fmt.Fprintf(w, "| %s | %d | %.1f ± %.1f | %.1f ± %.1f | %.2f× | %.1f ± %.1f | %.1f ± %.1f | %.2f× | %.2f (%.0f%%) | %.2f (%.0f%%) |\n",
			strings.TrimSuffix(r.Model, ".gguf"), r.Threads, lp, lps, pp, pps, pp/lp, lt, lts, pt, pts, pt/lt,
			lgb, lpct, pgb, ppct)
	}
}

// decodeBandwidth returns the weight bytes read per second at tok tokens/s
// (GB/s) and their share of the read bandwidth measured in r's rounds (%).
func (r modelRun) decodeBandwidth(tok float64) (gbs, pct float64) {
	gbs = tok * float64(r.Last["tg"].WeightBytes) / 1e9
	bw, _ := meanSD(r.Membw)
	return gbs, 100 * gbs / bw
}

// rssBudget is the peak-RSS limit: model file + KV cache + 64 MiB.
func rssBudget(x plumeResult) int64 { return x.ModelBytes + x.KVBytes + 64<<20 }

func writeStartTable(w *bytes.Buffer, runs []modelRun) {
	fmt.Fprint(w, "\n## Start-up and memory\n\n")
	fmt.Fprintln(w, "TTFT: wall time of one cold process (start, load, one pp prompt without warm-up, exit), mean of the rounds.")
	fmt.Fprint(w, "Peak RSS budget: model file + KV cache + 64 MiB.\n\n")
	fmt.Fprintln(w, "| model | t | Plume load ms | TTFT llama.cpp ms | TTFT Plume ms | TTFT ratio | Plume peak RSS MiB | budget MiB |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range runs {
		last := r.Last["tg"]
		lt, _ := meanSD(r.LlamaTTFT)
		pt, _ := meanSD(r.PlumeTTFT)
		fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.0f | %.2f× | %.0f | %.0f |\n", strings.TrimSuffix(r.Model, ".gguf"), r.Threads,
			last.LoadMillis, lt, pt, pt/lt, float64(last.PeakRSSBytes)/(1<<20), float64(rssBudget(last))/(1<<20))
	}
}

// writeTargets checks the targets on the measured means.
func writeTargets(w *bytes.Buffer, runs []modelRun) {
	var tg, pp, ttft, rss, n int
	scaling := 0
	scalingN := 0
	byModel := map[string]map[int]float64{}
	for _, r := range runs {
		n++
		mean := func(x []float64) float64 { m, _ := meanSD(x); return m }
		if mean(r.Plume["tg"]) >= mean(r.Llama["tg"]) {
			tg++
		}
		if mean(r.Plume["pp"]) >= mean(r.Llama["pp"]) {
			pp++
		}
		if mean(r.PlumeTTFT) <= mean(r.LlamaTTFT) {
			ttft++
		}
		if last := r.Last["tg"]; last.PeakRSSBytes <= rssBudget(last) {
			rss++
		}
		if byModel[r.Model] == nil {
			byModel[r.Model] = map[int]float64{}
		}
		byModel[r.Model][r.Threads] = mean(r.Plume["tg"])
	}
	for _, m := range byModel {
		if one, ok := m[1]; ok {
			if two, ok := m[2]; ok {
				scalingN++
				if two >= one {
					scaling++
				}
			}
		}
	}
	fmt.Fprint(w, "\n## Targets (on the means above)\n\n")
	fmt.Fprintf(w, "- tg ≥ 1.0× llama.cpp: %d of %d rows.\n", tg, n)
	fmt.Fprintf(w, "- pp ≥ 1.0× llama.cpp: %d of %d rows.\n", pp, n)
	fmt.Fprintf(w, "- Two threads not slower than one (Plume tg): %d of %d models.\n", scaling, scalingN)
	fmt.Fprintf(w, "- TTFT ≤ llama.cpp: %d of %d rows.\n", ttft, n)
	fmt.Fprintf(w, "- Peak RSS within budget: %d of %d rows.\n", rss, n)
	for _, r := range runs {
		if strings.Contains(r.Model, bandwidthTargetModel) {
			pt, _ := meanSD(r.Plume["tg"])
			_, pct := r.decodeBandwidth(pt)
			fmt.Fprintf(w, "- %s decode at %d thread%s: %.0f%% of membw (target 95%%).\n",
				strings.TrimSuffix(r.Model, ".gguf"), r.Threads, plural(r.Threads), pct)
		}
	}
}

// bandwidthTargetModel names the rows the issue sets a decode bandwidth
// target for (≥ 95% of the measured read bandwidth).
const bandwidthTargetModel = "Llama-3.2-1B-Q4_K_M"

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
