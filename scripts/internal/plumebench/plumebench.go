// Package plumebench runs `plume bench --json` for the benchmark scripts:
// Run any such command (scripts/ab), TG its decode test alone
// (scripts/api-bench, scripts/weights-bench: one process, its warm-up,
// then one measured tg run).
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
	Weights         string  // where the weights were: "hybrid", "mapped" or "private"
	WeightBytes     int64   // weight bytes read per decoded token
}

// Row is one test of `plume bench --json`, the fields the scripts read.
type Row struct {
	Test        string    `json:"test"`
	AvgTS       float64   `json:"avg_ts"`
	SamplesTS   []float64 `json:"samples_ts"`
	Kernels     string    `json:"kernels"`
	LoadMillis  float64   `json:"load_ms"`
	Weights     string    `json:"weights"`
	WeightBytes int64     `json:"weight_bytes_per_token"`
}

// Run runs cmd, a `plume bench ... --json` (its Stderr as the caller set
// it), and returns its tests; what names the run in errors.
func Run(what string, cmd *exec.Cmd) ([]Row, error) {
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var rows []Row
	if err := json.Unmarshal(out, &rows); err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("%s: not plume bench --json output (%v): %.200q", what, err, out)
	}
	return rows, nil
}

// TG runs `plume bench --model model -t threads -p 0 -n gen -r 1 --json`
// with the extra flags given, its progress lines to stderr (nil: kept for
// the error), and returns its one tg<gen> result.
func TG(stderr io.Writer, bin, model string, threads, gen int, extra ...string) (Result, error) {
	args := append([]string{"bench", "--model", model, "-t", strconv.Itoa(threads), "-p", "0",
		"-n", strconv.Itoa(gen), "-r", "1", "--json"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stderr = stderr
	rows, err := Run("plume bench "+model, cmd)
	if err != nil {
		return Result{}, err
	}
	for _, r := range rows {
		if r.Test == "tg"+strconv.Itoa(gen) && len(r.SamplesTS) == 1 {
			return Result{TokensPerSecond: r.SamplesTS[0], LoadMillis: r.LoadMillis, Weights: r.Weights, WeightBytes: r.WeightBytes}, nil
		}
	}
	return Result{}, fmt.Errorf("plume bench %s: no tg%d test in %+v", model, gen, rows)
}
