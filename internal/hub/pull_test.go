package hub

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/hub/hubtest"
)

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

func TestPullLayoutAndTokenNotSentToCDN(t *testing.T) {
	s, h := newTestStore(t)
	data := testData(300_000)
	h.AddFile(testRepo, "tiny-Q8_0.gguf", testData(1000))
	h.AddFile(testRepo, "tiny-Q4_K_M.gguf", data)
	h.AddFile(testRepo, "README.md", []byte("---\nlicense: apache-2.0\n---\n# Tiny\n"))
	s.cfg.Token = h.Token
	var log eventLog
	l, err := s.Resolve(context.Background(), "hf.co/"+testRepo, true, log.add)
	if err != nil {
		t.Fatal(err)
	}
	sum := hubtest.SHA256(data)
	commit := h.Commit(testRepo)
	if l.SHA256 != sum || l.Commit != commit || l.File != "tiny-Q4_K_M.gguf" || l.License != "apache-2.0" || l.Size != int64(len(data)) {
		t.Fatalf("Local = %+v", l)
	}
	equalFile(t, l.Path, data)
	// huggingface_hub layout: relative symlink into blobs/, refs/main = commit.
	link := filepath.Join(s.Dir(), "models--acme--Tiny-GGUF", "snapshots", commit, "tiny-Q4_K_M.gguf")
	if target, err := os.Readlink(link); err != nil || target != "../../blobs/"+sum {
		t.Fatalf("snapshot link = %q, %v", target, err)
	}
	if ref, _ := os.ReadFile(filepath.Join(s.Dir(), "models--acme--Tiny-GGUF", "refs", "main")); string(ref) != commit {
		t.Fatalf("refs/main = %q", ref)
	}
	// The token reached the hub but never the CDN.
	if h.AuthLeaks() != 0 {
		t.Fatalf("Authorization leaked to the CDN %d times", h.AuthLeaks())
	}
	sawAuth := false
	for _, r := range h.Requests() {
		if r.Server == "hub" && r.Authorization == "Bearer "+h.Token {
			sawAuth = true
		}
	}
	if !sawAuth {
		t.Fatal("token was never sent to the hub")
	}
	if log.count(EventDone) != 1 || log.count(EventResolve) != 1 {
		t.Fatalf("events: %+v", log.ev)
	}
	// A second Resolve is served from the cache without any request.
	before := len(h.Requests())
	l2, err := s.Resolve(context.Background(), "hf.co/"+testRepo+":Q4_K_M", false, nil)
	if err != nil || l2.Path != l.Path || l2.SHA256 != sum {
		t.Fatalf("cached resolve: %+v, %v", l2, err)
	}
	if n := len(h.Requests()) - before; n != 0 {
		t.Fatalf("cached resolve made %d requests", n)
	}
	// No leftovers.
	filepath.WalkDir(s.Dir(), func(p string, d fs.DirEntry, err error) error {
		if strings.HasSuffix(p, ".incomplete") || strings.Contains(p, ".tmp.") {
			t.Errorf("leftover %s", p)
		}
		return nil
	})
}

func TestResolveForms(t *testing.T) {
	s, h := newTestStore(t)
	data := testData(5000)
	h.AddFile(testRepo, "sub/x-q4_0.gguf", data)
	commit := h.Commit(testRepo)
	ctx := context.Background()
	for _, ref := range []string{testRepo + "/sub/x-q4_0.gguf", testRepo + "/sub/x-q4_0.gguf@" + commit, "hf.co/" + testRepo + ":Q4_0"} {
		l, err := s.Resolve(ctx, ref, true, nil)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		equalFile(t, l.Path, data)
		if l.Commit != commit || l.File != "sub/x-q4_0.gguf" {
			t.Fatalf("%s: %+v", ref, l)
		}
	}
	// Not pulled, no pull: a helpful error.
	_, err := s.Resolve(ctx, "other/Repo/m.gguf", false, nil)
	if !errors.Is(err, ErrNotPulled) || !strings.Contains(err.Error(), "plume pull") {
		t.Fatalf("err = %v", err)
	}
	// A local path is hashed, and the hash is remembered.
	p := filepath.Join(t.TempDir(), "m.gguf")
	os.WriteFile(p, data, 0o644)
	l, err := s.Resolve(ctx, p, false, nil)
	if err != nil || l.SHA256 != hubtest.SHA256(data) || l.Path != p {
		t.Fatalf("local: %+v %v", l, err)
	}
	if e, ok := s.hashes.entries[p]; !ok || e.SHA256 != l.SHA256 {
		t.Fatal("local hash not cached")
	}
	// Offline mode never touches the network.
	s.cfg.Offline = true
	before := len(h.Requests())
	if _, err := s.Resolve(ctx, "hf.co/acme/Missing-GGUF", true, nil); !errors.Is(err, ErrOffline) {
		t.Fatalf("offline: %v", err)
	}
	if _, err := s.Resolve(ctx, "hf.co/"+testRepo+":Q4_0", true, nil); err != nil {
		t.Fatalf("offline cached: %v", err)
	}
	if len(h.Requests()) != before {
		t.Fatal("offline mode made requests")
	}
}

