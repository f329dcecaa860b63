package main

// Reading BENCHMARKS.md back into a report (report.go writes it), so that
// a run on one CPU class keeps the other classes' sections and, when it
// measured only some rows, the class's other rows. The generated header and
// the targets are not read: render computes them again. Anything else that
// is not what render writes is an error naming its line, so that a hand
// edit is caught rather than dropped.

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// errFormat is wrapped by every error of parseReport.
var errFormat = errors.New("BENCHMARKS.md format")

// runDate is the layout of benchRun.Date.
const runDate = "2006-01-02 15:04 UTC"

var (
	sectionLine = regexp.MustCompile(`^<!-- cpu: ([a-z0-9_+./-]+) -->$`)
	runLine     = regexp.MustCompile("^- Run of ([0-9: -]+ UTC) \\((every row|rows [^()]+)\\): ([0-9]+) logical CPUs?; ([^;`]+); Plume kernels `([^`]*)`(?:; Plume weights `([^`]+)`)?; ([0-9]+) alternating rounds?\\.$")
	llamaLine   = regexp.MustCompile(`^  - llama\.cpp: (.+)\.$`)
	membwLine   = regexp.MustCompile(`^  - Memory read bandwidth \(membw\.c, ([0-9]+) threads?, measured in every round\): (\S+)–(\S+) GB/s, mean (\S+)\.$`)
	modelName   = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// parseReport reads a BENCHMARKS.md that render wrote (or that has no
// section yet: then only its kept tail is read).
func parseReport(b []byte) (*report, error) {
	rep := &report{}
	top := b
	if i := bytes.Index(b, []byte(keptMarker)); i >= 0 {
		top, rep.Kept = b[:i], bytes.Clone(b[i:])
	}
	lines := strings.Split(string(top), "\n")
	start := -1
	for i := 0; i <= len(lines); i++ {
		if i < len(lines) && !sectionLine.MatchString(lines[i]) {
			if start < 0 && strings.HasPrefix(lines[i], "| ") {
				// The header is written again, a table there would be lost
				// (the file before sections per CPU class had its tables there).
				return nil, fmt.Errorf("%w: line %d: a table outside any CPU class section", errFormat, i+1)
			}
			continue
		}
		if start >= 0 {
			s, err := parseSection(lines[start:i], start+1)
			if err != nil {
				return nil, err
			}
			for _, o := range rep.Sections {
				if o.Key == s.Key {
					return nil, fmt.Errorf("%w: line %d: a second section for cpu %s", errFormat, start+1, s.Key)
				}
			}
			rep.Sections = append(rep.Sections, s)
		}
		start = i
	}
	return rep, nil
}

// sectionParser holds the state of parseSection.
type sectionParser struct {
	sec     section
	table   string            // the ### heading the lines are under
	runRows map[string]string // row key → run date, from the run lines
	every   string            // the run of "every row" not listed by another run
	started map[string]bool   // row keys that have their start-up row
}

// parseSection reads one section's lines; first is the line number of lines[0].
func parseSection(lines []string, first int) (section, error) {
	p := sectionParser{runRows: map[string]string{}, started: map[string]bool{}}
	p.sec.Key = sectionLine.FindStringSubmatch(lines[0])[1]
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "## ") || strings.TrimSpace(lines[1][3:]) == "" {
		return section{}, fmt.Errorf("%w: line %d: no \"## CPU class\" heading after the cpu key", errFormat, first+1)
	}
	p.sec.Name = lines[1][3:]
	for i, line := range lines[2:] {
		if err := p.line(line); err != nil {
			return section{}, fmt.Errorf("%w: line %d: %w", errFormat, first+2+i, err)
		}
	}
	return p.finish()
}

func (p *sectionParser) line(line string) error {
	switch {
	case line == "":
		return nil
	case strings.HasPrefix(line, "### "):
		p.table = line[4:]
		return nil
	case p.table == "":
		return p.runInfo(line)
	case p.table == "Speed" && strings.HasPrefix(line, "| "):
		return p.speedRow(line)
	case p.table == "Start-up and memory" && strings.HasPrefix(line, "| "):
		return p.startRow(line)
	case p.table == "Targets (on the means above)" && strings.HasPrefix(line, "- "):
		return nil // computed again by render
	}
	return fmt.Errorf("unexpected line %q under %q", line, p.table)
}

// runInfo reads the lines that describe the runs, before the tables.
func (p *sectionParser) runInfo(line string) error {
	runs := p.sec.Runs
	if m := runLine.FindStringSubmatch(line); m != nil {
		if _, err := time.Parse(runDate, m[1]); err != nil {
			return fmt.Errorf("run date: %w", err)
		}
		if slices.ContainsFunc(runs, func(r benchRun) bool { return r.Date == m[1] }) {
			return fmt.Errorf("a second run of %s", m[1])
		}
		run := benchRun{Date: m[1], Go: m[4], Kernels: m[5], Weights: m[6]}
		var err1, err2 error
		run.CPUs, err1 = strconv.Atoi(m[3])
		run.Rounds, err2 = strconv.Atoi(m[7])
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if rows, ok := strings.CutPrefix(m[2], "rows "); ok {
			for _, k := range strings.Split(rows, ", ") {
				p.runRows[k] = run.Date
			}
		} else {
			p.every = run.Date
		}
		p.sec.Runs = append(runs, run)
		return nil
	}
	if len(runs) == 0 {
		return fmt.Errorf("%q before any run line", line)
	}
	last := &p.sec.Runs[len(runs)-1]
	if m := llamaLine.FindStringSubmatch(line); m != nil {
		last.Llama = m[1]
		return nil
	}
	if m := membwLine.FindStringSubmatch(line); m != nil {
		t, err := strconv.Atoi(m[1])
		f, ferr := parseFloats(m[2:])
		if err = errors.Join(err, ferr); err != nil {
			return fmt.Errorf("memory bandwidth: %w", err)
		}
		last.Membw = append(last.Membw, membw{Threads: t, Min: f[0], Max: f[1], Mean: f[2]})
		return nil
	}
	return fmt.Errorf("unexpected line %q", line)
}

