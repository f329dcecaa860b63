package sources

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Fetch limits, named with their reasons.
const (
	// FetchTimeout bounds one whole fetch, redirects and body included: a
	// source page is small, and a server that needs longer is too slow to
	// hold up an article that has not started yet.
	FetchTimeout = 30 * time.Second
	// DialTimeout bounds connecting; a host that does not answer within
	// it is reported unreachable.
	DialTimeout = 10 * time.Second
	// HeaderTimeout bounds the wait for response headers (a server that
	// accepts and then stalls).
	HeaderTimeout = 15 * time.Second
	// MaxRedirects caps redirect chains, as browsers cap them at about 20;
	// a legitimate page moves once or twice (http to https, a new path).
	MaxRedirects = 5
	// userAgent names Plume to the servers it reads.
	userAgent = "Plume/1 (+https://github.com/plumewriter/plume; source fetch)"
)

// acceptedTypes maps the content types a source may have to its kind.
var acceptedTypes = map[string]string{
	"text/html":             KindHTML,
	"application/xhtml+xml": KindHTML,
	"text/plain":            KindText,
	"text/markdown":         KindMarkdown,
	"text/x-markdown":       KindMarkdown,
	"application/pdf":       KindPDF,
}

// Page is one fetched response.
type Page struct {
	URL         string // final URL after redirects
	ContentType string
	Kind        string
	Body        []byte
}

// Fetcher fetches source URLs safely. The zero value is ready to use.
type Fetcher struct {
	// Allow lists addresses that are let through although not public
	// (tests serve pages on loopback). Production leaves it empty.
	Allow []netip.AddrPort
	// Timeout overrides FetchTimeout when positive.
	Timeout time.Duration
}

// Fetch gets one URL: http or https, no credentials, public addresses only,
// at most MaxRedirects redirects, MaxSourceBytes of body and an accepted
// content type.
func (f *Fetcher) Fetch(ctx context.Context, raw string) (*Page, error) {
	u, err := checkURL(raw)
	if err != nil {
		return nil, err
	}
	timeout := FetchTimeout
	if f.Timeout > 0 {
		timeout = f.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrScheme, err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain,text/markdown,application/pdf;q=0.9")
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, classify(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("%w: %s", ErrNotFound, resp.Request.URL)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: %s from %s", ErrHTTPStatus, resp.Status, resp.Request.URL)
	}
	ct := resp.Header.Get("Content-Type")
	kind := kindOfContentType(ct)
	if kind == "" {
		return nil, fmt.Errorf("%w: %q", ErrContentType, ct)
	}
	if resp.ContentLength > MaxSourceBytes {
		return nil, fmt.Errorf("%w: %d bytes announced (at most %d)", ErrTooLarge, resp.ContentLength, MaxSourceBytes)
	}
	body, err := readCapped(resp.Body)
	if err != nil {
		return nil, classify(err)
	}
	return &Page{URL: resp.Request.URL.String(), ContentType: ct, Kind: kind, Body: body}, nil
}

// checkURL accepts absolute http(s) URLs without user information.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrScheme, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q", ErrScheme, u.Scheme)
	}
	if u.User != nil {
		return nil, ErrCredentials
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w: no host", ErrScheme)
	}
	return u, nil
}

// classify maps transport errors onto the package's errors.
func classify(err error) error {
	switch {
	case errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrTooManyRedir),
		errors.Is(err, ErrCredentials), errors.Is(err, ErrScheme), errors.Is(err, ErrTooLarge):
		return err
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: timed out: %v", ErrUnreachable, err)
	case errors.Is(err, context.Canceled):
		return err
	}
	var ne net.Error
	var de *net.DNSError
	var oe *net.OpError
	if errors.As(err, &de) || errors.As(err, &oe) || errors.As(err, &ne) {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	return fmt.Errorf("%w: %v", ErrUnreachable, err)
}

// client builds the HTTP client: no cookie jar, no proxy from the
// environment (a proxy would hide the address check), a dialer that
// refuses non-public addresses, and a redirect policy.
func (f *Fetcher) client() *http.Client {
	dialer := &net.Dialer{Timeout: DialTimeout, Control: f.control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    DialTimeout,
		ResponseHeaderTimeout:  HeaderTimeout,
		MaxResponseHeaderBytes: 64 << 10, // headers of real pages are a few KiB
		DisableKeepAlives:      true,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("%w: more than %d", ErrTooManyRedir, MaxRedirects)
			}
			if _, err := checkURL(req.URL.String()); err != nil {
				return err
			}
			req.Header.Del("Authorization")
			req.Header.Del("Cookie")
			return nil
		},
	}
}

// control runs before every connection, on the resolved address.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
	}
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	for _, a := range f.Allow {
		if a == ap {
			return nil
		}
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
	}
	return nil
}

// Public reports whether a is a public unicast address: not loopback,
// private (RFC 1918, RFC 4193), link-local, unspecified, multicast, shared
// (RFC 6598) or otherwise reserved.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// reserved are further non-public ranges the netip predicates do not cover.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 can reach private IPv4
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// kindOfContentType returns the kind for a content type ("" if refused).
func kindOfContentType(ct string) string {
	mt, _, _ := mime.ParseMediaType(ct)
	return acceptedTypes[strings.ToLower(mt)]
}
