package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/writer"
)

// TestSourceDateEpochPromise holds plume write --help to its word (#18
// item 12): with SOURCE_DATE_EPOCH and the same --seed, two runs give a
// byte-identical article file in every format, and manifests identical
// except their "run" section.
func TestSourceDateEpochPromise(t *testing.T) {
	for _, format := range []string{"md", "html", "json"} {
		t.Run(format, func(t *testing.T) {
			env := newTestEnv(t, synthetic)
			env.d.now = nowFunc // SOURCE_DATE_EPOCH, as plume reads it
			t.Setenv("SOURCE_DATE_EPOCH", "1764403200")
			var article, manifest [2][]byte
			var run [2]*writer.RunInfo
			for i := range 2 {
				out := filepath.Join(env.dir, "out", format, string(rune('a'+i)))
				if _, stderr, err := execute(t, newWriteCmd(env.d), "Compost basics", "--seed", "9", "--words", "300",
					"--format", format, "--out", out); err != nil {
					t.Fatalf("%v\n%s", err, stderr)
				}
				var arts []string
				all, _ := filepath.Glob(filepath.Join(out, "*."+format))
				for _, a := range all {
					if !strings.HasSuffix(a, ".plume.json") { // *.json also matches the manifest
						arts = append(arts, a)
					}
				}
				mans, _ := filepath.Glob(filepath.Join(out, "*.plume.json"))
				if len(arts) != 1 || len(mans) != 1 {
					t.Fatalf("files %v %v", arts, mans)
				}
				article[i], _ = os.ReadFile(arts[0])
				manifest[i], _ = os.ReadFile(mans[0])
				m, err := writer.ParseManifest(manifest[i])
				if err != nil {
					t.Fatal(err)
				}
				run[i] = m.Run
				m.Run = nil
				if manifest[i], err = m.Marshal(); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(article[0], article[1]) {
				t.Errorf("the %s article files differ", format)
			}
			if !bytes.Equal(manifest[0], manifest[1]) {
				t.Errorf("the manifests differ outside their run section")
			}
			if run[0] == nil || run[1] == nil {
				t.Errorf("a manifest has no run section")
			}
		})
	}
}
