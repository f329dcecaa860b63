package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// benchmarksFile is the committed BENCHMARKS.md, which scripts/bench writes;
// the merge tests start from zen3File, a copy of it from when it held one
// class (Zen 3), so that a new section measured on another CPU does not
// change what they test.
const (
	benchmarksFile = "../../BENCHMARKS.md"
	zen3File       = "testdata/BENCHMARKS-zen3.md"
)

// zen3Key is the class of the section zen3File holds.
const zen3Key = "amd64/amd-epyc/zen3/avx2"

// readBenchmarks returns zen3File.
func readBenchmarks(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(zen3File)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, b []byte) *report {
	t.Helper()
	rep, err := parseReport(b)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// fakeRun is a measurement of model at threads whose figures are all
// derived from base, as measure would record them.
func fakeRun(model string, threads int, base float64) modelRun {
	res := plumeResult{Kernels: "avx512vnni+avx2+fma", LoadMillis: base, PeakRSSBytes: 100 << 20,
		KVBytes: 8 << 20, ModelBytes: 80 << 20, WeightBytes: 50_000_000}
	return modelRun{Model: model + ".gguf", Threads: threads,
		Llama:      map[string][]float64{"pp": {base, base + 2}, "tg": {base / 4, base/4 + 1}},
		Plume:      map[string][]float64{"pp": {base * 1.5, base*1.5 + 2}, "tg": {base / 3, base/3 + 1}},
		Last:       map[string]plumeResult{"pp": res, "tg": res},
		LlamaTTFT:  []float64{10 * base, 10*base + 4},
		PlumeTTFT:  []float64{6 * base, 6*base + 4},
		Membw:      []float64{20 + float64(threads), 24 + float64(threads)},
		LlamaBuild: "llama-bench build 1 (abc1234) from `../shared/bench`, ggml-cpu variant `zen4` (picked by ggml at start-up among 8)",
	}
}

var zen5 = cpuID{Arch: "amd64", Brand: "AMD EPYC 9B45", Vendor: "AuthenticAMD", Family: 0x1a, Model: 2,
	Features: []string{"avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni"}}

var zen3 = cpuID{Arch: "amd64", Brand: "AMD EPYC 7B13", Vendor: "AuthenticAMD", Family: 0x19, Model: 1,
	Features: []string{"avx2"}}

var runAt = time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)

// sectionText is the part of a rendered file from the cpu key line of
// key to the next section or the kept marker.
func sectionText(t *testing.T, b []byte, key string) string {
	t.Helper()
	s := string(b)
	i := strings.Index(s, "<!-- cpu: "+key+" -->")
	if i < 0 {
		t.Fatalf("no section %s in\n%s", key, s)
	}
	rest := s[i+1:]
	end := len(rest)
	for _, m := range []string{"<!-- cpu: ", keptMarker} {
		if j := strings.Index(rest, m); j >= 0 && j < end {
			end = j
		}
	}
	return s[i : i+1+end]
}

// TestRoundTrip checks that a file render wrote reads back to the same
// bytes: the committed BENCHMARKS.md, and files with several classes and
// runs, with nothing merged, or with a class's own section merged again.
func TestRoundTrip(t *testing.T) {
	committed := readBenchmarks(t)
	two := mustParse(t, committed)
	two.merge(newSection(zen5, config{rounds: 3, threads: []int{1, 2}}, runAt,
		[]modelRun{fakeRun("synth-SmolLM2-135M-Q8_0", 1, 200), fakeRun("synth-SmolLM2-135M-Q8_0", 2, 350)}), true)
	multiRun := mustParse(t, committed)
	multiRun.merge(newSection(zen3, config{rounds: 3, threads: []int{1}}, runAt,
		[]modelRun{fakeRun("synth-Llama-3.2-1B-Q8_0", 1, 30)}), false)
	noKept := mustParse(t, committed)
	noKept.Kept = nil
	live, err := os.ReadFile(benchmarksFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"committed BENCHMARKS.md", live},
		{"BENCHMARKS.md with one class", committed},
		{"two classes", two.render()},
		{"two runs in a section", multiRun.render()},
		{"no kept part", noKept.render()},
		{"no section", (&report{}).render()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustParse(t, tc.file)
			if got := rep.render(); !bytes.Equal(got, tc.file) {
				t.Errorf("parse → render changed the file:\n%s", lineDiff(string(tc.file), string(got)))
			}
			for _, complete := range []bool{true, false} {
				again := mustParse(t, tc.file)
				for _, s := range mustParse(t, tc.file).Sections {
					again.merge(s, complete)
				}
				if got := again.render(); !bytes.Equal(got, tc.file) {
					t.Errorf("merging its own sections (complete %v) changed the file:\n%s", complete, lineDiff(string(tc.file), string(got)))
				}
			}
		})
	}
}

