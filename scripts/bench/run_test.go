package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeTools writes shell scripts that answer as llama-bench, plume bench
// and membw do, with fixed figures, and a libggml-cpu variant beside the
// fake llama-bench, so that run can go end to end without measuring.
func fakeTools(t *testing.T, dir string) (llama, plume, membwBin string) {
	t.Helper()
	files := map[string]string{
		"llama-bench": `#!/bin/sh
echo "load_backend: loaded CPU backend from $(dirname "$0")/libggml-cpu-haswell.so" >&2
echo '[{"n_prompt":128,"n_gen":0,"samples_ts":[100,110],"build_commit":"abc1234","build_number":42},
      {"n_prompt":0,"n_gen":64,"samples_ts":[20,22],"build_commit":"abc1234","build_number":42}]'
`,
		"plume": `#!/bin/sh
echo '[{"test":"pp128","n_prompt":128,"n_gen":64,"kernels":"fake+set","weights":"hybrid","samples_ts":[150,160],"load_ms":3,"peak_rss_bytes":20971520,"kv_bytes":1048576,"model_size":1048576,"weight_bytes_per_token":1000000},
      {"test":"tg64","n_prompt":128,"n_gen":64,"kernels":"fake+set","weights":"hybrid","samples_ts":[30,31],"load_ms":3,"peak_rss_bytes":20971520,"kv_bytes":1048576,"model_size":1048576,"weight_bytes_per_token":1000000}]'
`,
		"membw":                  "#!/bin/sh\necho \"threads=$1 best read bandwidth 20.0 GB/s\"\n",
		"libggml-cpu-haswell.so": "",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "llama-bench"), filepath.Join(dir, "plume"), filepath.Join(dir, "membw")
}

// TestRunDry runs the whole script (-only, over fake tools) on a copy of
// BENCHMARKS.md: this machine's class gets the fake rows, every other
// section and the kept part are left as they were.
func TestRunDry(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake tools are shell scripts")
	}
	committed := readBenchmarks(t)
	dir := t.TempDir()
	llama, plume, membwBin := fakeTools(t, dir)
	fixture := filepath.Join(dir, "TinyStories-656K-Q8_0.gguf")
	out := filepath.Join(dir, "BENCHMARKS.md")
	for path, b := range map[string][]byte{fixture: []byte("GGUF"), out: committed} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := config{plume: plume, llamaBench: llama, membw: membwBin, modelDir: filepath.Join(dir, "models"), fixture: fixture,
		out: out, threads: []int{1, 2}, rounds: 2, only: "TinyStories", partial: true}
	if err := run(c); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rep := mustParse(t, got)
	old := mustParse(t, committed)
	key := detectCPU().classKey()
	for _, s := range old.Sections {
		if s.Key != key && sectionText(t, got, s.Key) != sectionText(t, committed, s.Key) {
			t.Errorf("section %s changed", s.Key)
		}
	}
	if !bytes.HasSuffix(got, old.Kept) {
		t.Error("the kept part is gone")
	}
	sec := sectionText(t, got, key)
	for _, want := range []string{
		"llama-bench build 42 (abc1234) from `../shared/bench`, ggml-cpu variant `haswell` (forced: the only one beside llama-bench)",
		"Plume kernels `fake+set`; Plume weights `hybrid`; 2 alternating rounds.",
		"| TinyStories-656K-Q8_0 | 2 | 105.0 ± 5.8 | 155.0 ± 5.8 | 1.48× | 21.0 ± 1.2 | 30.5 ± 0.6 | 1.45× | 0.02 (0%) | 0.03 (0%) |",
		"| TinyStories-656K-Q8_0 | 1 | 3 |",
		"membw.c, 2 threads, measured in every round): 20.0–20.0 GB/s, mean 20.0.",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("section %s lacks %q:\n%s", key, want, sec)
		}
	}
	if len(rep.Sections) < len(old.Sections) {
		t.Errorf("%d sections, had %d", len(rep.Sections), len(old.Sections))
	}
}
