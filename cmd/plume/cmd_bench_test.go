package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/hugepage"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/testutil"
)

func TestBenchOptionsParse(t *testing.T) {
	cases := []struct {
		name    string
		o       benchOptions
		threads string
		wantErr string
		want    []int
	}{
		{"ok", benchOptions{Model: "m", Prompt: 8, Gen: 4, Reps: 1, KV: "f16", Weights: "mapped"}, "1,2", "", []int{1, 2}},
		{"spaces", benchOptions{Model: "m", Prompt: 8, Reps: 1, KV: "f32", Weights: "private"}, " 3 ", "", []int{3}},
		{"bad kv", benchOptions{Model: "m", Prompt: 8, Reps: 1, KV: "q8_0"}, "1", "--kv", nil},
		{"bad weights", benchOptions{Model: "m", Prompt: 8, Reps: 1, KV: "f16", Weights: "huge"}, "1", "--weights", nil},
		{"no model", benchOptions{Prompt: 8, Reps: 1}, "1", "a model is required", nil},
		{"nothing to run", benchOptions{Model: "m", Reps: 1}, "1", "-p 0 -n 0", nil},
		{"negative prompt", benchOptions{Model: "m", Prompt: -1, Reps: 1}, "1", "-p -1", nil},
		{"zero reps", benchOptions{Model: "m", Prompt: 8}, "1", "-r 0", nil},
		{"negative depth", benchOptions{Model: "m", Prompt: 8, Depth: -1, Reps: 1, KV: "f16"}, "1", "-d -1", nil},
		{"bad thread list", benchOptions{Model: "m", Prompt: 8, Reps: 1, KV: "f16", Weights: "mapped"}, "1,x", "-t", nil},
		{"zero threads", benchOptions{Model: "m", Prompt: 8, Reps: 1, KV: "f16", Weights: "mapped"}, "0", "-t", nil},
		{"too many threads", benchOptions{Model: "m", Prompt: 8, Reps: 1, KV: "f16", Weights: "mapped"}, "100000", "-t", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			err := o.parse(c.threads)
			if c.wantErr != "" {
				// The message names the flag to fix: it is what the user reads.
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.wantErr)
				}
				return
			}
			if err != nil || len(o.Threads) != len(c.want) || o.Threads[0] != c.want[0] {
				t.Errorf("%s: threads %v, err %v; want %v", c.name, o.Threads, err, c.want)
			}
		})
	}
}

func TestMeanStddev(t *testing.T) {
	for _, c := range []struct {
		x        []float64
		mean, sd float64
	}{
		{[]float64{5}, 5, 0},
		{[]float64{1, 3}, 2, 1.4142135623730951},
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, 2.138089935299395},
	} {
		if m, s := meanStddev(c.x); m != c.mean || s != c.sd {
			t.Errorf("meanStddev(%v) = %v, %v; want %v, %v", c.x, m, s, c.mean, c.sd)
		}
	}
}

