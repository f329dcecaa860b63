package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sources"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/citation"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

const wormsPage = `<!DOCTYPE html><html><head><title>Worms at work</title><script>var x = "SCRIPT";</script></head>
<body><nav><a href="/">Home NAV</a></nav><article><h1>Worms at work</h1>
<p>Earthworms and woodlice break kitchen waste into small pieces, and the compost heap turns into humus within a few months.</p>
<p>In a worm bin, compost worms turn vegetable peelings into worm compost within two months, even on a balcony.</p>
</article><footer>FOOTER</footer></body></html>`

// sourceSite serves the worms page and counts its hits; it is the only
// loopback address the fetcher may reach.
func sourceSite(t *testing.T, d *deps) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/worms", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, wormsPage)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/worms", http.StatusMovedPermanently)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	d.newFetcher = func() *sources.Fetcher { return &sources.Fetcher{Allow: []netip.AddrPort{ap}} }
	return srv, &hits
}

var passageRe = regexp.MustCompile(`(?m)^\[(\d+)\] \([^)]*\) ([^.]*)\.`)

// citingGen drafts by quoting the first passage it is given with its
// citation, and approves every citation with the passage's first words.
func citingGen() llm.Generator {
	g := synthetic().(*fakegen.Generator)
	g.Script = func(n int, req llm.Request) (string, bool) {
		user := req.Messages[len(req.Messages)-1].Content
		if req.JSONSchema == citation.Schema {
			_, p, _ := strings.Cut(user, "<<<\n")
			return `{"verdict":"supported","span":` + strconv.Quote(strings.Fields(p)[0]) + `}`, true
		}
		if m := passageRe.FindStringSubmatch(user); m != nil && req.JSONSchema == nil {
			return m[2] + " [" + m[1] + "]. Plain words follow here.", true
		}
		return "", false
	}
	return g
}

func TestWriteWithSources(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, citingGen)
	srv, hits := sourceSite(t, env.d)
	notes := filepath.Join(env.dir, "compost.md")
	os.WriteFile(notes, []byte("# Compost notes\n\nMix green waste with brown waste, one part green to two parts brown, to keep the compost heap sweet."), 0o600)
	out := filepath.Join(env.dir, "out")

	// A bad source fails before any generation…
	_, _, err := execute(t, newWriteCmd(env.d), "Compost with worms", "--seed", "3", "--words", "400", "--out", out,
		"--source", notes, "--source", srv.URL+"/missing")
	if !errors.Is(err, sources.ErrNotFound) || env.opened != 0 {
		t.Fatalf("404 source: err %v, generator opened %d times", err, env.opened)
	}
	// …or is skipped with a warning in the manifest.
	_, stderr, err := execute(t, newWriteCmd(env.d), "Compost with worms", "--seed", "3", "--words", "400", "--out", out,
		"--source", notes, "--source", srv.URL+"/old", "--source", srv.URL+"/missing", "--skip-bad-sources", "--source", notes)
	if err != nil {
		t.Fatalf("write: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "  citations: ") || !strings.Contains(stderr, "supported") {
		t.Errorf("no citation report on the terminal:\n%s", stderr)
	}
	mans, _ := filepath.Glob(filepath.Join(out, "*.plume.json"))
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(mans) != 1 || len(mds) != 1 {
		t.Fatalf("outputs %v %v", mans, mds)
	}
	data, _ := os.ReadFile(mans[0])
	m, err := writer.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	srcs := m.Inputs.Sources
	if len(srcs) != 2 || srcs[1].URL != srv.URL+"/worms" || srcs[1].Origin != srv.URL+"/old" || len(srcs[1].SHA256) != 64 ||
		srcs[1].Retrieved.IsZero() || strings.Contains(srcs[1].Text, "SCRIPT") || strings.Contains(srcs[1].Text, "NAV") {
		t.Errorf("manifest sources: %+v", srcs)
	}
	if !strings.Contains(strings.Join(m.Warnings, "\n"), "source skipped") {
		t.Errorf("no skip warning in %q", m.Warnings)
	}
	g := m.Grounding
	if g == nil || len(g.Passages) == 0 || len(g.Given) == 0 || len(g.Citations) == 0 || m.Quality.Citations == nil {
		t.Fatalf("grounding %+v, citations report %+v", g, m.Quality.Citations)
	}
	md, _ := os.ReadFile(mds[0])
	refs := 0
	for _, r := range []string{"Compost notes (compost.md)", "[Worms at work](<" + srv.URL + "/worms>)"} {
		if bytes.Contains(md, []byte(r)) {
			refs++
		}
	}
	if !bytes.Contains(md, []byte("\n## References\n")) || refs == 0 {
		t.Errorf("references missing:\n%s", md)
	}

	// Replay needs no network: the server is gone.
	srv.Close()
	stdout, _, err := execute(t, newWriteCmd(env.d), "--replay", mans[0])
	if err != nil || !strings.Contains(stdout, "replay: identical") {
		t.Fatalf("replay without network: %v %s", err, stdout)
	}
	// --offline reads the stored URL from the library, refuses others.
	if _, _, err := execute(t, newWriteCmd(env.d), "Worms", "--seed", "3", "--words", "400", "--out", out, "--offline",
		"--source", srv.URL+"/old"); err != nil {
		t.Errorf("offline with a stored URL: %v", err)
	}
	if _, _, err := execute(t, newWriteCmd(env.d), "Worms", "--seed", "3", "--words", "400", "--out", out, "--offline",
		"--source", "https://example.org/never-fetched"); !errors.Is(err, sources.ErrOffline) {
		t.Errorf("offline with a new URL: %v", err)
	}
	var ue usageError
	if _, _, err := execute(t, newWriteCmd(env.d), "Worms", "--source", filepath.Join(env.dir, "nosuch.md")); !errors.As(err, &ue) {
		t.Errorf("missing source file: %v, want a usage error", err)
	}
	if hits.Load() != 1 {
		t.Errorf("the page was fetched %d times, want once", hits.Load())
	}
}