// lineDiff shows the first line where a and b differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return "(same lines)"
}

// TestMergeNewClass checks that a run on another CPU class adds its
// section after the others and leaves every other byte where it was,
// except the CPU classes list, which now names it.
func TestMergeNewClass(t *testing.T) {
	committed := readBenchmarks(t)
	for _, tc := range []struct {
		name     string
		id       cpuID
		gone     string // line of "Not measured" the new class removes
		keyWants string
	}{
		{"Zen 5", zen5, "- AVX-512 VNNI without AMX", "amd64/amd-epyc/zen5/avx2+avx512f+avx512bw+avx512vl+avx512_vnni+avx_vnni"},
		{"Sapphire Rapids", cpuID{Arch: "amd64", Brand: "Intel(R) Xeon(R) Platinum 8488C", Vendor: "GenuineIntel", Family: 6, Model: 0x8f,
			Features: []string{"avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "amx_int8"}},
			"- Intel Xeon with AMX", "amd64/intel-xeon-platinum/sapphirerapids/avx2+avx512f+avx512bw+avx512vl+avx512_vnni+avx_vnni+amx_int8"},
		{"Graviton", cpuID{Arch: "arm64", Brand: "Arm", Vendor: "0x41", Family: 0x41, Model: 0xd40, Features: []string{"asimd", "asimddp", "i8mm"}},
			"- arm64", "arm64/arm/neoversev1/asimd+asimddp+i8mm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustParse(t, committed)
			runs := []modelRun{fakeRun("synth-Qwen2.5-0.5B-Q4_K_M", 1, 80), fakeRun("synth-Qwen2.5-0.5B-Q4_K_M", 2, 140)}
			rep.merge(newSection(tc.id, config{rounds: 3, threads: []int{1, 2}}, runAt, runs), true)
			out := rep.render()
			if got, want := sectionText(t, out, zen3Key), sectionText(t, committed, zen3Key); got != want {
				t.Errorf("the Zen 3 section changed:\n%s", lineDiff(want, got))
			}
			if !bytes.HasSuffix(out, mustParse(t, committed).Kept) {
				t.Error("the kept part is gone")
			}
			if tc.id.classKey() != tc.keyWants {
				t.Errorf("key %q, want %q", tc.id.classKey(), tc.keyWants)
			}
			sec := sectionText(t, out, tc.keyWants)
			for _, want := range []string{"## " + tc.id.className() + "\n", "- Run of 2026-12-06 09:30 UTC (every row)",
				"| synth-Qwen2.5-0.5B-Q4_K_M | 2 | 141.0 ± 1.4 | 211.0 ± 1.4 | 1.50× |", "- tg ≥ 1.0× llama.cpp: 2 of 2 rows."} {
				if !strings.Contains(sec, want) {
					t.Errorf("new section lacks %q:\n%s", want, sec)
				}
			}
			if !bytes.Contains(committed, []byte(tc.gone)) || bytes.Contains(out, []byte(tc.gone)) {
				t.Errorf("%q should leave the Not measured list once measured", tc.gone)
			}
			if !bytes.Contains(out, []byte("- ["+tc.id.className()+"](#")) {
				t.Errorf("the CPU classes list does not name %s", tc.id.className())
			}
			// Outside the new section and the classes list, nothing moved.
			trim := func(b []byte) string {
				s := string(b)
				s = strings.Replace(s, sec, "", 1)
				i := strings.Index(s, "## CPU classes")
				j := i + strings.Index(s[i:], "\n<!-- cpu: ")
				return s[:i] + s[j:]
			}
			if trim(out) != trim(committed) {
				t.Errorf("a new class changed other parts of the file:\n%s", lineDiff(trim(committed), trim(out)))
			}
		})
	}
}

// TestMergeOnly checks that a partial run (-only, -t) replaces the rows it
// measured, keeps the class's other rows and their run, says which rows
// come from which run, and that a later complete run replaces them all.
func TestMergeOnly(t *testing.T) {
	committed := readBenchmarks(t)
	oldRows := mustParse(t, committed).Sections[0].Rows
	for _, tc := range []struct {
		name     string
		runs     []modelRun
		threads  []int
		replaced []string // row keys the run measured
		added    int      // rows the class did not have
	}{
		{"one model, both thread counts", []modelRun{fakeRun("synth-SmolLM2-135M-Q8_0", 1, 200), fakeRun("synth-SmolLM2-135M-Q8_0", 2, 350)},
			[]int{1, 2}, []string{"synth-SmolLM2-135M-Q8_0 t=1", "synth-SmolLM2-135M-Q8_0 t=2"}, 0},
		{"one thread count", []modelRun{fakeRun("synth-Llama-3.2-1B-Q4_K_M", 2, 50)},
			[]int{2}, []string{"synth-Llama-3.2-1B-Q4_K_M t=2"}, 0},
		{"a new model", []modelRun{fakeRun("synth-Qwen2.5-1.5B-Q8_0", 1, 20)},
			[]int{1}, []string{"synth-Qwen2.5-1.5B-Q8_0 t=1"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustParse(t, committed)
			rep.merge(newSection(zen3, config{rounds: 3, threads: tc.threads, only: "x", partial: true}, runAt, tc.runs), false)
			if len(rep.Sections) != 1 {
				t.Fatalf("%d sections, want the Zen 3 one only", len(rep.Sections))
			}
			out := rep.render()
			got := mustParse(t, out).Sections[0]
			if len(got.Rows) != len(oldRows)+tc.added {
				t.Fatalf("%d rows, want %d", len(got.Rows), len(oldRows)+tc.added)
			}
			for _, r := range got.Rows {
				measured := false
				for _, k := range tc.replaced {
					measured = measured || r.key() == k
				}
				wantRun := "2026-11-29 12:53 UTC"
				if measured {
					wantRun = "2026-12-06 09:30 UTC"
				}
				if r.Run != wantRun {
					t.Errorf("row %s: run %s, want %s", r.key(), r.Run, wantRun)
				}
				for _, o := range oldRows {
					if o.key() == r.key() && !measured && o != r {
						t.Errorf("row %s changed: %+v → %+v", r.key(), o, r)
					}
					if o.key() == r.key() && measured && o == r {
						t.Errorf("row %s was not replaced", r.key())
					}
				}
			}
			var kept []string
			for _, o := range oldRows {
				if !strings.Contains(strings.Join(tc.replaced, ","), o.key()) {
					kept = append(kept, o.key())
				}
			}
			sec := sectionText(t, out, zen3Key)
			for _, want := range []string{"- Run of 2026-12-06 09:30 UTC (rows " + strings.Join(tc.replaced, ", ") + "): ",
				"- Run of 2026-11-29 12:53 UTC (rows " + strings.Join(kept, ", ") + "): "} {
				if !strings.Contains(sec, want) {
					t.Errorf("section lacks %q:\n%s", want, sec)
				}
			}
			if strings.Index(sec, "2026-12-06 09:30 UTC (rows") > strings.Index(sec, "2026-11-29 12:53 UTC (rows") {
				t.Error("the newer run is not listed first")
			}
			// A complete run afterwards replaces the whole section.
			rep.merge(newSection(zen3, config{rounds: 3, threads: []int{1}}, runAt.Add(time.Hour), tc.runs[:1]), true)
			if s := rep.Sections[0]; len(s.Rows) != 1 || len(s.Runs) != 1 || s.Runs[0].Date != "2026-12-06 10:30 UTC" {
				t.Errorf("complete run left %d rows and %d runs", len(s.Rows), len(s.Runs))
			}
		})
	}
}

// TestParseErrors checks that what render does not write is refused with
// an error naming the line, not dropped.
func TestParseErrors(t *testing.T) {
	committed := string(readBenchmarks(t))
	row := "| synth-SmolLM2-135M-Q8_0 | 1 | 221.6 ± 38.4 |"
	for _, tc := range []struct {
		name, old, new string
	}{
		{"hand-written line", "### Speed\n", "### Speed\n\nSee below.\n"},
		{"bad number", row, "| synth-SmolLM2-135M-Q8_0 | 1 | 221.6 ± x |"},
		{"bad thread count", row, "| synth-SmolLM2-135M-Q8_0 | 0 | 221.6 ± 38.4 |"},
		{"model name with spaces", row, "| synth SmolLM2 | 1 | 221.6 ± 38.4 |"},
		{"second section of a class", "<!-- kept", "<!-- cpu: " + zen3Key + " -->\n## Again\n\n<!-- kept"},
		{"no heading", "## AMD EPYC (Zen 3 class, AVX2)\n", "\n"},
		{"bad run date", "Run of 2026-11-29 12:53 UTC", "Run of 2026-13-29 12:53 UTC"},
		{"no run", "- Run of 2026-11-29", "- Ran on 2026-11-29"},
		{"two runs of one date", "\n\n### Speed", "\n- Run of 2026-11-29 12:53 UTC (every row): 1 logical CPU; go; Plume kernels `x`; 1 alternating round.\n  - llama.cpp: x.\n\n### Speed"},
		{"start-up row without speed row", "| TinyStories-656K-Q8_0 | 2 | 1 | 42 |", "| TinyStories-656K-Q8_1 | 2 | 1 | 42 |"},
		{"row missing from the run lists", "(every row)", "(rows synth-SmolLM2-135M-Q8_0 t=1)"},
		{"cells missing", "| 1.02× |", "|"},
		{"table outside a section (the format before classes)", "## CPU classes\n", "## Speed\n\n| synth-X | 1 |\n\n## CPU classes\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(committed, tc.old) {
				t.Fatalf("the committed file has no %q", tc.old)
			}
			_, err := parseReport([]byte(strings.Replace(committed, tc.old, tc.new, 1)))
			if !errors.Is(err, errFormat) {
				t.Fatalf("err = %v, want a format error", err)
			}
			if !strings.Contains(err.Error(), "line ") && !strings.Contains(err.Error(), "section ") {
				t.Errorf("error %q names no line or section", err)
			}
		})
	}
}