// plume bench runs end to end on a real model: both tests per thread
// count, positive speeds, the kernel path, and a peak RSS at least the size
// of the touched weights.
func TestBenchCommandJSON(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	var out, errOut bytes.Buffer
	cmd := newBenchCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs([]string{"--model", model, "-p", "16", "-n", "4", "-t", "1,2", "-r", "2", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var res []benchResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(res) != 4 {
		t.Fatalf("%d results, want 4 (pp16 and tg4 at 1 and 2 threads)", len(res))
	}
	for i, r := range res {
		wantTest := []string{"pp16", "tg4"}[i%2]
		if r.Test != wantTest || r.Threads != 1+i/2 || len(r.SamplesTS) != 2 || !(r.AvgTS > 0) {
			t.Errorf("result %d: %+v", i, r)
		}
		if r.Kernels != kernels.Path() || r.PeakRSSBytes <= 0 || r.TTFTMillis < r.LoadMillis || r.KVBytes <= 0 {
			t.Errorf("result %d: kernels %q rss %d ttft %.1f load %.1f", i, r.Kernels, r.PeakRSSBytes, r.TTFTMillis, r.LoadMillis)
		}
		if strings.HasPrefix(r.Test, "tg") && !(r.DecodeGBps > 0) {
			t.Errorf("result %d: no decode bandwidth", i)
		}
	}
	if !strings.Contains(errOut.String(), "tok/s") {
		t.Errorf("no progress lines on stderr: %q", errOut.String())
	}
}

func TestBenchCommandMarkdownAndErrors(t *testing.T) {
	var out bytes.Buffer
	if err := writeBenchMarkdown(&out, []benchResult{{Model: "m.gguf", ModelBytes: 1 << 20, Kernels: "generic", Threads: 2,
		Test: "tg64", AvgTS: 12.5, StddevTS: 0.25, DecodeGBps: 1.5, PeakRSSBytes: 3 << 20}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| m.gguf | 1.0 MiB | generic | 2 | tg64 | 12.50 ± 0.25 |") ||
		!strings.Contains(out.String(), "| 3.0 MiB | 1.50 |") {
		t.Errorf("markdown:\n%s", out.String())
	}
	cmd := newBenchCmd()
	cmd.SetArgs([]string{"-p", "4"})
	var ue usageError
	if err := cmd.Execute(); !errors.As(err, &ue) {
		t.Errorf("missing --model: %v, want a usage error", err)
	}
	cmd = newBenchCmd()
	cmd.SetArgs([]string{"--model", "/nonexistent.gguf", "-p", "4", "-n", "0"})
	if err := cmd.Execute(); err == nil || errors.As(err, &ue) {
		t.Errorf("missing file: %v, want a plain error", err)
	}
}

// With --no-warmup the cold first prompt is the measured run: its speed is
// the one implied by the time to first token.
func TestBenchNoWarmup(t *testing.T) {
	res := benchJSON(t, "-p", "16", "-n", "0", "-t", "1", "-r", "1", "--no-warmup")
	if len(res) != 1 || len(res[0].SamplesTS) != 1 {
		t.Fatalf("want one pp result with one sample: %+v", res)
	}
	r := res[0]
	implied := 16 / ((r.TTFTMillis - r.LoadMillis) / 1e3)
	if math.Abs(implied-r.SamplesTS[0]) > 1e-6*implied {
		t.Errorf("sample %.3f tok/s, TTFT-implied %.3f: the first run was not the measured one", r.SamplesTS[0], implied)
	}
}

// With -d the tests run after that many cached tokens: their names say so
// (llama-bench's "pp8 @ d40"), the cache is sized for them, and each test
// starts from exactly the depth tokens, filled once and kept.
func TestBenchDepth(t *testing.T) {
	res := benchJSON(t, "-p", "8", "-n", "4", "-d", "40", "-t", "1", "-r", "2")
	if len(res) != 2 {
		t.Fatalf("want two results: %+v", res)
	}
	for i, want := range []string{"pp8 @ d40", "tg4 @ d40"} {
		if r := res[i]; r.Test != want || r.NDepth != 40 || !(r.AvgTS > 0) {
			t.Errorf("result %d: test %q depth %d speed %v, want %q at depth 40", i, r.Test, r.NDepth, r.AvgTS, want)
		}
	}

	bm, err := loadBenchModel(context.Background(), testutil.Fixture(t, "stories260K.gguf"), engine.WeightsMapped)
	if err != nil {
		t.Fatal(err)
	}
	defer bm.file.Close()
	st, err := bm.m.NewState(64)
	if err != nil {
		t.Fatal(err)
	}
	depth := []int32{5, 6, 7, 8, 9}
	ctx := context.Background()
	for step, extra := range []int{0, 3, 0} {
		if err := holdOnly(ctx, bm.m, nil, st, depth); err != nil {
			t.Fatal(err)
		}
		if st.Len() != len(depth) {
			t.Fatalf("step %d: %d cached positions, want the %d depth tokens", step, st.Len(), len(depth))
		}
		for range extra { // a test's tokens after the depth, dropped by the next holdOnly
			if _, err := bm.m.Forward(ctx, nil, st, []int32{11}, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := holdOnly(ctx, bm.m, nil, st, nil); err != nil || st.Len() != 0 {
		t.Errorf("no depth: %v, %d cached positions, want an empty cache", err, st.Len())
	}
}

// benchJSON runs plume bench --json with args on the stories260K fixture
// and returns its results.
func benchJSON(t *testing.T, args ...string) []benchResult {
	t.Helper()
	var out bytes.Buffer
	cmd := newBenchCmd()
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(append([]string{"--model", testutil.Fixture(t, "stories260K.gguf"), "--json"}, args...))
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var res []benchResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	return res
}

// --weights picks where the weights live, and the JSON says where they
// were: private only for a file of at least one huge page on a system that
// gives huge pages, hybrid (the default) only for a model with Q4_K
// matrices the kernels decode interleaved; a wrong value is a usage error.
func TestBenchWeights(t *testing.T) {
	big := filepath.Join(t.TempDir(), "m.gguf")
	if err := testmodel.WriteFile(testmodel.Base("llama", tensor.Q8_0), big); err != nil {
		t.Fatal(err)
	}
	q4k := filepath.Join(t.TempDir(), "q4k.gguf")
	if err := testmodel.WriteFile(testmodel.Base("llama", tensor.Q4_K), q4k); err != nil {
		t.Fatal(err)
	}
	huge := hugepage.Enabled() && runtime.GOOS == "linux"
	wantPrivate, wantHybrid, wantQ8 := engine.WeightsMapped, engine.WeightsMapped, engine.WeightsMapped
	if huge {
		wantPrivate = engine.WeightsPrivate
		if kernels.Interleaves(tensor.Q4_K) {
			wantHybrid = engine.WeightsHybrid
		}
		if kernels.Interleaves(tensor.Q8_0) {
			wantQ8 = engine.WeightsHybrid // copied in the background
		}
	}
	for _, tc := range []struct {
		name       string
		args       []string
		want       engine.WeightsLayout
		background bool // copied in the background: copy_ms reported
	}{
		{"default, no Q4_K", nil, engine.WeightsMapped, false},
		{"mapped", []string{"--weights", "mapped"}, engine.WeightsMapped, false},
		{"private, under one huge page", []string{"--weights", "private"}, engine.WeightsMapped, false},
		{"private", []string{"--weights", "private", "--model", big}, wantPrivate, false},
		{"default, Q8_0", []string{"--model", big}, wantQ8, wantQ8 == engine.WeightsHybrid},
		{"mapped, Q8_0", []string{"--weights", "mapped", "--model", big}, engine.WeightsMapped, false},
		{"default, Q4_K", []string{"--model", q4k}, wantHybrid, false},
		{"hybrid, Q4_K", []string{"--weights", "hybrid", "--model", q4k}, wantHybrid, false},
		{"mapped, Q4_K", []string{"--weights", "mapped", "--model", q4k}, engine.WeightsMapped, false},
	} {
		res := benchJSON(t, append([]string{"-p", "4", "-n", "2", "-t", "1", "-r", "1"}, tc.args...)...)
		if len(res) != 2 || res[0].Weights != string(tc.want) || res[1].Weights != string(tc.want) {
			t.Errorf("%s: %+v, want weights %q", tc.name, res, tc.want)
			continue
		}
		for _, r := range res {
			if copied := r.CopyMillis > r.LoadMillis; copied != tc.background || !tc.background && r.CopyMillis != 0 {
				t.Errorf("%s, %s: copy ended at %.1f ms, load %.1f ms; want a background copy %v", tc.name, r.Test, r.CopyMillis, r.LoadMillis, tc.background)
			}
		}
	}
	cmd := newBenchCmd()
	cmd.SetArgs([]string{"--model", big, "--weights", "huge"})
	var ue usageError
	if err := cmd.Execute(); !errors.As(err, &ue) || !strings.Contains(err.Error(), "--weights") {
		t.Errorf("--weights huge: %v, want a usage error naming --weights", err)
	}
}
