// Command article-bench times `plume write` with the prompt cache off and
// on (issue #19) and reports, per run and per stage, the wall time and the
// prompt tokens sent and evaluated, as a Markdown table for BENCHMARKS.md.
// It checks that both runs wrote the same article, byte for byte. Run it
// through run.sh, which builds plume and writes the model.
//
//	go run ./scripts/article-bench -plume BIN -model FILE [-words 800] [-threads 2] [-work DIR] [-caches off,on]
//
// -caches off alone times an older plume (one without the prompt cache, or
// with another prompt layout) as the "before" of a comparison.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/writer"
)

// topic and lang are the article of the measurement.
const (
	topic = "Pourquoi le compost change un petit jardin"
	lang  = "fr"
	// seed and sourceDate fix everything the two runs could differ by
	// besides the cache.
	seed       = "1"
	sourceDate = "1764900000"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("article-bench: ")
	plume := flag.String("plume", "", "plume binary")
	model := flag.String("model", "", "GGUF model (run.sh writes one shaped like Qwen2.5-1.5B)")
	words := flag.Int("words", 800, "article length (--words)")
	threads := flag.Int("threads", 2, "engine threads (--threads)")
	work := flag.String("work", filepath.Join(os.TempDir(), "plume-article-bench"), "working directory")
	caches := flag.String("caches", "off,on", "the --prompt-cache settings to run, in order")
	flag.Parse()
	if *plume == "" || *model == "" {
		log.Fatalf("-plume and -model are required")
	}
	var runs []result
	for _, cache := range strings.Split(*caches, ",") {
		r, err := write(*plume, *model, *work, cache, *words, *threads)
		if err != nil {
			log.Fatal(err)
		}
		runs = append(runs, r)
	}
	if len(runs) == 2 && !bytes.Equal(runs[0].article, runs[1].article) {
		log.Fatalf("the articles written with the cache off and on differ (%s, %s)", runs[0].dir, runs[1].dir)
	}
	report(os.Stdout, *model, *words, *threads, runs)
}

// result is one plume write run.
type result struct {
	cache   string
	dir     string
	wall    time.Duration
	article []byte
	m       *writer.Manifest
}

// write runs plume write with --prompt-cache cache in a fresh data
// directory and reads what it wrote.
func write(plume, model, work, cache string, words, threads int) (result, error) {
	r := result{cache: cache, dir: filepath.Join(work, "cache-"+cache)}
	if err := os.RemoveAll(r.dir); err != nil {
		return r, err
	}
	out := filepath.Join(r.dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return r, err
	}
	logf, err := os.Create(filepath.Join(r.dir, "stderr.log"))
	if err != nil {
		return r, err
	}
	defer logf.Close()
	cmd := exec.Command(plume, "write", topic, "--lang", lang, "--words", strconv.Itoa(words), "--seed", seed,
		"--threads", strconv.Itoa(threads), "--model", model, "--prompt-cache", cache, "--out", out)
	cmd.Env = append(os.Environ(), "PLUME_HOME="+filepath.Join(r.dir, "home"), "HF_HUB_OFFLINE=1",
		"SOURCE_DATE_EPOCH="+sourceDate)
	cmd.Stdout, cmd.Stderr = io.Discard, io.MultiWriter(logf, os.Stderr)
	fmt.Fprintf(os.Stderr, "article-bench: %s\n", strings.Join(cmd.Args, " "))
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("cache %s: %w (see %s)", cache, err, logf.Name())
	}
	r.wall = time.Since(start)
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	mans, _ := filepath.Glob(filepath.Join(out, "*.plume.json"))
	if len(mds) != 1 || len(mans) != 1 {
		return r, fmt.Errorf("cache %s: %d articles and %d manifests in %s", cache, len(mds), len(mans), out)
	}
	if r.article, err = os.ReadFile(mds[0]); err != nil {
		return r, err
	}
	data, err := os.ReadFile(mans[0])
	if err != nil {
		return r, err
	}
	if r.m, err = writer.ParseManifest(data); err != nil {
		return r, err
	}
	if r.m.Run == nil {
		return r, fmt.Errorf("cache %s: the manifest has no run section", cache)
	}
	return r, nil
}

// report prints the before/after table and the per-stage costs.
func report(w io.Writer, model string, words, threads int, runs []result) {
	fmt.Fprintf(w, "## Article\n\n`plume write %q --lang %s --words %d --threads %d` on %s (%s, %s/%s, %d CPUs), seed %s.\n\n",
		topic, lang, words, threads, filepath.Base(model), cpuName(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), seed)
	fmt.Fprintln(w, "| prompt cache | wall time | calls | prompt tokens sent | evaluated | evaluated/sent | prompt time | generated | generation time |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range runs {
		var sent, eval, gen int
		var promptMS, genMS float64
		for i, t := range r.m.Run.Timings {
			sent += t.PromptTokens
			eval += t.PromptEvaluated
			gen += r.m.Calls[i].CompletionTokens
			promptMS += t.PromptMS
			genMS += t.GenMS
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %d | %.0f%% | %.1f s | %d | %.1f s |\n", r.cache, r.wall.Round(100*time.Millisecond),
			len(r.m.Calls), sent, eval, 100*float64(eval)/float64(max(sent, 1)), promptMS/1e3, gen, genMS/1e3)
	}
	if len(runs) == 2 && runs[0].wall > 0 {
		fmt.Fprintf(w, "\nWall time with the cache on: %+.0f%% (on / off = %.2f); the articles are byte-identical.\n",
			100*(runs[1].wall.Seconds()/runs[0].wall.Seconds()-1), runs[1].wall.Seconds()/runs[0].wall.Seconds())
	}
	fmt.Fprintln(w, "\nPer stage, cache off → on:\n\n| stage | calls | prompt sent | evaluated (off → on) | generated | prompt time (off → on) | wall (off → on) |\n|---|---|---|---|---|---|---|")
	on := map[string]writer.StageTiming{}
	for _, s := range runs[len(runs)-1].m.Run.Stages {
		on[s.Stage] = s
	}
	for _, s := range runs[0].m.Run.Stages {
		o := on[s.Stage]
		fmt.Fprintf(w, "| %s | %d | %d | %d → %d | %d | %.1f → %.1f s | %.1f → %.1f s |\n", s.Stage, s.Calls, s.PromptTokens,
			s.PromptEvaluated, o.PromptEvaluated, stageGenerated(runs[0], s.Stage), stagePromptMS(runs[0], s.Stage)/1e3,
			stagePromptMS(runs[len(runs)-1], s.Stage)/1e3, s.WallMS/1e3, o.WallMS/1e3)
	}
}

// stageGenerated is the tokens r's calls of stage generated (the same with
// the cache off and on: the articles are identical).
func stageGenerated(r result, stage string) int {
	n := 0
	for _, c := range r.m.Calls {
		if c.Stage == stage {
			n += c.CompletionTokens
		}
	}
	return n
}

func stagePromptMS(r result, stage string) float64 {
	var ms float64
	for _, t := range r.m.Run.Timings {
		if t.Stage == stage {
			ms += t.PromptMS
		}
	}
	return ms
}

// cpuName is the CPU model from /proc/cpuinfo ("unknown CPU" elsewhere).
func cpuName() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