// FuzzParseReport checks that any input either fails with a format error
// or reads back the same once rendered (render's output is a fixed point).
func FuzzParseReport(f *testing.F) {
	b, err := os.ReadFile(benchmarksFile)
	if err != nil {
		f.Skip("no BENCHMARKS.md")
	}
	f.Add(b)
	f.Add([]byte("<!-- cpu: a/b/c/d -->\n## X\n\n- Run of 2026-01-02 03:04 UTC (every row): 1 logical CPU; go; Plume kernels ``; 1 alternating round.\n  - llama.cpp: x.\n"))
	f.Add([]byte(keptMarker + "\nx"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rep, err := parseReport(in)
		if err != nil {
			if !errors.Is(err, errFormat) {
				t.Fatalf("error %v is not a format error", err)
			}
			return
		}
		once := rep.render()
		rep2, err := parseReport(once)
		if err != nil {
			t.Fatalf("render's output does not parse: %v\n%s", err, once)
		}
		if twice := rep2.render(); !bytes.Equal(once, twice) {
			t.Fatalf("render is not a fixed point:\n%s", lineDiff(string(once), string(twice)))
		}
	})
}

// TestMergeStandIn checks that a stand-in run (-kernels) gets a section of
// its own beside the native one of the same CPU, listed as a stand-in, that
// it takes no class off "Not measured", that a second stand-in run replaces
// only it, and that the file round-trips.
func TestMergeStandIn(t *testing.T) {
	committed := readBenchmarks(t)
	rep := mustParse(t, committed)
	runs := []modelRun{fakeRun("synth-Llama-3.2-1B-Q8_0", 1, 60)}
	native := newSection(zen5, config{rounds: 3, threads: []int{1}}, runAt, runs)
	rep.merge(native, true)
	before := rep.render()
	for _, set := range []string{"avxvnni", "avx512"} {
		rep.merge(newSection(zen5, config{rounds: 3, threads: []int{1}, kernels: set}, runAt, runs), true)
	}
	rep.merge(newSection(zen5, config{rounds: 3, threads: []int{1}, kernels: "avxvnni"}, runAt, runs), true)
	out := rep.render()
	if n := len(mustParse(t, out).Sections); n != len(mustParse(t, committed).Sections)+3 {
		t.Fatalf("%d sections, want the committed ones, the native Zen 5 and two stand-ins", n)
	}
	if again := mustParse(t, out).render(); !bytes.Equal(again, out) {
		t.Errorf("parse → render changed the file:\n%s", lineDiff(string(out), string(again)))
	}
	key := standInKey(zen5.classKey(), "avxvnni")
	if key != zen5.classKey()+"/as-avxvnni" {
		t.Errorf("stand-in key %q", key)
	}
	if got, want := sectionText(t, out, zen5.classKey()), sectionText(t, before, zen5.classKey()); got != want {
		t.Errorf("the native section changed:\n%s", lineDiff(want, got))
	}
	sec := sectionText(t, out, key)
	if !strings.Contains(sec, "## Stand-in: the avxvnni set on "+zen5.className()+"\n") {
		t.Errorf("stand-in heading missing:\n%s", sec)
	}
	s := string(out)
	list := s[strings.Index(s, "\nStand-ins ("):strings.Index(s, "\nNot measured:")]
	if !strings.Contains(list, "- [Stand-in: the avxvnni set on ") || !strings.Contains(list, "- [Stand-in: the avx512 set on ") {
		t.Errorf("stand-ins not listed:\n%s", list)
	}
	for _, still := range []string{"- AVX-VNNI without AVX-512", "- AVX-512 without VNNI"} {
		if !strings.Contains(s, still) {
			t.Errorf("a stand-in took %q off the Not measured list", still)
		}
	}
}

// TestBandwidthTarget checks which rows get a decode bandwidth target: the
// 1B Q4_K_M model's everywhere, the 1B Q8_0 model's on AVX-512 classes
// only (issue #16), neither for other models.
func TestBandwidthTarget(t *testing.T) {
	for _, tc := range []struct {
		key, model string
		want       bool
	}{
		{zen3Key, "synth-Llama-3.2-1B-Q4_K_M", true},
		{zen3Key, "synth-Llama-3.2-1B-Q8_0", false},
		{zen5.classKey(), "synth-Llama-3.2-1B-Q8_0", true},
		{zen5.classKey(), "synth-Llama-3.2-1B-Q4_K_M", true},
		{zen5.classKey(), "synth-Qwen2.5-0.5B-Q8_0", false},
		{standInKey(zen5.classKey(), "avx2"), "synth-Llama-3.2-1B-Q8_0", false},
	} {
		if got := bandwidthTarget(tc.key, tc.model); got != tc.want {
			t.Errorf("bandwidthTarget(%q, %q) = %v, want %v", tc.key, tc.model, got, tc.want)
		}
	}
}
