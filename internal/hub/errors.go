package hub

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Sentinel errors; every error the package returns wraps at most one of them.
var (
	ErrGated          = errors.New("repository is gated or private")
	ErrNotFound       = errors.New("not found on the hub")
	ErrOffline        = errors.New("offline (HF_HUB_OFFLINE is set) and the model is not in the cache")
	ErrNotPulled      = errors.New("model is not in the local cache")
	ErrDigestMismatch = errors.New("sha256 mismatch")
	ErrSizeMismatch   = errors.New("size mismatch")
	ErrTooLarge       = errors.New("response larger than allowed")
	ErrInsecure       = errors.New("refusing plain-HTTP URL to a non-loopback host")
	// ErrLocalFile: Remove was given a local path, not a cached model.
	ErrLocalFile = errors.New("is a local file, not a cached model")
)

// HTTPError is an unexpected status from the hub or its CDN.
type HTTPError struct {
	Status  int
	URL     string
	Code    string // X-Error-Code, when the hub sent one
	Message string // X-Error-Message

	retryAfter time.Duration // Retry-After, when sent with 429/503
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// transient marks an error worth retrying (network drop, timeout, 429, 5xx).
type transient struct{ err error }

func (t transient) Error() string { return t.err.Error() }
func (t transient) Unwrap() error { return t.err }

func isTransient(err error) bool {
	var t transient
	return errors.As(err, &t)
}

// target names what a request was for, so errors can say it.
type target struct{ endpoint, repo, file, revision string }

// statusError turns a non-success response into a helpful error: 401/403 say
// how to get access, 404 names the repo and file, 429/5xx are transient.
func statusError(resp *http.Response, t target) error {
	he := &HTTPError{Status: resp.StatusCode, URL: resp.Request.URL.Redacted(),
		Code: resp.Header.Get("X-Error-Code"), Message: truncateName(resp.Header.Get("X-Error-Message"))}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		he.retryAfter = time.Duration(secs) * time.Second
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		if he.Code == "RepoNotFound" {
			return notFound(t, he)
		}
		return fmt.Errorf("%w: %s: accept its licence at %s/%s (signed in), then create a read token at %s/settings/tokens and set HF_TOKEN=hf_… (or run `huggingface-cli login`): %w",
			ErrGated, t.repo, t.endpoint, t.repo, t.endpoint, he)
	case resp.StatusCode == http.StatusNotFound:
		return notFound(t, he)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return transient{he}
	}
	return he
}

func notFound(t target, he *HTTPError) error {
	what := "repository " + t.repo
	switch he.Code {
	case "EntryNotFound":
		what = fmt.Sprintf("file %q in %s@%s", t.file, t.repo, t.revision)
	case "RevisionNotFound":
		what = fmt.Sprintf("revision %q of %s", t.revision, t.repo)
	default:
		if t.file != "" {
			what = fmt.Sprintf("%s (file %q, revision %q)", t.repo, t.file, t.revision)
		}
	}
	return fmt.Errorf("%w: %s: %w", ErrNotFound, what, he)
}
