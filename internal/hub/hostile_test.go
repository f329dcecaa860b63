package hub

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/hub/hubtest"
)

// redirectingHub is a loopback hub that announces an LFS file and answers
// every request with a redirect to location(r), counting requests.
func redirectingHub(t *testing.T, location func(r *http.Request) string, requests *atomic.Int32) *httptest.Server {
	t.Helper()
	sum := hubtest.SHA256([]byte("x"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Repo-Commit", strings.Repeat("a", 40))
		w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
		w.Header().Set("X-Linked-Size", "1")
		requests.Add(1)
		http.Redirect(w, r, location(r), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHubRedirectToPrivateAddress is issue 13 item 2: a hub on loopback
// redirecting to a private address, directly or through a name that a
// (fake) resolver maps to one, is refused before any connection, and a
// redirect loop fails at once instead of being retried.
func TestHubRedirectToPrivateAddress(t *testing.T) {
	tests := []struct {
		name     string
		location string                // redirect target; "" = back to itself
		hosts    []string              // PLUME_HUB_HOSTS
		resolve  map[string]netip.Addr // the fake resolver
		want     error
	}{
		{"literal private address", "https://10.1.2.3/blob", nil, nil, ErrRedirect},
		{"host off the allowlist", "https://evil.example/blob", []string{".hf.co"}, nil, ErrRedirect},
		{"allowlisted name rebound to private", "https://cdn.hf.co/blob", []string{".hf.co"},
			map[string]netip.Addr{"cdn.hf.co": netip.MustParseAddr("10.1.2.3")}, ErrForbiddenAddress},
		{"allowlisted name rebound to link-local", "https://cdn.hf.co/blob", []string{".hf.co"},
			map[string]netip.Addr{"cdn.hf.co": netip.MustParseAddr("169.254.169.254")}, ErrForbiddenAddress},
		{"allowlisted name rebound to unique-local", "https://cdn.hf.co/blob", []string{"cdn.hf.co"},
			map[string]netip.Addr{"cdn.hf.co": netip.MustParseAddr("fd00::1")}, ErrForbiddenAddress},
		{"allowlisted name rebound to IPv4-mapped private", "https://cdn.hf.co/blob", []string{".hf.co"},
			map[string]netip.Addr{"cdn.hf.co": netip.MustParseAddr("::ffff:192.168.1.1")}, ErrForbiddenAddress},
		{"redirect loop", "", nil, nil, ErrRedirect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int32
			var lookups atomic.Int32
			srv := redirectingHub(t, func(r *http.Request) string {
				if tc.location == "" {
					return r.URL.String()
				}
				return tc.location
			}, &requests)
			s := openTestStore(t, nil, t.TempDir())
			s.cfg.Endpoint, s.cfg.HubHosts = srv.URL, tc.hosts
			s.net.lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
				lookups.Add(1)
				if a, ok := tc.resolve[host]; ok {
					return []netip.Addr{a}, nil
				}
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			start := time.Now()
			_, err := s.Pull(context.Background(), testRepo+"/m.gguf", nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			// One HEAD (and one GET when the HEAD did not follow it).
			if n := requests.Load(); n > 2 {
				t.Errorf("the hub saw %d requests: a refused redirect was retried", n)
			}
			if tc.resolve != nil && lookups.Load() == 0 {
				t.Error("the fake resolver was never asked: the check did not run at dial time")
			}
			// A connect to 10.1.2.3 would hang until the dial timeout.
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v: the address was dialled", d)
			}
		})
	}
}

// TestAllowedRedirectHosts checks the allowlist's matching rules.
func TestAllowedRedirectHosts(t *testing.T) {
	g := newGuard("huggingface.co", []string{".huggingface.co", ".hf.co", "mirror.example"})
	tests := []struct {
		host string
		want bool
	}{
		{"huggingface.co", true},
		{"HuggingFace.co", true},
		{"cdn-lfs-us-1.huggingface.co", true},
		{"cas-bridge.xethub.hf.co", true},
		{"mirror.example", true},
		{"sub.mirror.example", false},
		{"evilhuggingface.co", false},
		{"hf.co.evil.example", false},
		{"10.1.2.3", false},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			if got := g.allowedHost(tc.host); got != tc.want {
				t.Errorf("allowedHost(%q) = %v, want %v", tc.host, got, tc.want)
			}
		})
	}
}

// TestUnreachableHubFailsFast is issue 18 item 1: a hub whose name does not
// resolve, or where nothing listens, is retried once, quickly, with the
// retry reported, and the error wraps ErrUnreachable. Timed by the test's
// clock with the production backoff.
func TestUnreachableHubFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more: connection refused
	tests := []struct {
		name, endpoint string
	}{
		{"connection refused", refused},
		{"DNS failure", "https://hub.invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTestStore(t, nil, t.TempDir())
			s.cfg.Endpoint = tc.endpoint
			s.net = defaultNet()
			s.net.lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			var log eventLog
			start := time.Now()
			_, err := s.Pull(context.Background(), "hf.co/"+testRepo, log.add)
			elapsed := time.Since(start)
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("err = %v, want ErrUnreachable", err)
			}
			if elapsed >= 5*time.Second {
				t.Errorf("failed after %v, want < 5 s", elapsed)
			}
			if log.count(EventRetry) != 1 {
				t.Fatalf("events %+v: want exactly one retry", log.ev)
			}
			for _, e := range log.ev {
				if e.Type == EventRetry && (e.Attempt != 2 || e.Attempts != 2 || e.WaitMS != UnreachableWait.Milliseconds() || e.Error == "") {
					t.Errorf("retry event %+v", e)
				}
			}
		})
	}
}

