package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/testutil"
)

// pinnedArticleSHA256 is the sha256 of the Markdown article that
// TestWritePinnedArticle writes. A refactor must not change a single byte
// of what plume write gives for a seed (#15: "the same seed gives the same
// bytes before and after"); a change that means to (a new prompt, a new
// sampler rule, a new front matter field, the version in "generator:")
// updates this value in the same
// commit and says why.
const pinnedArticleSHA256 = "7412b448d49c62e387e1a94f86895bc67c7930c943b45d0ebcfb5d5c98dacf40"

// TestWritePinnedArticle runs plume write on the real engine with the
// stories260K fixture, a fixed seed, one thread and SOURCE_DATE_EPOCH (the
// clock plume reads, not a test hook), and pins the article's sha256.
func TestWritePinnedArticle(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	dir := t.TempDir()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("PLUME_HOME", filepath.Join(dir, "plume"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	t.Setenv("SOURCE_DATE_EPOCH", "1764403200")
	d := testDeps(filepath.Join(dir, library.FileName))
	d.now = nowFunc // SOURCE_DATE_EPOCH, as plume reads it

	out := filepath.Join(dir, "out")
	if _, stderr, err := execute(t, newWriteCmd(d), "A little dog in the park", "--model", model, "--seed", "11",
		"--words", "300", "--revise", "0", "--threads", "1", "--out", out); err != nil {
		t.Fatalf("write: %v\n%s", err, stderr)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(mds) != 1 {
		t.Fatalf("articles: %v", mds)
	}
	md, err := os.ReadFile(mds[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(md)
	if got := hex.EncodeToString(sum[:]); got != pinnedArticleSHA256 {
		t.Errorf("article sha256 %s, pinned %s; the article:\n%s", got, pinnedArticleSHA256, md)
	}
}
