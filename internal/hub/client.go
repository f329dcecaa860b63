package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/config"
)

// Network limits and timeouts.
const (
	// DialTimeout bounds a TCP connect; the hub and CDN answer in well under
	// a second, so 30 s only fails a dead network.
	DialTimeout = 30 * time.Second
	// TLSHandshakeTimeout bounds the TLS handshake.
	TLSHandshakeTimeout = 15 * time.Second
	// ResponseHeaderTimeout bounds the wait for response headers after the
	// request is sent (a stuck server fails instead of hanging).
	ResponseHeaderTimeout = 30 * time.Second
	// IdleReadTimeout aborts a body read that delivers no byte for this long;
	// the download then resumes from where it stopped.
	IdleReadTimeout = 60 * time.Second
	// IdleConnTimeout closes pooled keep-alive connections.
	IdleConnTimeout = 90 * time.Second
	// MetadataTimeout bounds a whole HEAD or API request.
	MetadataTimeout = 60 * time.Second
	// MaxMetadataBody caps API responses (tree listings of big repos are a
	// few hundred KB) and model cards.
	MaxMetadataBody = 8 << 20
	// MaxRedirects caps redirect chains (the hub uses one, to its CDN).
	MaxRedirects = 10
	// MaxRetries is how many consecutive failed attempts without progress a
	// request survives before the error is reported.
	MaxRetries = 5
	// BackoffBase is the first retry delay; it doubles per attempt.
	BackoffBase = 1 * time.Second
	// BackoffMax caps a retry delay, including a server's Retry-After.
	BackoffMax = 30 * time.Second
)

// netConfig holds the tunables, so tests can shrink them.
type netConfig struct {
	headerTimeout, idleTimeout, metaTimeout time.Duration
	maxRetries                              int
	backoffBase, backoffMax                 time.Duration
	// minRate and rateWindow: see MinDownloadRate.
	minRate    int64
	rateWindow time.Duration
	// lookup replaces DNS resolution (tests: a fake resolver); nil = the
	// system resolver.
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

func defaultNet() netConfig {
	return netConfig{headerTimeout: ResponseHeaderTimeout, idleTimeout: IdleReadTimeout, metaTimeout: MetadataTimeout,
		maxRetries: MaxRetries, backoffBase: BackoffBase, backoffMax: BackoffMax,
		minRate: MinDownloadRate, rateWindow: RateWindow}
}

type client struct {
	endpoint *url.URL
	token    string
	hc       *http.Client
	net      netConfig
	guard    *guard
}

// isLoopback reports whether host (no port) is a loopback name or address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secureURL allows https anywhere and http only to loopback (test hubs).
func secureURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInsecure, u.Redacted())
}

func newClient(cfg config.Config, nc netConfig) (*client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("HF_ENDPOINT %q: not an absolute URL", cfg.Endpoint)
	}
	if err := secureURL(u); err != nil {
		return nil, fmt.Errorf("HF_ENDPOINT: %w", err)
	}
	c := &client{endpoint: u, token: cfg.Token, net: nc, guard: newGuard(u.Hostname(), cfg.HubHosts)}
	if nc.lookup != nil {
		c.guard.lookup = nc.lookup
	}
	if pu, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err == nil && pu != nil {
		c.guard.proxy = proxyAddr(pu)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           c.guard.dialContext(&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}),
		TLSHandshakeTimeout:   TLSHandshakeTimeout,
		ResponseHeaderTimeout: nc.headerTimeout,
		IdleConnTimeout:       IdleConnTimeout,
		ForceAttemptHTTP2:     true,
	}
	c.hc = &http.Client{Transport: &authTransport{c: c, next: tr}, CheckRedirect: c.checkRedirect}
	return c, nil
}

// proxyAddr is the host:port a proxy URL is dialled at.
func proxyAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// authTransport adds the token only to requests for the hub's own scheme and
// host, and strips any Authorization header from every other request, so a
// redirect to the CDN (or anywhere else) never carries the token.
type authTransport struct {
	c    *client
	next http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	own := req.URL.Scheme == t.c.endpoint.Scheme && req.URL.Host == t.c.endpoint.Host
	if own && t.c.token != "" {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+t.c.token)
	} else if req.Header.Get("Authorization") != "" {
		req = req.Clone(req.Context())
		req.Header.Del("Authorization")
	}
	return t.next.RoundTrip(req)
}

func (c *client) checkRedirect(req *http.Request, via []*http.Request) error {
	if err := secureURL(req.URL); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	// HEAD reads the hub's own X-Linked-* headers from the redirect itself;
	// only same-host redirects (renamed repos) are followed.
	if via[0].Method == http.MethodHead && req.URL.Host != c.endpoint.Host {
		return http.ErrUseLastResponse
	}
	return c.guard.checkRedirect(req, via)
}

