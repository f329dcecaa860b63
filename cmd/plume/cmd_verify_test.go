package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/watermark"
	"github.com/plumewriter/plume/internal/writer"
)

// writeFixtureArticle writes an article with the stories260K fixture into
// dir/out and returns the paths of the Markdown and its manifest.
func writeFixtureArticle(t *testing.T, dir, model string, extra ...string) (string, string) {
	t.Helper()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("PLUME_HOME", filepath.Join(dir, "plume"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	d := testDeps(filepath.Join(dir, library.FileName))
	out := filepath.Join(dir, "out")
	args := append([]string{"A little dog in the park", "--model", model, "--seed", "11", "--words", "300",
		"--revise", "0", "--threads", "2", "--out", out}, extra...)
	if _, stderr, err := execute(t, newWriteCmd(d), args...); err != nil {
		t.Fatalf("write: %v\n%s", err, stderr)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(mds) != 1 {
		t.Fatalf("outputs %v", mds)
	}
	return mds[0], strings.TrimSuffix(mds[0], ".md") + ".plume.json"
}

func readManifest(t *testing.T, path string) *writer.Manifest {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := writer.ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func verifyJSON(t *testing.T, args ...string) verifyOutput {
	t.Helper()
	stdout, stderr, err := execute(t, newVerifyCmd(), append(args, "--json")...)
	if err != nil {
		t.Fatalf("verify %v: %v\n%s", args, err, stderr)
	}
	var o verifyOutput
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatalf("verify output: %v\n%s", err, stdout)
	}
	return o
}

// TestVerifyWatermarkedArticle: plume write watermarks by default with the
// public key (manifest, front matter), plume verify finds the tokenizer
// through the manifest and detects it; plume write --watermark off is
// recorded and not detected; this repository's README is "no watermark".
func TestVerifyWatermarkedArticle(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	dir := t.TempDir()
	md, man := writeFixtureArticle(t, dir, model)
	// The manifest names the model by its base name: put a copy beside it.
	data, _ := os.ReadFile(model)
	if err := os.WriteFile(filepath.Join(filepath.Dir(man), "stories260K.gguf"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	m := readManifest(t, man)
	fp := watermark.DefaultKey().Fingerprint()
	if w := m.Watermark; w == nil || !w.Present || w.Scheme != watermark.Scheme || w.KeyFingerprint != fp || !w.PublicKey {
		t.Fatalf("manifest watermark %+v", m.Watermark)
	}
	if w := frontMatterField(t, md, "watermark"); !strings.HasPrefix(w, watermark.Scheme+", key "+fp+" (public key") {
		t.Errorf("front matter watermark: %q", w)
	}
	o := verifyJSON(t, md)
	if o.Whole.Verdict != watermark.VerdictWatermarked || o.Recorded == nil || !o.Recorded.Present || o.Format != "markdown" {
		t.Errorf("verify: %+v %+v", o.Whole, o.Recorded)
	}
	t.Logf("article: %v", o.Whole)
	stdout, _, err := execute(t, newVerifyCmd(), md)
	if err != nil || !strings.Contains(stdout, "watermarked: z = ") || !strings.Contains(stdout, "PARAGRAPH") {
		t.Errorf("verify text output: %v\n%s", err, stdout)
	}
	// A private key does not see the public watermark.
	keyFile := filepath.Join(dir, "private.key")
	os.WriteFile(keyFile, []byte("a private key that nobody else has"), 0o600)
	if o := verifyJSON(t, md, "--watermark-key", keyFile); o.Whole.Verdict != watermark.VerdictNone {
		t.Errorf("private key: %+v", o.Whole)
	}

	off := t.TempDir()
	md2, man2 := writeFixtureArticle(t, off, model, "--watermark", "off")
	if w := readManifest(t, man2).Watermark; w == nil || w.Present || !strings.Contains(w.Note, "off") {
		t.Errorf("--watermark off manifest: %+v", w)
	}
	if w := frontMatterField(t, md2, "watermark"); w != "none (turned off with --watermark off)" {
		t.Errorf("front matter watermark with --watermark off: %q", w)
	}
	if o := verifyJSON(t, md2, "--model", model); o.Whole.Verdict != watermark.VerdictNone {
		t.Errorf("unwatermarked article: %+v", o.Whole)
	}

	readme := filepath.Join(testutil.RepoRoot(t), "README.md")
	if o := verifyJSON(t, readme, "--model", model); o.Whole.Verdict != watermark.VerdictNone {
		t.Errorf("README: %+v", o.Whole)
	}
}

func TestVerifyUsage(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "a.txt")
	os.WriteFile(text, []byte("Some words."), 0o644)
	var ue usageError
	for name, args := range map[string][]string{
		"no model":    {text},
		"bad format":  {text, "--format", "pdf", "--model", "x.gguf"},
		"missing":     {filepath.Join(dir, "none.md"), "--model", "x.gguf"},
		"two files":   {text, text},
		"bad key":     {text, "--model", "x.gguf", "--watermark-key", filepath.Join(dir, "nokey")},
		"invalid utf": {writeTemp(t, dir, []byte{0xff, 0xfe}), "--model", "x.gguf"},
	} {
		if _, _, err := execute(t, newVerifyCmd(), args...); !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}

func writeTemp(t *testing.T, dir string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWriteWatermarkFlags(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "k")
	os.WriteFile(key, []byte("0123456789abcdef0123"), 0o600)
	tests := []struct {
		name    string
		w       watermarkFlags
		backend string
		want    string // fingerprint, "" = none, "error"
	}{
		{"default", watermarkFlags{mode: "on"}, backendLocal, watermark.DefaultKey().Fingerprint()},
		{"off", watermarkFlags{mode: "off"}, backendLocal, ""},
		{"remote", watermarkFlags{mode: "on"}, backendOpenAI, ""},
		{"private", watermarkFlags{mode: "on", keyFile: key}, backendLocal, mustLoad(t, key).Fingerprint()},
		{"bad mode", watermarkFlags{mode: "maybe"}, backendLocal, "error"},
		{"off with key", watermarkFlags{mode: "off", keyFile: key}, backendLocal, "error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := tc.w.newRunKey(tc.backend)
			got := ""
			switch {
			case err != nil:
				got = "error"
			case k != nil:
				got = k.Fingerprint()
			}
			if got != tc.want {
				t.Errorf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	// A resume needs the recorded key.
	priv := mustLoad(t, key).Fingerprint()
	if _, err := (&watermarkFlags{}).recordedKey(priv); err == nil {
		t.Error("resume of a private-key article without the key")
	}
	if k, err := (&watermarkFlags{keyFile: key}).recordedKey(priv); err != nil || k.Fingerprint() != priv {
		t.Errorf("resume with the key: %v", err)
	}
	if k, err := (&watermarkFlags{}).recordedKey(watermark.DefaultKey().Fingerprint()); err != nil || !k.IsDefault() {
		t.Errorf("resume with the public key: %v", err)
	}
}

func mustLoad(t *testing.T, path string) *watermark.Key {
	t.Helper()
	k, err := watermark.LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// frontMatterField reads one string field of a Markdown file's front matter.
func frontMatterField(t *testing.T, path, field string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(b), "---\n", 3)
	if len(parts) != 3 {
		t.Fatalf("%s: no front matter", path)
	}
	var fm map[string]any
	if err := yaml.Unmarshal([]byte(parts[1]), &fm); err != nil {
		t.Fatal(err)
	}
	s, _ := fm[field].(string)
	return s
}