func TestPullFaults(t *testing.T) {
	data := testData(200_000)
	sum := hubtest.SHA256(data)
	tests := []struct {
		name    string
		faults  hubtest.Faults
		wantErr error  // nil = success
		errText string // substring of the error
		check   func(t *testing.T, h *hubtest.Hub, log *eventLog)
	}{
		{name: "drop mid-body resumes with Range", faults: hubtest.Faults{DropAfter: 70_000, DropTimes: 2},
			check: func(t *testing.T, h *hubtest.Hub, log *eventLog) {
				r := cdnRanges(h)
				if len(r) != 3 || r[0] != "" || r[1] != "bytes=70000-" || r[2] != "bytes=140000-" {
					t.Fatalf("CDN ranges %q", r)
				}
				if log.count(EventRetry) != 2 {
					t.Fatalf("retries %d", log.count(EventRetry))
				}
			}},
		{name: "server ignores Range restarts", faults: hubtest.Faults{DropAfter: 50_000, DropTimes: 1, IgnoreRange: true},
			check: func(t *testing.T, h *hubtest.Hub, log *eventLog) {
				if log.count(EventRestart) != 1 {
					t.Fatalf("restart events %d", log.count(EventRestart))
				}
			}},
		{name: "corrupt bytes rejected", faults: hubtest.Faults{Corrupt: true}, wantErr: ErrDigestMismatch, errText: "expected sha256 " + sum},
		{name: "wrong size", faults: hubtest.Faults{ShortBy: 10}, wantErr: ErrSizeMismatch, errText: "200000"},
		{name: "503 with Retry-After retried", faults: hubtest.Faults{CDNStatuses: []int{503}, RetryAfter: "1"}},
		{name: "429 then 500 retried", faults: hubtest.Faults{Statuses: []int{429, 500}}},
		{name: "persistent 500 reported", faults: hubtest.Faults{CDNStatuses: []int{500, 500, 500, 500, 500}}, errText: "HTTP 500"},
		{name: "stall hits idle timeout and resumes", faults: hubtest.Faults{DropAfter: 0, StallAfter: 120_000},
			wantErr: nil, check: func(t *testing.T, h *hubtest.Hub, log *eventLog) {
				r := cdnRanges(h)
				if len(r) < 2 || r[1] != "bytes=120000-" {
					t.Fatalf("CDN ranges %q", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, h := newTestStore(t)
			h.AddFile(testRepo, "m-Q4_K_M.gguf", data)
			h.SetFaults(tt.faults)
			if tt.name == "stall hits idle timeout and resumes" {
				// Stall only the first response.
				go func() {
					for len(cdnRanges(h)) == 0 {
						time.Sleep(5 * time.Millisecond)
					}
					h.SetFaults(hubtest.Faults{})
				}()
			}
			var log eventLog
			l, err := s.Pull(context.Background(), "hf.co/"+testRepo, log.add)
			blob := filepath.Join(s.Dir(), "models--acme--Tiny-GGUF", "blobs", sum)
			if tt.wantErr != nil || tt.errText != "" {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.errText)
				}
				for _, p := range []string{blob, blob + ".incomplete"} {
					if _, err := os.Stat(p); err == nil && tt.wantErr != nil {
						t.Fatalf("%s left behind after a verification failure", p)
					}
				}
				if _, err := s.Resolve(context.Background(), "hf.co/"+testRepo, false, nil); !errors.Is(err, ErrNotPulled) {
					t.Fatalf("model usable after a failed pull: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			equalFile(t, l.Path, data)
			if tt.check != nil {
				tt.check(t, h, &log)
			}
		})
	}
}

func TestPullHTTPErrors(t *testing.T) {
	tests := []struct {
		name, ref string
		token     bool
		want      error
		text      []string
	}{
		{"gated anonymous 401", "hf.co/acme/Gated-GGUF", false, ErrGated, []string{"HF_TOKEN", "acme/Gated-GGUF", "accept its licence"}},
		{"gated wrong token 403", "hf.co/acme/Gated-GGUF", true, ErrGated, []string{"HTTP 403"}},
		{"missing repo", "hf.co/acme/Nope-GGUF", false, ErrNotFound, []string{"acme/Nope-GGUF"}},
		{"missing file", testRepo + "/absent.gguf", false, ErrNotFound, []string{`"absent.gguf"`, testRepo}},
		{"missing revision", testRepo + "/m-Q4_K_M.gguf@v9", false, ErrNotFound, []string{`"v9"`}},
		{"missing quant", "hf.co/" + testRepo + ":IQ2_XXS", false, ErrNotFound, []string{"IQ2_XXS", "m-Q4_K_M.gguf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, h := newTestStore(t)
			h.AddFile(testRepo, "m-Q4_K_M.gguf", testData(100))
			h.AddFile("acme/Gated-GGUF", "g-Q4_K_M.gguf", testData(100))
			h.SetGated("acme/Gated-GGUF", true)
			if tt.token {
				s.cfg.Token = "hf_wrong"
			}
			_, err := s.Pull(context.Background(), tt.ref, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for _, txt := range tt.text { // what the user reads must name the culprit
				if !strings.Contains(err.Error(), txt) {
					t.Errorf("error %q lacks %q", err, txt)
				}
			}
		})
	}
	// With the right token the gated repo pulls, and the CDN gets no token.
	s, h := newTestStore(t)
	h.AddFile("acme/Gated-GGUF", "g-Q4_K_M.gguf", testData(100))
	h.SetGated("acme/Gated-GGUF", true)
	s.cfg.Token = h.Token
	if _, err := s.Pull(context.Background(), "hf.co/acme/Gated-GGUF", nil); err != nil || h.AuthLeaks() != 0 {
		t.Fatalf("gated with token: %v, leaks %d", err, h.AuthLeaks())
	}
}

func TestConcurrentPulls(t *testing.T) {
	h := hubtest.New()
	defer h.Close()
	data := testData(400_000)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", data)
	dir := t.TempDir()
	s1, s2 := openTestStore(t, h, dir), openTestStore(t, h, dir)
	var wg sync.WaitGroup
	var logs [2]eventLog
	errs := make([]error, 2)
	for i, s := range []*Cache{s1, s2} {
		wg.Go(func() { _, errs[i] = s.Pull(context.Background(), "hf.co/"+testRepo, logs[i].add) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	l, _ := s1.Resolve(context.Background(), "hf.co/"+testRepo, false, nil)
	equalFile(t, l.Path, data)
	if n := len(cdnRanges(h)); n != 1 {
		t.Fatalf("blob downloaded %d times; the second pull should reuse the first", n)
	}
	if logs[0].count(EventReuse)+logs[1].count(EventReuse) != 1 {
		t.Fatal("no pull reported reusing the blob")
	}
}

func TestInsecureEndpointRefused(t *testing.T) {
	s, _ := newTestStore(t)
	s.cfg.Endpoint = "http://example.com"
	if _, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil); !errors.Is(err, ErrInsecure) {
		t.Fatalf("err = %v", err)
	}
}

func TestTamperedBlobDetected(t *testing.T) {
	s, h := newTestStore(t)
	data := testData(1000)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", data)
	l, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), data...)
	bad[0] ^= 1
	time.Sleep(10 * time.Millisecond) // a new mtime
	if err := os.WriteFile(l.Path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(context.Background(), "hf.co/"+testRepo, false, nil); !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("tampered blob accepted: %v", err)
	}
}

func TestSlowServerTimesOut(t *testing.T) {
	s, h := newTestStore(t)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", testData(1000))
	h.SetFaults(hubtest.Faults{Delay: 2 * time.Second})
	s.net.headerTimeout, s.net.maxRetries = 100*time.Millisecond, 1
	start := time.Now()
	_, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a net.Error timeout", err)
	}
	if !strings.Contains(err.Error(), "giving up after 2 attempts") { // the count the user reads
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("took %v; the header timeout did not fire", d)
	}
}

// A redirect from the hub to plain HTTP on a non-loopback host is refused
// before any connection is made.
func TestInsecureRedirectRefused(t *testing.T) {
	sum := hubtest.SHA256([]byte("x"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Repo-Commit", strings.Repeat("a", 40))
		w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
		w.Header().Set("X-Linked-Size", "1")
		http.Redirect(w, r, "http://cdn.example.invalid/blob", http.StatusFound)
	}))
	defer srv.Close()
	s, _ := newTestStore(t)
	s.cfg.Endpoint = srv.URL
	_, err := s.Pull(context.Background(), testRepo+"/m.gguf", nil)
	if !errors.Is(err, ErrInsecure) || !strings.Contains(err.Error(), "cdn.example.invalid") {
		t.Fatalf("err = %v", err)
	}
}

// A partial file left by an earlier process with bad bytes in it fails the
// digest once, then the pull starts over from zero and succeeds.
func TestBadPartialRestartsFromZero(t *testing.T) {
	s, h := newTestStore(t)
	data := testData(50_000)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", data)
	sum := hubtest.SHA256(data)
	blobs := filepath.Join(s.Dir(), repoDir(testRepo), "blobs")
	os.MkdirAll(blobs, 0o755)
	bad := append([]byte(nil), data[:20_000]...)
	bad[10] ^= 0xff
	os.WriteFile(filepath.Join(blobs, sum+".incomplete"), bad, 0o644)
	var log eventLog
	l, err := s.Pull(context.Background(), "hf.co/"+testRepo, log.add)
	if err != nil {
		t.Fatal(err)
	}
	equalFile(t, l.Path, data)
	if r := cdnRanges(h); len(r) != 2 || r[0] != "bytes=20000-" || r[1] != "" || log.count(EventRestart) != 1 {
		t.Fatalf("ranges %q, restarts %d", r, log.count(EventRestart))
	}
}
