package sources

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memCache is an in-memory Cache that counts its calls.
type memCache struct {
	mu   sync.Mutex
	srcs map[string]*Source
	puts int
}

func (c *memCache) LookupSource(_ context.Context, origin string) (*Source, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.srcs[origin]
	return s, ok, nil
}

func (c *memCache) PutSource(_ context.Context, s *Source) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srcs == nil {
		c.srcs = map[string]*Source{}
	}
	c.srcs[s.Origin] = s
	c.puts++
	return nil
}

// testSite serves the URL cases on loopback; private is a second server
// the fetcher is not allowed to reach.
type testSite struct {
	srv, private *httptest.Server
	privateHits  atomic.Int32
	fetcher      *Fetcher
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	page, err := os.ReadFile("testdata/compost.html")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testSite{}
	ts.private = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.privateHits.Add(1)
		fmt.Fprint(w, "secret admin page")
	}))
	t.Cleanup(ts.private.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
		fmt.Fprint(w, "Le caf\xe9 de l'\xe9t\xe9")
	})
	mux.HandleFunc("/links-private", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><article><h1>Links</h1><p>A long enough paragraph about compost and soil that readability keeps as the main content of this small page, with a link to <a href="%s/admin">the admin page</a> and an image <img src="%s/pixel.gif">.</p></article></body></html>`, ts.private.URL, ts.private.URL)
	})
	for i := 1; i <= 8; i++ {
		mux.HandleFunc(fmt.Sprintf("/hop%d", i), func(w http.ResponseWriter, r *http.Request) {
			next := "/page"
			if i > 1 {
				next = fmt.Sprintf("/hop%d", i-1)
			}
			http.Redirect(w, r, next, http.StatusMovedPermanently)
		})
	}
	mux.HandleFunc("/to-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, ts.private.URL+"/admin", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/to-creds", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://user:pw@"+r.Host+"/page", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		chunk := []byte(strings.Repeat("compost ", 8192))
		for n := 0; n <= MaxSourceBytes; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/huge-announced", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(MaxSourceBytes+1))
		w.Write([]byte("compost")) // the announced length alone is refused
	})
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n"))
	})
	mux.HandleFunc("/binary-as-text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("\x7fELF\x00\x00\x01"))
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	ts.srv = httptest.NewServer(mux)
	t.Cleanup(ts.srv.Close)
	ap := netip.MustParseAddrPort(ts.srv.Listener.Addr().String())
	// Generous for the 20 MiB stream under the race detector; the slow
	// case sets its own short timeout.
	ts.fetcher = &Fetcher{Allow: []netip.AddrPort{ap}, Timeout: 30 * time.Second}
	return ts
}

func TestFetchURLs(t *testing.T) {
	ts := newTestSite(t)
	tests := []struct {
		path    string
		err     error
		want    string // in the text
		final   string // final URL path
		charset string
	}{
		{path: "/page", want: "one part green to two parts brown", final: "/page", charset: "utf-8"},
		{path: "/hop3", want: "three to six months", final: "/page"},
		{path: "/hop5", want: "three to six months", final: "/page"},
		{path: "/hop6", err: ErrTooManyRedir},
		{path: "/latin1", want: "Le café de l'été", charset: "windows-1252", final: "/latin1"},
		{path: "/missing", err: ErrNotFound},
		{path: "/error", err: ErrHTTPStatus},
		{path: "/slow", err: ErrUnreachable},
		{path: "/huge", err: ErrTooLarge},
		{path: "/huge-announced", err: ErrTooLarge},
		{path: "/image", err: ErrContentType},
		{path: "/binary-as-text", err: ErrBinary},
		{path: "/to-private", err: ErrPrivateAddress},
		{path: "/to-file", err: ErrScheme},
		{path: "/to-creds", err: ErrCredentials},
		{path: "/links-private", want: "the admin page", final: "/links-private"},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			f := ts.fetcher
			if tc.path == "/slow" {
				f = &Fetcher{Allow: f.Allow, Timeout: 500 * time.Millisecond}
			}
			l := &Loader{Fetcher: f, Now: fixedNow}
			got, err := l.Load(context.Background(), ts.srv.URL+tc.path)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := got[0]
			if !strings.Contains(s.Text, tc.want) {
				t.Errorf("text lacks %q: %q", tc.want, s.Text)
			}
			if s.URL != ts.srv.URL+tc.final || s.Origin != ts.srv.URL+tc.path {
				t.Errorf("url %q origin %q", s.URL, s.Origin)
			}
			if tc.charset != "" && s.Charset != tc.charset {
				t.Errorf("charset %q, want %q", s.Charset, tc.charset)
			}
		})
	}
	if n := ts.privateHits.Load(); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
}

func TestFetchRefusesBeforeConnecting(t *testing.T) {
	tests := []struct {
		url string
		err error
	}{
		{"http://127.0.0.1:1/", ErrPrivateAddress},
		{"http://[::1]:1/", ErrPrivateAddress},
		{"http://10.1.2.3/", ErrPrivateAddress},
		{"http://169.254.169.254/latest/meta-data/", ErrPrivateAddress},
		{"http://localhost:1/", ErrPrivateAddress},
		{"ftp://example.com/x", ErrScheme},
		{"http://user:pass@example.com/", ErrCredentials},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			_, err := (&Fetcher{Timeout: time.Second}).Fetch(context.Background(), tc.url)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
		})
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:4700::1111": true, "127.0.0.1": false, "10.0.0.1": false,
		"172.16.5.4": false, "192.168.1.1": false, "169.254.169.254": false, "100.64.0.1": false,
		"0.0.0.0": false, "::1": false, "fd00::1": false, "fe80::1": false, "::ffff:10.0.0.1": false,
		"224.0.0.1": false, "64:ff9b::a00:1": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestCacheAndOffline: a URL is fetched once and stored; later loads and
// offline loads read the library; offline refuses a URL it lacks.
func TestCacheAndOffline(t *testing.T) {
	ts := newTestSite(t)
	var hits atomic.Int32
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/markdown")
		fmt.Fprint(w, "# Notes\n\nCompost needs air.")
	}))
	defer counted.Close()
	ap := netip.MustParseAddrPort(counted.Listener.Addr().String())
	cache := &memCache{}
	l := &Loader{Fetcher: &Fetcher{Allow: []netip.AddrPort{ap}}, Cache: cache, Now: fixedNow}
	ctx := context.Background()
	first, err := l.Load(ctx, counted.URL+"/notes")
	if err != nil {
		t.Fatal(err)
	}
	counted.Close()
	off := &Loader{Cache: cache, Offline: true}
	again, err := off.Load(ctx, counted.URL+"/notes")
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 || cache.puts != 1 || again[0] != first[0] || first[0].Title != "Notes" {
		t.Errorf("hits %d puts %d same %v title %q", hits.Load(), cache.puts, again[0] == first[0], first[0].Title)
	}
	if _, err := off.Load(ctx, ts.srv.URL+"/page"); !errors.Is(err, ErrOffline) {
		t.Errorf("offline uncached: %v", err)
	}
}

// TestFetchUnreachable: an allowed address where nothing listens.
func TestFetchUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close() // the port is closed now
	f := &Fetcher{Allow: []netip.AddrPort{netip.MustParseAddrPort(addr)}, Timeout: 5 * time.Second}
	_, err := (&Loader{Fetcher: f}).Load(context.Background(), "http://"+addr+"/page")
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("err %v, want ErrUnreachable naming the URL", err)
	}
}