// TestAnnouncedSizeLargerThanDisk is issue 13 item 3: a download that does
// not fit (with DiskMargin) fails before any byte is fetched, on the real
// disk for an announced 10^15 bytes and on a fake 1 MiB disk for a real
// file. The size-limited disk is faked through Cache.freeSpace, so the test
// needs no tmpfs mount.
func TestAnnouncedSizeLargerThanDisk(t *testing.T) {
	tests := []struct {
		name     string
		announce int64
		free     int64 // -1: the real disk
	}{
		{"hub announces 10^15 bytes", 1_000_000_000_000_000, -1},
		{"file larger than a small disk", 0, 1 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, h := newTestStore(t)
			h.AddFile(testRepo, "m-Q4_K_M.gguf", testData(2<<20))
			h.SetFaults(hubtest.Faults{AnnounceSize: tc.announce})
			if tc.free >= 0 {
				s.freeSpace = func(string) (int64, bool, error) { return tc.free, true, nil }
			}
			_, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil)
			if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "HF_HUB_CACHE") {
				t.Fatalf("err = %v, want ErrNoSpace with advice", err)
			}
			if r := cdnRanges(h); len(r) != 0 {
				t.Fatalf("the CDN was asked %d times before the space check", len(r))
			}
		})
	}
}

// TestEndlessBodyStopsAtAnnouncedSize: a CDN that keeps sending past the
// announced size is cut off at once and its partial file removed.
func TestEndlessBodyStopsAtAnnouncedSize(t *testing.T) {
	s, h := newTestStore(t)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", testData(100_000))
	h.SetFaults(hubtest.Faults{Endless: true})
	_, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil)
	if !errors.Is(err, ErrSizeMismatch) {
		t.Fatalf("err = %v, want ErrSizeMismatch", err)
	}
	if r := cdnRanges(h); len(r) != 1 {
		t.Fatalf("CDN requests %q: an overlong body must not be retried", r)
	}
	partial, _ := filepath.Glob(filepath.Join(s.Dir(), "*", "blobs", "*.incomplete"))
	if len(partial) != 0 {
		t.Fatalf("partial files left: %v", partial)
	}
}

// TestTrickleIsDroppedAndResumed is issue 13 item 4: one byte per interval
// keeps the idle timer alive, but the minimum rate over a window drops the
// connection; the pull then resumes with Range and completes. A trickle
// that never ends fails after the retries instead of looping for ever.
func TestTrickleIsDroppedAndResumed(t *testing.T) {
	tests := []struct {
		name  string
		times int // trickling responses (0: all)
		ok    bool
	}{
		{"trickle then normal", 1, true},
		{"trickle for ever", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, h := newTestStore(t)
			data := testData(60_000)
			h.AddFile(testRepo, "m-Q4_K_M.gguf", data)
			h.SetFaults(hubtest.Faults{TrickleEvery: 20 * time.Millisecond, TrickleTimes: tc.times})
			// The idle timeout (2 s) never fires on a byte every 20 ms; only
			// the rate check (1,000 B/s over 250 ms) can.
			s.net.idleTimeout, s.net.minRate, s.net.rateWindow, s.net.maxRetries = 2*time.Second, 1000, 250*time.Millisecond, 2
			var log eventLog
			l, err := s.Pull(context.Background(), "hf.co/"+testRepo, log.add)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				equalFile(t, l.Path, data)
				r := cdnRanges(h)
				if len(r) != 2 || !strings.HasPrefix(r[1], "bytes=") {
					t.Fatalf("CDN ranges %q: want a resumed second request", r)
				}
			} else if !errors.Is(err, errSlow) || !strings.Contains(err.Error(), "giving up after 3 attempts") {
				t.Fatalf("err = %v, want errSlow after 3 attempts", err)
			}
			if log.count(EventRetry) == 0 {
				t.Fatal("no retry event")
			}
		})
	}
}