func (c *client) resolveURL(repo, revision, file string) string {
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return c.endpoint.String() + "/" + repo + "/resolve/" + url.PathEscape(revision) + "/" + strings.Join(segs, "/")
}

// fileMeta is what a HEAD on resolve/ tells about one file.
type fileMeta struct {
	URL    string // resolve URL (GET follows the redirect to the CDN)
	Commit string // X-Repo-Commit
	Digest string // sha256 for LFS files, git blob sha1 otherwise
	LFS    bool
	Size   int64
}

// head fetches a file's metadata, retrying transient errors (each retry
// reported to progress, which may be nil).
func (c *client) head(ctx context.Context, t target, progress func(Event)) (fileMeta, error) {
	var m fileMeta
	err := c.retry(ctx, retryReporter(progress, t, nil), func() error {
		var err error
		m, err = c.headOnce(ctx, t)
		return err
	})
	return m, err
}

func (c *client) headOnce(ctx context.Context, t target) (fileMeta, error) {
	ctx, cancel := context.WithTimeout(ctx, c.net.metaTimeout)
	defer cancel()
	u := c.resolveURL(t.repo, t.revision, t.file)
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return fileMeta{}, fmt.Errorf("HEAD %s: %w", u, err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fileMeta{}, c.netError(ctx, "HEAD "+u, err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fileMeta{}, statusError(resp, t)
	}
	return parseMeta(resp, u, t)
}

func parseMeta(resp *http.Response, u string, t target) (fileMeta, error) {
	m := fileMeta{URL: u, Commit: resp.Header.Get("X-Repo-Commit")}
	if err := checkName(kindDigest, m.Commit); err != nil || len(m.Commit) != 40 {
		return fileMeta{}, fmt.Errorf("%s: hub sent no valid X-Repo-Commit (%q)", u, truncateName(m.Commit))
	}
	if e := resp.Header.Get("X-Linked-Etag"); e != "" {
		m.LFS, m.Digest = true, cleanEtag(e)
		if err := checkName(kindDigest, m.Digest); err != nil || len(m.Digest) != 64 {
			return fileMeta{}, fmt.Errorf("%s: X-Linked-Etag %q is not a sha256", u, truncateName(e))
		}
		n, err := strconv.ParseInt(resp.Header.Get("X-Linked-Size"), 10, 64)
		if err != nil || n < 0 {
			return fileMeta{}, fmt.Errorf("%s: bad X-Linked-Size %q", u, truncateName(resp.Header.Get("X-Linked-Size")))
		}
		m.Size = n
		return m, nil
	}
	m.Digest = cleanEtag(resp.Header.Get("ETag"))
	if err := checkName(kindDigest, m.Digest); err != nil {
		return fileMeta{}, fmt.Errorf("%s: ETag %q is not a digest", u, truncateName(m.Digest))
	}
	if resp.StatusCode != http.StatusOK || resp.ContentLength < 0 {
		return fileMeta{}, fmt.Errorf("%s: HTTP %d without X-Linked-Etag or Content-Length", u, resp.StatusCode)
	}
	m.Size = resp.ContentLength
	if t.file != "" && strings.HasSuffix(strings.ToLower(t.file), ".gguf") {
		return fileMeta{}, fmt.Errorf("%s: hub did not report a sha256 (no X-Linked-Etag) for a GGUF file", u)
	}
	return m, nil
}

func cleanEtag(e string) string {
	e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
	return strings.ToLower(strings.Trim(e, `"`))
}

// netError classifies a transport error: the caller's cancellation and a
// refused redirect or address are final; an unreachable hub (no such host,
// connection refused) is retried once, quickly; anything else (reset,
// timeout) is transient.
func (c *client) netError(ctx context.Context, what string, err error) error {
	// what already names the method and URL; *url.Error would repeat them
	// (issue 13 item 9: "GET X: Get "X": …").
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) || errors.Is(err, ErrInsecure) ||
		errors.Is(err, ErrRedirect) || errors.Is(err, ErrForbiddenAddress) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if isUnreachable(err) {
		return transient{unreachable{fmt.Errorf("%s: %w", what, err)}}
	}
	return transient{fmt.Errorf("%s: %w", what, err)}
}

// treeEntry is one item of the hub's tree API.
type treeEntry struct {
	Type string `json:"type"`
	Path string `json:"path"`
	Size int64  `json:"size"`
	LFS  *struct {
		OID  string `json:"oid"`
		Size int64  `json:"size"`
	} `json:"lfs"`
}

// maxTreePages caps pagination of the tree API (1,000 entries per page).
const maxTreePages = 20

