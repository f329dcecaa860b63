package hub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Network guards (issue 13 item 2, issue 18 item 1).
const (
	// LookupTimeout bounds one DNS lookup. A resolver that answers at all
	// answers in milliseconds; without it a machine with no network waits
	// the resolver's own timeouts (5 s × attempts) before failing.
	LookupTimeout = 2 * time.Second
	// UnreachableRetries is how many times an unreachable hub (no such host,
	// connection refused, no route) is retried: once, quickly, for a network
	// that was just coming up; more would only delay the advice the error
	// gives (use a local file, a mirror or offline mode).
	UnreachableRetries = 1
	// UnreachableWait is the wait before that one retry.
	UnreachableWait = 500 * time.Millisecond
	// minAddrDial is the least time one address of a host gets to connect
	// when several share the dial timeout (net.Dialer's own floor).
	minAddrDial = 2 * time.Second
)

// Sentinel errors of the network guards.
var (
	// ErrUnreachable is a hub that cannot be reached at all: its name does
	// not resolve, or nothing listens, or there is no route.
	ErrUnreachable = errors.New("hub unreachable")
	// ErrRedirect is a redirect the client refuses: a loop, too many hops,
	// or a host that is neither the hub's nor on the allowlist.
	ErrRedirect = errors.New("refused redirect")
	// ErrForbiddenAddress is a dial to a loopback, private, link-local,
	// unique-local, multicast or unspecified address, refused before any
	// packet is sent.
	ErrForbiddenAddress = errors.New("refusing to connect to a non-public address")
)

// addrClass names the kind of a non-public address, or "" for a public one.
func addrClass(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate(): // 10/8, 172.16/12, 192.168/16, fc00::/7 (unique local)
		return "private"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	case sharedAddressSpace.Contains(a):
		return "private"
	}
	return ""
}

// sharedAddressSpace is 100.64.0.0/10 (RFC 6598, carrier-grade NAT), which
// netip does not count as private but is not reachable from the internet.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// endpointClass is the address class the configured endpoint itself is in
// ("" when it is a public name or address): dials to that one class are
// allowed, so a hub on loopback (tests) or a mirror on a private address
// keeps working.
func endpointClass(host string) string {
	if host == "localhost" {
		return "loopback"
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return addrClass(a)
	}
	return ""
}

// guard decides where the client may connect: the dial-time address check
// (so DNS cannot rebind an allowed name to a private address) and the
// redirect policy.
type guard struct {
	hubHost string   // the endpoint's host name, lower case, no port
	allowed string   // the one non-public class allowed ("" = none)
	hosts   []string // redirect allowlist; ".x" matches x's subdomains
	// proxy is the host:port of the HTTP(S) proxy the environment names
	// for the hub, if any: the user's own choice, dialled without the
	// address check (a corporate proxy often has a private address). The
	// proxy then resolves the hosts itself; the redirect allowlist still
	// applies.
	proxy string
	// lookup resolves a host name (net.DefaultResolver; tests fake it).
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

func newGuard(hubHost string, hosts []string) *guard {
	g := &guard{hubHost: strings.ToLower(hubHost), allowed: endpointClass(strings.ToLower(hubHost)), hosts: hosts}
	g.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	return g
}

// checkAddr is the dial-time check on a resolved address.
func (g *guard) checkAddr(a netip.Addr) error {
	if c := addrClass(a); c != "" && c != g.allowed {
		return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, a, c)
	}
	return nil
}

// control is net.Dialer.Control: it runs after name resolution, just
// before connect(2), on the address actually dialled.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable address %q", ErrForbiddenAddress, address)
	}
	return g.checkAddr(ap.Addr())
}

// dialContext resolves the host with LookupTimeout, then dials each
// address in turn through a dialer whose Control rejects non-public ones
// (except for the endpoint's own host name and the configured proxy).
func (g *guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	plain := *d
	d.Control = g.control
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if g.proxy != "" && strings.EqualFold(addr, g.proxy) {
			return plain.DialContext(ctx, network, addr)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else {
			lctx, cancel := context.WithTimeout(ctx, LookupTimeout)
			ips, err = g.lookup(lctx, host)
			cancel()
			if err != nil {
				return nil, err
			}
		}
		// The configured endpoint's own name may resolve to any address (a
		// mirror on the office network): the user chose it.
		dialer := d
		if strings.EqualFold(host, g.hubHost) {
			dialer = &plain
		}
		var first error
		for i, ip := range ips {
			// Like net.Dialer, share the dial timeout among the addresses
			// left, so a black-holed first address leaves time for the next.
			actx, cancel := context.WithTimeout(ctx, max(d.Timeout/time.Duration(len(ips)-i), minAddrDial))
			c, err := dialer.DialContext(actx, network, net.JoinHostPort(ip.Unmap().String(), port))
			cancel()
			if err == nil {
				return c, nil
			}
			if first == nil || errors.Is(err, ErrForbiddenAddress) && !errors.Is(first, ErrForbiddenAddress) {
				first = err
			}
		}
		if first == nil {
			first = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
		return nil, first
	}
}

// allowedHost reports whether a redirect may go to host.
func (g *guard) allowedHost(host string) bool {
	host = strings.ToLower(host)
	if host == g.hubHost {
		return true
	}
	for _, h := range g.hosts {
		if h == host || strings.HasPrefix(h, ".") && strings.HasSuffix(host, h) {
			return true
		}
	}
	return false
}

// checkRedirect refuses loops, long chains and hosts off the allowlist.
// The errors are final (not retried): a loop does not heal in 31 s.
func (g *guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return fmt.Errorf("%w: stopped after %d redirects", ErrRedirect, MaxRedirects)
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("%w: redirect loop back to %s", ErrRedirect, req.URL.Redacted())
		}
	}
	if !g.allowedHost(req.URL.Hostname()) {
		return fmt.Errorf("%w: to %s, which is neither the hub's host (%s) nor on the allowlist (%s)",
			ErrRedirect, req.URL.Redacted(), g.hubHost, strings.Join(g.hosts, ","))
	}
	return nil
}

// isUnreachable reports whether a transport error means the hub cannot be
// reached at all (as opposed to a drop or a timeout mid-transfer).
func isUnreachable(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH)
}