// TestBlobsAreReadOnly is half of issue 13 item 1: a committed blob has
// mode 0444, so no program truncates a mapped model by accident.
func TestBlobsAreReadOnly(t *testing.T) {
	s, h := newTestStore(t)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", testData(10_000))
	l, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o444 {
		t.Fatalf("blob mode %v, want 0444", fi.Mode().Perm())
	}
	if _, err := s.Remove("hf.co/" + testRepo); err != nil {
		t.Fatalf("rm of a read-only blob: %v", err)
	}
}

// TestPartialDownloadsListedAndRemoved is the rest of issue 13 item 3: the
// .incomplete file a failed pull leaves is listed with its size, skipped
// while a pull holds it, and removed by Remove (plume rm) and GC (plume gc).
func TestPartialDownloadsListedAndRemoved(t *testing.T) {
	s, h := newTestStore(t)
	data := testData(200_000)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", data)
	sum := hubtest.SHA256(data)
	leavePartial := func() {
		t.Helper()
		h.SetFaults(hubtest.Faults{DropAfter: 30_000})
		s.net.maxRetries = 0
		if _, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil); err == nil {
			t.Fatal("the dropping CDN did not fail the pull")
		}
		h.SetFaults(hubtest.Faults{})
	}
	leavePartial()
	ps, err := s.Partials()
	if err != nil || len(ps) != 1 || ps[0].Repo != testRepo || ps[0].SHA256 != sum || ps[0].Size != 30_000 || ps[0].InUse {
		t.Fatalf("Partials = %+v, %v", ps, err)
	}
	if _, err := os.Stat(ps[0].Path); err != nil {
		t.Fatal(err)
	}
	// rm of the model that never completed removes its partial.
	removed, err := s.Remove("hf.co/" + testRepo)
	if err != nil || len(removed) != 1 || !strings.HasSuffix(removed[0], sum+".incomplete") {
		t.Fatalf("Remove = %v, %v", removed, err)
	}
	if ps, _ := s.Partials(); len(ps) != 0 {
		t.Fatalf("after rm: %+v", ps)
	}
	// gc skips a partial a running pull holds, then removes it.
	leavePartial()
	unlock, ok := s.tryBlobLock(testRepo, sum)
	if !ok {
		t.Fatal("could not take the blob lock")
	}
	if ps, _ := s.Partials(); len(ps) != 1 || !ps[0].InUse {
		t.Fatalf("held partial: %+v", ps)
	}
	res, err := s.GC()
	if err != nil || len(res.Removed) != 0 || res.Skipped != 1 {
		t.Fatalf("GC while held = %+v, %v", res, err)
	}
	unlock()
	res, err = s.GC()
	if err != nil || len(res.Removed) != 1 || res.Freed != 30_000 || res.Skipped != 0 {
		t.Fatalf("GC = %+v, %v", res, err)
	}
	// A complete model is never touched by gc.
	l, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := s.GC(); err != nil || len(res.Removed) != 0 {
		t.Fatalf("GC with a complete model = %+v, %v", res, err)
	}
	equalFile(t, l.Path, data)
}

// TestDialGuard checks the dial-time rule directly: a non-public address is
// refused for a public hub, allowed when it is the configured proxy or in
// the hub's own class (a loopback hub may reach loopback, not 10/8).
func TestDialGuard(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := l.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	tests := []struct {
		name, hub, proxy, addr string
		want                   error
	}{
		{"private mirror by name", "mirror.corp", "", "mirror.corp:" + port, nil},
		{"other name to loopback", "mirror.corp", "", "cdn.corp:" + port, ErrForbiddenAddress},
		{"public hub, loopback address", "huggingface.co", "", addr, ErrForbiddenAddress},
		{"public hub, loopback proxy", "huggingface.co", addr, addr, nil},
		{"loopback hub, loopback address", "127.0.0.1", "", addr, nil},
		{"localhost hub, loopback address", "localhost", "", addr, nil},
		{"loopback hub, private address", "127.0.0.1", "", "10.1.2.3:443", ErrForbiddenAddress},
		{"private hub, loopback address", "10.0.0.7", "", addr, ErrForbiddenAddress},
		{"public hub, unspecified address", "huggingface.co", "", "0.0.0.0:443", ErrForbiddenAddress},
		{"public hub, carrier-grade NAT", "huggingface.co", "", "100.64.1.1:443", ErrForbiddenAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuard(tc.hub, nil)
			g.proxy = tc.proxy
			g.lookup = func(context.Context, string) ([]netip.Addr, error) {
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil // every name is loopback
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, err := g.dialContext(&net.Dialer{})(ctx, "tcp", tc.addr)
			if c != nil {
				c.Close()
			}
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("dial %s: %v, want %v", tc.addr, err, tc.want)
			}
		})
	}
}
