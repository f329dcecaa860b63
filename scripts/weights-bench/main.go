// Command weights-bench measures what reading the weights into huge pages
// (plume bench --weights private, the layout of plume serve and plume
// write) changes against mapping the model file (--weights mapped, the
// layout of plume run and of BENCHMARKS.md's main tables), with
// llama-bench's decode on the same model and threads as the reference.
// Each round runs, one after the other, llama-bench (tg only), plume bench
// mapped and plume bench private (in turn the other way round), each a
// fresh process with its warm-up and
// -r 1, so that the three see the same minute of a drifting machine. It
// prints one Markdown row per model and thread count: decode tokens/s
// (mean ± sd over the rounds), the ratios, and each layout's load time;
// with -membw, also the read bandwidth membw.c measures at the same thread
// count after each round, and the huge-page decode's weight bytes per
// second as a share of it (each round's against that round's bandwidth,
// then the mean).
//
//	go run ./scripts/weights-bench -plume BIN -llama-bench BIN [-membw BIN] -t 1,2 -rounds 5 MODEL.gguf...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plumewriter/plume/scripts/internal/bwprobe"
	"github.com/plumewriter/plume/scripts/internal/plumebench"
	"github.com/plumewriter/plume/scripts/internal/stats"
)

// genTokens is the decode test's length, as BENCHMARKS.md's tg64.
const genTokens = 64

type config struct {
	plume, llama, membw string
	threads             []int
	rounds              int
}

func main() {
	var c config
	var threads string
	flag.StringVar(&c.plume, "plume", "", "plume binary")
	flag.StringVar(&c.llama, "llama-bench", "/tmp/plume-llamacpp/bin/llama-bench", "llama-bench binary")
	flag.StringVar(&threads, "t", "1,2", "comma-separated thread counts")
	flag.IntVar(&c.rounds, "rounds", 5, "alternating rounds")
	flag.StringVar(&c.membw, "membw", "", "membw binary (scripts/bench/membw/membw.c): adds the bandwidth columns")
	flag.Parse()
	for _, s := range strings.Split(threads, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || t < 1 {
			fatalf("-t %q: want thread counts", threads)
		}
		c.threads = append(c.threads, t)
	}
	if c.plume == "" || flag.NArg() == 0 || c.rounds < 1 {
		fatalf("usage: weights-bench -plume BIN [-llama-bench BIN] [-t 1,2] [-rounds 5] MODEL.gguf...")
	}
	head := "| model | t | tg llama.cpp | tg Plume mapped | tg Plume huge pages | huge / mapped | mapped / llama.cpp | huge / llama.cpp | load ms mapped | load ms huge |"
	rule := "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	if c.membw != "" {
		head += " membw GB/s | huge-page decode GB/s (% of membw) |"
		rule += " ---: | ---: |"
	}
	fmt.Println(head)
	fmt.Println(rule)
	for _, model := range flag.Args() {
		for _, t := range c.threads {
			row, err := measure(c, model, t)
			if err != nil {
				fatalf("%v", err)
			}
			fmt.Println(row)
		}
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "weights-bench: "+format+"\n", args...)
	os.Exit(1)
}

// measure runs the rounds for one model and thread count and formats the row.
func measure(c config, model string, threads int) (string, error) {
	var llama, mapped, huge, loadMapped, loadHuge, bws, hugeGBs, shares []float64
	for round := range c.rounds {
		l, err := llamaTG(c.llama, model, threads)
		if err != nil {
			return "", err
		}
		// The two layouts take turns going first: a process that starts
		// right after another one exits sees the memory that one freed
		// being handed back (see scripts/api-bench's defaultSettle).
		var m, lm, h, lh float64
		var weightBytes int64
		for _, w := range layoutOrder(round) {
			r, err := plumeTG(c.plume, model, threads, w)
			if err != nil {
				return "", err
			}
			if w == "mapped" {
				m, lm = r.TokensPerSecond, r.LoadMillis
			} else {
				h, lh, weightBytes = r.TokensPerSecond, r.LoadMillis, r.WeightBytes
			}
		}
		if c.membw != "" {
			bw, err := bwprobe.Read(c.membw, threads)
			if err != nil {
				return "", err
			}
			gbs := h * float64(weightBytes) / 1e9
			bws, hugeGBs, shares = append(bws, bw), append(hugeGBs, gbs), append(shares, 100*gbs/bw)
			fmt.Fprintf(os.Stderr, "weights-bench: membw %.1f GB/s, huge pages %.2f GB/s (%.0f%%)\n", bw, gbs, 100*gbs/bw)
		}
		fmt.Fprintf(os.Stderr, "weights-bench: %s t=%d round %d: llama.cpp %.2f, mapped %.2f, huge pages %.2f t/s\n",
			filepath.Base(model), threads, round+1, l, m, h)
		llama, mapped, huge = append(llama, l), append(mapped, m), append(huge, h)
		loadMapped, loadHuge = append(loadMapped, lm), append(loadHuge, lh)
	}
	lmean, lsd := stats.MeanSD(llama)
	mmean, msd := stats.MeanSD(mapped)
	hmean, hsd := stats.MeanSD(huge)
	lm, _ := stats.MeanSD(loadMapped)
	lh, _ := stats.MeanSD(loadHuge)
	row := fmt.Sprintf("| %s | %d | %.2f ± %.2f | %.2f ± %.2f | %.2f ± %.2f | %.3f | %.3f | %.3f | %.0f | %.0f |",
		strings.TrimSuffix(filepath.Base(model), ".gguf"), threads, lmean, lsd, mmean, msd, hmean, hsd,
		hmean/mmean, mmean/lmean, hmean/lmean, lm, lh)
	if c.membw != "" {
		bw, bsd := stats.MeanSD(bws)
		gbs, _ := stats.MeanSD(hugeGBs)
		share, ssd := stats.MeanSD(shares)
		row += fmt.Sprintf(" %.1f ± %.1f | %.2f (%.0f ± %.0f%%) |", bw, bsd, gbs, share, ssd)
	}
	return row, nil
}

// layoutOrder is the order of the two plume bench runs of a round.
func layoutOrder(round int) []string {
	if round%2 == 0 {
		return []string{"mapped", "private"}
	}
	return []string{"private", "mapped"}
}

// llamaTG runs llama-bench's tg test once (after its warm-up) and returns
// its tokens/s.
func llamaTG(bin, model string, threads int) (float64, error) {
	out, err := exec.Command(bin, "-m", model, "-t", strconv.Itoa(threads), "-p", "0", "-n", strconv.Itoa(genTokens),
		"-r", "1", "-o", "json").Output()
	if err != nil {
		return 0, fmt.Errorf("llama-bench %s: %w", model, err)
	}
	var res []struct {
		AvgTS float64 `json:"avg_ts"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 1 {
		return 0, fmt.Errorf("llama-bench %s: output %q: %v", model, out, err)
	}
	return res[0].AvgTS, nil
}

// plumeTG runs plume bench's tg test once with the weights layout given;
// it fails if the layout asked for was not the one used (a private copy
// refused for lack of memory).
func plumeTG(bin, model string, threads int, weights string) (plumebench.Result, error) {
	r, err := plumebench.TG(nil, bin, model, threads, genTokens, "--weights", weights)
	if err != nil {
		return r, err
	}
	if r.Weights != weights {
		return r, fmt.Errorf("plume bench %s: weights %s, asked for %s", model, r.Weights, weights)
	}
	return r, nil
}