// tree lists the files of a repository at a revision.
func (c *client) tree(ctx context.Context, t target, progress func(Event)) ([]treeEntry, error) {
	next := c.endpoint.String() + "/api/models/" + t.repo + "/tree/" + url.PathEscape(t.revision) + "?recursive=true"
	var all []treeEntry
	for page := 0; next != "" && page < maxTreePages; page++ {
		var entries []treeEntry
		var link string
		err := c.retry(ctx, retryReporter(progress, t, nil), func() error {
			var err error
			entries, link, err = c.getJSONPage(ctx, next, t)
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
		next = c.sameHostLink(link)
	}
	return all, nil
}

func (c *client) getJSONPage(ctx context.Context, u string, t target) ([]treeEntry, string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.net.metaTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", u, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, "", c.netError(ctx, "GET "+u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", statusError(resp, t)
	}
	body, err := readLimited(resp.Body, MaxMetadataBody)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", u, err)
	}
	var entries []treeEntry
	if err := json.Unmarshal(body, &entries); err != nil {
		return nil, "", fmt.Errorf("GET %s: decoding tree listing: %w", u, err)
	}
	return entries, resp.Header.Get("Link"), nil
}

// sameHostLink extracts rel="next" from a Link header, only if it stays on
// the hub's host.
func (c *client) sameHostLink(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		if !strings.Contains(part, `rel="next"`) {
			continue
		}
		start, end := strings.Index(part, "<"), strings.Index(part, ">")
		if start < 0 || end <= start {
			return ""
		}
		u, err := url.Parse(part[start+1 : end])
		if err != nil || u.Host != c.endpoint.Host || u.Scheme != c.endpoint.Scheme {
			return ""
		}
		return u.String()
	}
	return ""
}

// readLimited reads at most limit bytes and fails beyond that.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, transient{fmt.Errorf("reading body: %w", err)}
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return b, nil
}

// retry runs fn until it succeeds, fails permanently, or fails transiently
// more than maxRetries times in a row (UnreachableRetries times for an
// unreachable hub); a failed attempt that made progress (progressError)
// resets the count. onRetry, when non-nil, is told of each retry: its
// number, counting the first attempt as 1, out of how many at most.
func (c *client) retry(ctx context.Context, onRetry func(attempt, of int, wait time.Duration, err error), fn func() error) error {
	failures := 0
	for {
		err := fn()
		if err == nil || !isTransient(err) {
			return err
		}
		var pe progressError
		if errors.As(err, &pe) && pe.advanced {
			failures = 0
		}
		failures++
		limit := c.net.maxRetries
		var ur unreachable
		if errors.As(err, &ur) {
			limit = min(limit, UnreachableRetries)
		}
		if failures > limit {
			if errors.As(err, &ur) {
				return fmt.Errorf("%w after %d attempts: %w", ErrUnreachable, failures, err)
			}
			return fmt.Errorf("giving up after %d attempts: %w", failures, err)
		}
		wait := c.backoff(failures, err)
		if onRetry != nil {
			onRetry(failures+1, limit+1, wait, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (while retrying after: %v)", context.Cause(ctx), err)
		case <-time.After(wait):
		}
	}
}

// unreachable marks a transport error that means the hub cannot be reached
// at all (see isUnreachable).
type unreachable struct{ err error }

func (u unreachable) Error() string { return u.err.Error() }
func (u unreachable) Unwrap() error { return u.err }

// retryReporter turns retries into EventRetry events for t; completed, when
// non-nil, gives the bytes already on disk.
func retryReporter(progress func(Event), t target, completed func() (int64, int64)) func(int, int, time.Duration, error) {
	if progress == nil {
		return nil
	}
	return func(attempt, of int, wait time.Duration, err error) {
		e := Event{Type: EventRetry, Repo: t.repo, File: t.file, Attempt: attempt, Attempts: of, WaitMS: wait.Milliseconds(), Error: err.Error()}
		if completed != nil {
			e.Completed, e.Total = completed()
		}
		progress(e)
	}
}

// progressError records that a failed attempt still moved bytes.
type progressError struct {
	advanced bool
	err      error
}

func (p progressError) Error() string { return p.err.Error() }
func (p progressError) Unwrap() error { return p.err }

// backoff is exponential from backoffBase, capped, or the server's
// Retry-After (seconds) when it sent one, also capped.
func (c *client) backoff(attempt int, err error) time.Duration {
	if errors.As(err, new(unreachable)) {
		return min(UnreachableWait, c.net.backoffMax)
	}
	var he *HTTPError
	if errors.As(err, &he) && he.retryAfter > 0 {
		return min(he.retryAfter, c.net.backoffMax)
	}
	d := c.net.backoffBase << min(attempt-1, 16)
	return min(d, c.net.backoffMax)
}
