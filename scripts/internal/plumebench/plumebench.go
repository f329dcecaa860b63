// Package plumebench runs `plume bench`'s decode test for the benchmark
// scripts (scripts/api-bench, scripts/weights-bench): one process, its
// warm-up, then one measured tg run.
package plumebench

import (
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strconv"
)

// Result is what one tg run reports.
type Result struct {
	TokensPerSecond float64 // the measured run's decode speed
	LoadMillis      float64 // plume bench's load time
	Weights         string  // where the weights were: "mapped" or "private"
	WeightBytes     int64   // weight bytes read per decoded token
}

// TG runs `plume bench --model model -t threads -p 0 -n gen -r 1 --json`
// with the extra flags given, its progress lines to stderr (nil: kept for
// the error), and returns its one tg<gen> result.
func TG(stderr io.Writer, bin, model string, threads, gen int, extra ...string) (Result, error) {
	args := append([]string{"bench", "--model", model, "-t", strconv.Itoa(threads), "-p", "0",
		"-n", strconv.Itoa(gen), "-r", "1", "--json"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return Result{}, fmt.Errorf("plume bench %s: %w", model, err)
	}
	var res []struct {
		Test       string    `json:"test"`
		SamplesTS  []float64 `json:"samples_ts"`
		LoadMillis float64   `json:"load_ms"`
		Weights    string    `json:"weights"`
		WeightB    int64     `json:"weight_bytes_per_token"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return Result{}, fmt.Errorf("plume bench %s: output: %w", model, err)
	}
	for _, r := range res {
		if r.Test == "tg"+strconv.Itoa(gen) && len(r.SamplesTS) == 1 {
			return Result{TokensPerSecond: r.SamplesTS[0], LoadMillis: r.LoadMillis, Weights: r.Weights, WeightBytes: r.WeightB}, nil
		}
	}
	return Result{}, fmt.Errorf("plume bench %s: no tg%d test in %s", model, gen, out)
}
