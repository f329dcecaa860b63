package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/writer"
)

// maxFixtureWhitespace: see writer.MaxFixtureWhitespace (engine_test.go):
// the stories260K model fills every whitespace slot the JSON grammar allows
// and only closes its structured answers within 2048 tokens when runs are
// at most this long (measured to pass at 1 and 4, to fail at 16).
const maxFixtureWhitespace = 4

// TestFixtureWhitespace names the cause when the end-to-end tests on
// stories260K below fail because the grammar allows longer whitespace runs
// than the fixture can afford (they used to skip, which hid them).
func TestFixtureWhitespace(t *testing.T) {
	if sample.MaxWhitespace > maxFixtureWhitespace {
		t.Fatalf("sample.MaxWhitespace is %d; the fixture model needs ≤ %d to close its JSON within 2048 tokens",
			sample.MaxWhitespace, maxFixtureWhitespace)
	}
}

// TestWriteLocalEngine runs plume write end to end on the real engine with
// the stories260K fixture: the text is meaningless, but the structure,
// front matter, manifest (which names the model file without its
// directory), marking, library rows and byte-identical replay (on another
// thread count) are checked.
func TestWriteLocalEngine(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	dir := t.TempDir()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("PLUME_HOME", filepath.Join(dir, "plume"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	d := testDeps(filepath.Join(dir, library.FileName))

	out := filepath.Join(dir, "out")
	start := time.Now()
	_, stderr, err := execute(t, newWriteCmd(d), "A little dog in the park", "--model", model, "--seed", "11",
		"--words", "300", "--revise", "0", "--threads", "1", "--out", out)
	if err != nil {
		t.Fatalf("write: %v\n%s", err, stderr)
	}
	t.Logf("local write took %v", time.Since(start))
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	mans, _ := filepath.Glob(filepath.Join(out, "*.plume.json"))
	if len(mds) != 1 || len(mans) != 1 {
		t.Fatalf("outputs: %v %v", mds, mans)
	}
	md, _ := os.ReadFile(mds[0])
	checkFrontMatter(t, md)
	data, _ := os.ReadFile(mans[0])
	m, err := writer.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Model.SHA256 != "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d" || m.Model.Backend != "plume" ||
		!strings.HasPrefix(m.Model.EngineVersion, "plume-engine") || len(m.Confidence) == 0 {
		t.Errorf("manifest model: %+v, %d confidences", m.Model, len(m.Confidence))
	}
	for _, c := range m.Calls {
		if c.JSONSchema != "" && c.Attempt%10 != 0 {
			t.Errorf("%s needed a repair under grammar-constrained decoding: %s", c.Stage, c.Output)
		}
	}
	// The published manifest names the model file, not where it lives.
	if m.Model.Ref != "stories260K.gguf" || bytes.Contains(data, []byte(filepath.Dir(model))) {
		t.Errorf("manifest model ref %q; it must not contain %s", m.Model.Ref, filepath.Dir(model))
	}
	// Replay cannot find that file from here (not beside the manifest, not
	// in the cache) and says to pass it.
	var ue usageError
	if _, _, err := execute(t, newWriteCmd(d), "--replay", mans[0]); !errors.As(err, &ue) || !strings.Contains(err.Error(), "--model") {
		t.Errorf("replay without the model: %v, want a usage error asking for --model", err)
	}
	// Replay with --model on two threads: byte-identical.
	stdout, stderr, err := execute(t, newWriteCmd(d), "--replay", mans[0], "--model", model, "--threads", "2")
	if err != nil || !strings.Contains(stdout, "replay: identical") {
		t.Fatalf("replay: %v\n%s\n%s", err, stdout, stderr)
	}
	if !bytes.Contains(md, []byte("digitalSourceType: trainedAlgorithmicMedia")) {
		t.Error("no AI marking")
	}
}

// TestWriteLocalEngineContextTooSmall: TinyStories-656K has a 512-token
// context, too small for any plan; the error comes before any generation
// and nothing is written to the library.
func TestWriteLocalEngineContextTooSmall(t *testing.T) {
	model := testutil.Fixture(t, "TinyStories-656K-Q8_0.gguf")
	dir := t.TempDir()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	d := testDeps(filepath.Join(dir, library.FileName))
	_, _, err := execute(t, newWriteCmd(d), "A dog", "--model", model, "--seed", "1", "--words", "300")
	if !errors.Is(err, writer.ErrContext) || !strings.Contains(err.Error(), "context window is 512 tokens") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, library.FileName)); err == nil {
		t.Error("the library was touched before the context check")
	}
}
