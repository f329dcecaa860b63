package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/citation"
)

var citeMarker = regexp.MustCompile(`\[(\d+)\]`)

// TestWriteSourcesLocalEngine writes a grounded article on the real engine
// with the stories260K fixture, from a file and a URL: the References list
// matches the citations left in the text, the manifest records sources,
// passages given and verdicts, and the replay is identical with the URL's
// server gone.
func TestWriteSourcesLocalEngine(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	dir := t.TempDir()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("PLUME_HOME", filepath.Join(dir, "plume"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	d := testDeps(filepath.Join(dir, library.FileName))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "Lily saw a big dog in the park. The little dog was happy and played with a red ball.\n\nThe dog ran to the tree and barked at a bird.")
	}))
	defer srv.Close()
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	d.newFetcher = func() *sources.Fetcher { return &sources.Fetcher{Allow: []netip.AddrPort{ap}} }
	notes := filepath.Join(dir, "story.md")
	os.WriteFile(notes, []byte("# The park\n\nTim went to the park with his mom. He saw a little dog under a tree.\n\n# The ball\n\nThe dog wanted the ball. Tim gave the ball to the dog and they were friends."), 0o600)

	out := filepath.Join(dir, "out")
	_, stderr, err := execute(t, newWriteCmd(d), "A little dog in the park", "--model", model, "--seed", "11",
		"--words", "300", "--revise", "0", "--threads", "1", "--out", out, "--source", notes, "--source", srv.URL+"/dog.txt")
	if err != nil {
		t.Fatalf("write: %v\n%s", err, stderr)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	mans, _ := filepath.Glob(filepath.Join(out, "*.plume.json"))
	if len(mds) != 1 || len(mans) != 1 {
		t.Fatalf("outputs: %v %v", mds, mans)
	}
	md, _ := os.ReadFile(mds[0])
	data, _ := os.ReadFile(mans[0])
	m, err := writer.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	// Manifest: sources, passages given to the outline and every part, and
	// a verdict for every citation.
	if len(m.Inputs.Sources) != 2 || m.Inputs.Sources[1].URL != srv.URL+"/dog.txt" || len(m.Inputs.Sources[0].SHA256) != 64 {
		t.Fatalf("sources: %+v", m.Inputs.Sources)
	}
	g := m.Grounding
	parts := 0
	for _, c := range m.Calls {
		if c.Stage == writer.StageDraft {
			parts++
		}
	}
	if g == nil || len(g.Passages) == 0 || len(g.Outline) == 0 || len(g.Given) != parts || g.CheckedParts != parts {
		t.Fatalf("grounding: %+v (parts %d)", g, parts)
	}
	cites := 0
	for _, c := range m.Calls {
		if c.Stage == writer.StageCite {
			cites++
			if c.Attempt%10 != 0 {
				t.Errorf("a verdict needed a repair under grammar-constrained decoding: %s", c.Output)
			}
		}
	}
	for _, c := range g.Citations {
		if c.Verdict != citation.Supported && c.Verdict != citation.Partly && c.Verdict != citation.NotSupported {
			t.Errorf("citation without verdict: %+v", c)
		}
	}
	t.Logf("%d citations checked (%d model calls), report %+v", len(g.Citations), cites, m.Quality.Citations)
	// References list = the citations left in the text.
	body, refs, hasRefs := strings.Cut(string(md), "\n## References\n")
	cited := map[int]bool{}
	for _, x := range citeMarker.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(x[1])
		cited[n] = true
	}
	listed := strings.Count(refs, "\n") // one line per reference
	if hasRefs != (len(cited) > 0) || listed != len(cited) {
		t.Errorf("cited %v, references (%d):\n%s", cited, listed, refs)
	}
	for n := range cited {
		if !strings.Contains(refs, strconv.Itoa(n)+". ") {
			t.Errorf("[%d] has no reference", n)
		}
	}
	// Replay without the network.
	srv.Close()
	stdout, stderr, err := execute(t, newWriteCmd(d), "--replay", mans[0], "--model", model, "--threads", "1")
	if err != nil || !strings.Contains(stdout, "replay: identical") {
		t.Fatalf("replay: %v\n%s\n%s", err, stdout, stderr)
	}
}
