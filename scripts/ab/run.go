package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plumewriter/plume/scripts/internal/plumebench"
	"github.com/plumewriter/plume/scripts/internal/stats"
)

// results holds each variant's value per test and round (tokens/s, the
// mean of the -r runs of one plume bench call) and the kernel sets it
// reported.
type results struct {
	tests   []string                        // "pp128", "tg64", in plume bench's order
	speed   map[string]map[string][]float64 // label → test → one value a round
	kernels map[string][]string             // label → distinct kernel sets seen
	started time.Time
}

// run makes the rounds: round i runs the variants from variant i mod k on.
func run(c config, stderr io.Writer) (*results, error) {
	r := &results{speed: map[string]map[string][]float64{}, kernels: map[string][]string{}, started: time.Now().UTC()}
	k := len(c.variants)
	for round := range c.rounds {
		for j := range k {
			v := c.variants[(round+j)%k]
			rows, err := benchOnce(c, v)
			if err != nil {
				return nil, fmt.Errorf("round %d, %s: %w", round+1, v.label, err)
			}
			if err := r.add(v.label, rows, round); err != nil {
				return nil, fmt.Errorf("round %d, %s: %w", round+1, v.label, err)
			}
			fmt.Fprintf(stderr, "ab: round %d/%d %s:%s\n", round+1, c.rounds, v.label, rowsText(rows))
		}
	}
	return r, nil
}

// add records one call's rows as round's values of label, checking that
// every call reports the same tests.
func (r *results) add(label string, rows []plumebench.Row, round int) error {
	if r.tests == nil {
		for _, x := range rows {
			r.tests = append(r.tests, x.Test)
		}
	}
	if len(rows) != len(r.tests) {
		return fmt.Errorf("%d tests reported, want %d (%v)", len(rows), len(r.tests), r.tests)
	}
	if r.speed[label] == nil {
		r.speed[label] = map[string][]float64{}
	}
	for i, x := range rows {
		if x.Test != r.tests[i] || !(x.AvgTS > 0) || math.IsInf(x.AvgTS, 0) {
			return fmt.Errorf("test %q at %.3g tok/s, want %s at a positive speed", x.Test, x.AvgTS, r.tests[i])
		}
		if got := len(r.speed[label][x.Test]); got != round {
			return fmt.Errorf("test %s reported twice", x.Test)
		}
		r.speed[label][x.Test] = append(r.speed[label][x.Test], x.AvgTS)
		if !slices.Contains(r.kernels[label], x.Kernels) {
			r.kernels[label] = append(r.kernels[label], x.Kernels)
		}
	}
	return nil
}

// benchOnce runs one plume bench of variant v and returns its tests.
func benchOnce(c config, v variant) ([]plumebench.Row, error) {
	cmd := exec.Command(v.bin, "bench", "--model", c.model, "-p", strconv.Itoa(c.prompt), "-n", strconv.Itoa(c.gen),
		"-t", strconv.Itoa(c.threads), "-r", strconv.Itoa(c.reps), "--weights", c.weights, "--json")
	cmd.Env = append(os.Environ(), v.env...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	rows, err := plumebench.Run(v.bin, cmd)
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, lastLines(errOut.String(), 5))
	}
	return rows, nil
}

func rowsText(rows []plumebench.Row) string {
	var b strings.Builder
	for _, x := range rows {
		fmt.Fprintf(&b, " %s %.2f tok/s", x.Test, x.AvgTS)
	}
	return b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// verdict reads a ratio's confidence interval.
func verdict(lo, hi float64) string {
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi):
		return "—"
	case lo > 1:
		return "faster"
	case hi < 1:
		return "slower"
	}
	return "no difference detected"
}

// markdown is the report: the run, then one row per test and variant.
func (r *results) markdown(c config) string {
	var b strings.Builder
	base := c.variants[0].label
	fmt.Fprintf(&b, "A/B of %s, %s UTC: %d rounds (variant order rotating), plume bench -p %d -n %d -t %d -r %d --weights %s.\n\n",
		c.model, r.started.Format("2006-01-02 15:04"), c.rounds, c.prompt, c.gen, c.threads, c.reps, c.weights)
	for _, v := range c.variants {
		fmt.Fprintf(&b, "- %s: %s %s (kernels %s)\n", v.label, v.bin, strings.Join(v.env, " "), strings.Join(r.kernels[v.label], ", "))
	}
	fmt.Fprintf(&b, "\n| test | variant | tok/s | per round | vs %s | 95%% CI | verdict |\n|---|---|---:|---|---:|---|---|\n", base)
	for _, test := range r.tests {
		a := r.speed[base][test]
		for _, v := range c.variants {
			x := r.speed[v.label][test]
			m, sd := stats.MeanSD(x)
			ratio, ci, verd := "1", "", "(reference)"
			if v.label != base {
				geo, lo, hi := stats.RatioCI(stats.PairedRatios(x, a))
				ratio, ci, verd = fmt.Sprintf("%.3f×", geo), fmt.Sprintf("%.3f–%.3f", lo, hi), verdict(lo, hi)
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f ± %.2f | %s | %s | %s | %s |\n", test, v.label, m, sd, joinF(x), ratio, ci, verd)
		}
	}
	return b.String()
}

func joinF(x []float64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strings.Join(s, " ")
}