// tableCells splits a table row into its n trimmed cells, and checks its
// model and thread count.
func tableCells(line string, n int) (model string, threads int, cells []string, err error) {
	if !strings.HasSuffix(line, " |") {
		return "", 0, nil, fmt.Errorf("table row %q does not end with \" |\"", line)
	}
	cells = strings.Split(line[2:len(line)-2], " | ")
	if len(cells) != n {
		return "", 0, nil, fmt.Errorf("table row %q: %d cells, want %d", line, len(cells), n)
	}
	if cells[0] == "model" || cells[0] == "---" {
		return "", 0, nil, nil // header and rule: written again by render
	}
	if !modelName.MatchString(cells[0]) {
		return "", 0, nil, fmt.Errorf("model name %q", cells[0])
	}
	threads, err = strconv.Atoi(cells[1])
	if err != nil || threads < 1 {
		return "", 0, nil, fmt.Errorf("thread count %q", cells[1])
	}
	return cells[0], threads, cells[2:], nil
}

// parseFloats parses each string as a float64.
func parseFloats(s []string) ([]float64, error) {
	out := make([]float64, len(s))
	for i, x := range s {
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

// cellNumbers splits cells of the forms "a ± b", "r×" and "g (p%)" into
// their numbers, in order.
func cellNumbers(cells []string) ([]float64, error) {
	var nums []string
	for _, c := range cells {
		switch {
		case strings.Contains(c, " ± "):
			a, b, _ := strings.Cut(c, " ± ")
			nums = append(nums, a, b)
		case strings.HasSuffix(c, "×"):
			nums = append(nums, strings.TrimSuffix(c, "×"))
		case strings.HasSuffix(c, "%)"):
			a, b, ok := strings.Cut(strings.TrimSuffix(c, "%)"), " (")
			if !ok {
				return nil, fmt.Errorf("cell %q", c)
			}
			nums = append(nums, a, b)
		default:
			nums = append(nums, c)
		}
	}
	return parseFloats(nums)
}

// rowNumbers reads a table row of cells cells holding numbers numbers
// after its model and thread count ("" for the header and the rule).
func rowNumbers(line string, cells, numbers int) (model string, threads int, f []float64, err error) {
	model, threads, c, err := tableCells(line, cells)
	if err != nil || model == "" {
		return "", 0, nil, err
	}
	f, err = cellNumbers(c)
	if err != nil || len(f) != numbers {
		return "", 0, nil, fmt.Errorf("row %q: %d numbers, want %d (%v)", line, len(f), numbers, err)
	}
	return model, threads, f, nil
}

func (p *sectionParser) speedRow(line string) error {
	model, t, f, err := rowNumbers(line, 10, 14)
	if err != nil || model == "" {
		return err
	}
	r := row{Model: model, Threads: t,
		PPLlama: f[0], PPLlamaSD: f[1], PPPlume: f[2], PPPlumeSD: f[3], PPRatio: f[4],
		TGLlama: f[5], TGLlamaSD: f[6], TGPlume: f[7], TGPlumeSD: f[8], TGRatio: f[9],
		GBLlama: f[10], PctLlama: f[11], GBPlume: f[12], PctPlume: f[13]}
	for _, o := range p.sec.Rows {
		if o.key() == r.key() {
			return fmt.Errorf("a second speed row for %s", r.key())
		}
	}
	p.sec.Rows = append(p.sec.Rows, r)
	return nil
}

func (p *sectionParser) startRow(line string) error {
	model, t, f, err := rowNumbers(line, 8, 6)
	if err != nil || model == "" {
		return err
	}
	key := row{Model: model, Threads: t}.key()
	for i := range p.sec.Rows {
		if r := &p.sec.Rows[i]; r.key() == key {
			if p.started[key] {
				return fmt.Errorf("a second start-up row for %s", key)
			}
			p.started[key] = true
			r.LoadMs, r.TTFTLlama, r.TTFTPlume, r.TTFTRatio, r.RSSMiB, r.BudgetMiB = f[0], f[1], f[2], f[3], f[4], f[5]
			return nil
		}
	}
	return fmt.Errorf("start-up row %s has no speed row", key)
}

// finish gives each row its run, checks that every row has both tables,
// and drops the runs no row comes from.
func (p *sectionParser) finish() (section, error) {
	s := p.sec
	if len(s.Runs) == 0 {
		return section{}, fmt.Errorf("%w: section %s has no run line", errFormat, s.Key)
	}
	for _, run := range s.Runs {
		if run.Llama == "" {
			return section{}, fmt.Errorf("%w: section %s: run of %s has no llama.cpp line", errFormat, s.Key, run.Date)
		}
	}
	for i := range s.Rows {
		r := &s.Rows[i]
		if r.Run = p.runRows[r.key()]; r.Run == "" {
			r.Run = p.every
		}
		if r.Run == "" {
			return section{}, fmt.Errorf("%w: section %s: no run lists row %s", errFormat, s.Key, r.key())
		}
		if !p.started[r.key()] {
			return section{}, fmt.Errorf("%w: section %s: row %s has no start-up row", errFormat, s.Key, r.key())
		}
	}
	if len(s.Rows) > 0 {
		s.Runs = slices.DeleteFunc(s.Runs, func(run benchRun) bool {
			return !slices.ContainsFunc(s.Rows, func(r row) bool { return r.Run == run.Date })
		})
	}
	return s, nil
}
