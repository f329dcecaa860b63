package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
)

// ErrInsecure reports a configuration refused at start-up: a non-loopback
// bind without an API key.
var ErrInsecure = errors.New("refusing an insecure configuration")

// isLoopbackAddr reports whether a listen address (host:port) only accepts
// connections from this machine. An empty host, 0.0.0.0 and :: listen on
// every interface.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return isLoopbackHost(host)
}

// isLoopbackHost reports whether a host name (no port) is this machine:
// localhost (and *.localhost, RFC 6761) or a loopback IP.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// guard holds the request checks that run before any handler.
type guard struct {
	loopback bool     // the listener is loopback-only
	keyHash  [32]byte // sha256 of the API key
	hasKey   bool
	cors     []string // origins allowed cross-origin requests
}

func newGuard(loopback bool, apiKey string, cors []string) (*guard, error) {
	if !loopback && apiKey == "" {
		return nil, fmt.Errorf("%w: a non-loopback address needs an API key (--api-key-env VAR), "+
			"or anyone on the network could use the model", ErrInsecure)
	}
	for _, o := range cors {
		if o == "*" || !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return nil, fmt.Errorf("%w: --cors %q must be an origin such as https://blog.example (no wildcard)", ErrInsecure, o)
		}
	}
	g := &guard{loopback: loopback, hasKey: apiKey != "", cors: cors}
	if g.hasKey {
		g.keyHash = sha256.Sum256([]byte(apiKey))
	}
	return g, nil
}

// forbidden is a 403 with OpenAI's error body.
func forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Type: typePermission, Message: msg}
}

// check applies, in order: the Host check against DNS rebinding (on a
// loopback bind, a page from attacker.example resolving to 127.0.0.1 still
// sends Host: attacker.example), the Origin check (a browser page from
// another origin may not drive the API, even with simple requests that
// skip CORS preflight, unless --cors lists it), and the API key. It
// returns nil when the request may go on, errPreflight for an OPTIONS
// preflight from a listed origin (answered with its headers), else the
// *Error to send.
func (g *guard) check(w http.ResponseWriter, r *http.Request) error {
	if g.loopback {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if !isLoopbackHost(host) {
			return forbidden(fmt.Sprintf("Host %q is not a loopback name; this server only answers to localhost (DNS rebinding protection)", r.Host))
		}
	}
	if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r) {
		if !slices.Contains(g.cors, origin) {
			return forbidden(fmt.Sprintf("Origin %q is not allowed (start the server with --cors %s to allow it)", origin, origin))
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			return errPreflight
		}
	}
	if g.hasKey && !keyFree[r.URL.Path] && !strings.HasPrefix(r.URL.Path, "/static/") && !g.keyOK(r) {
		return &Error{Status: http.StatusUnauthorized, Type: typeAuthentication, Code: "invalid_api_key",
			Message: "missing or wrong API key: send Authorization: Bearer KEY"}
	}
	return nil
}

// keyFree are the paths served without the API key on a keyed server: the
// health check, and the studio's login page (which asks for the key).
var keyFree = map[string]bool{"/health": true, "/login": true}

// errPreflight ends an answered CORS preflight.
var errPreflight = errors.New("preflight answered")

// keyOK compares the bearer token with the key in constant time (hashes of
// both, so neither the content nor the length leaks through timing).
func (g *guard) keyOK(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		if c, err := r.Cookie(keyCookie); err == nil {
			tok, ok = c.Value, true
		}
	}
	return ok && g.keyMatches(tok)
}

// keyMatches compares a key with the server's in constant time.
func (g *guard) keyMatches(key string) bool {
	h := sha256.Sum256([]byte(strings.TrimSpace(key)))
	return subtle.ConstantTimeCompare(h[:], g.keyHash[:]) == 1
}

// keyCookie carries the API key of a studio session on a keyed server.
const keyCookie = "plume_key"

// sameOrigin reports whether origin is the server's own (scheme://Host).
func sameOrigin(origin string, r *http.Request) bool {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}
