package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

// Network limits and defaults, each with its reason.
const (
	// ConnectTimeout bounds TCP connection setup: a server that does not
	// accept within 10 s is down or unreachable.
	ConnectTimeout = 10 * time.Second
	// TLSHandshakeTimeout bounds the TLS handshake for https base URLs.
	TLSHandshakeTimeout = 10 * time.Second
	// ResponseHeaderTimeout bounds the wait for response headers. Servers
	// queue requests and may process a long prompt before answering, so this
	// is generous; streaming bodies have no overall timeout.
	ResponseHeaderTimeout = 5 * time.Minute
	// DefaultIdleTimeout is the longest silence allowed between two chunks
	// of a streaming response before the request is abandoned. llama.cpp
	// and Ollama send a chunk per token, so minutes of silence mean a hang.
	// Any complete line, keep-alive comments included, counts as activity;
	// a line trickled byte by byte does not.
	DefaultIdleTimeout = 2 * time.Minute
	// MaxSSELineBytes caps one server-sent-events line (one JSON chunk);
	// a chunk holds a few tokens and their logprobs, far below 1 MiB.
	MaxSSELineBytes = 1 << 20
	// MaxResponseBytes caps non-streaming response bodies (/props,
	// /v1/models, /tokenize, error bodies).
	MaxResponseBytes = 8 << 20
	// MaxResultBytes caps the text of one streamed completion and
	// MaxResultTokens its token count: a server that never stops cannot
	// exhaust memory (MaxTokenLimit tokens of ~16 bytes fit comfortably).
	MaxResultBytes  = 32 << 20
	MaxResultTokens = 2 << 20
	// MaxErrorBodyBytes is how much of an error body is quoted in an error.
	MaxErrorBodyBytes = 512
	// MaxRetries is how many times a 429 or 5xx answer is retried.
	MaxRetries = 3
	// RetryBaseDelay is the first backoff delay; it doubles per retry.
	RetryBaseDelay = 500 * time.Millisecond
	// MaxRetryDelay caps one backoff delay, including a server's
	// Retry-After, so a hostile server cannot park a request for hours.
	MaxRetryDelay = 30 * time.Second
	// MaxTokenLimit caps Request.MaxTokens sent to a server.
	MaxTokenLimit = 1 << 20
	// keepAlive is the TCP keep-alive period of the default transport.
	keepAlive = 30 * time.Second
	// maxIdleConns and idleConnTimeout size the default transport's
	// connection pool: one generation at a time plus probes.
	maxIdleConns    = 4
	idleConnTimeout = 90 * time.Second
	// charsPerToken is the estimate CountTokens uses when the server has no
	// tokenizer endpoint: about four characters per token for English text.
	charsPerToken = 4
)

// Config configures a Client.
type Config struct {
	// BaseURL is the server's address, e.g. http://127.0.0.1:8080 or
	// http://localhost:11434/v1 (a trailing /v1 is understood).
	BaseURL string
	// Model is the model name sent with each request.
	Model string
	// APIKey is sent as a bearer token. Prefer APIKeyEnv: keys should come
	// from the environment, never from flags or files.
	APIKey string
	// APIKeyEnv names the environment variable holding the key
	// (--api-key-env VAR). It is read by New when APIKey is empty and is
	// named in authentication errors.
	APIKeyEnv string
	// HTTPClient is used for requests; nil means a client with the timeouts
	// above. Its Timeout must be zero for streaming to work.
	HTTPClient *http.Client
	// ContextLength is used when the server does not report one.
	ContextLength int
	// IdleTimeout overrides DefaultIdleTimeout when positive.
	IdleTimeout time.Duration
}

// String describes the config without the API key.
func (c Config) String() string {
	key := "none"
	if c.APIKey != "" {
		key = "set"
	}
	return fmt.Sprintf("remote.Config{BaseURL: %q, Model: %q, APIKey: %s, APIKeyEnv: %q}", c.BaseURL, c.Model, key, c.APIKeyEnv)
}

// GoString is String, so %#v does not print the key either.
func (c Config) GoString() string { return c.String() }

// Client is an llm.Generator backed by an OpenAI-compatible server.
type Client struct {
	cfg         Config
	apiBase     string // base URL ending in /v1
	root        string // server root (llama.cpp's /props and /tokenize live there)
	http        *http.Client
	idle        time.Duration
	backoffBase time.Duration // RetryBaseDelay; shortened by tests
	probeOnce   sync.Once
	mu          sync.Mutex // guards ctxLen, id and notFound
	ctxLen      int
	id          identity        // what the server said about its model (Probe)
	notFound    map[string]bool // URLs that answered 404: not asked again
}

var _ llm.Generator = (*Client)(nil)

// New validates cfg and returns a client. It does not contact the server;
// call Probe for the context length.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil {
		return nil, fmt.Errorf("remote: base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("remote: base URL %q must be http:// or https://", cfg.BaseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("remote: base URL %q has no host", cfg.BaseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("remote: base URL must not carry credentials; use --api-key-env")
	}
	if cfg.Model == "" {
		return nil, fmt.Errorf("remote: no model name given")
	}
	if cfg.APIKey == "" && cfg.APIKeyEnv != "" {
		cfg.APIKey = os.Getenv(cfg.APIKeyEnv)
		if cfg.APIKey == "" {
			return nil, fmt.Errorf("remote: environment variable %s (--api-key-env) is empty or unset", cfg.APIKeyEnv)
		}
	}
	path := strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	c := &Client{cfg: cfg, http: cfg.HTTPClient, idle: DefaultIdleTimeout, backoffBase: RetryBaseDelay, ctxLen: cfg.ContextLength}
	if strings.HasSuffix(path, "/v1") {
		u.Path = path
		c.apiBase = u.String()
		u.Path = strings.TrimSuffix(path, "/v1")
		c.root = u.String()
	} else {
		u.Path = path
		c.root = u.String()
		c.apiBase = c.root + "/v1"
	}
	if cfg.IdleTimeout > 0 {
		c.idle = cfg.IdleTimeout
	}
	if c.http == nil {
		c.http = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: ConnectTimeout, KeepAlive: keepAlive}).DialContext,
			TLSHandshakeTimeout:   TLSHandshakeTimeout,
			ResponseHeaderTimeout: ResponseHeaderTimeout,
			MaxIdleConns:          maxIdleConns,
			IdleConnTimeout:       idleConnTimeout,
		}}
	}
	return c, nil
}

// Info describes the remote model. The first call probes the server for
// the context length (see Probe), waiting at most ConnectTimeout.
func (c *Client) Info() llm.ModelInfo {
	c.probeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ConnectTimeout)
		defer cancel()
		_, _ = c.Probe(ctx) // best effort: the configured length stays on failure
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	ref := c.cfg.Model
	if ref == DefaultModelName && c.id.id != "" {
		ref = c.id.id // the model the server actually serves
	}
	src := c.id.templateSource
	if src == "" {
		src = TemplateUnknown
	}
	return llm.ModelInfo{
		Ref:                  ref,
		ContextLength:        c.ctxLen,
		TrainedContextLength: c.id.trained,
		Backend:              "openai:" + c.apiBase,
		License:              c.id.license,
		Served:               c.id.served(),
		ChatTemplateSHA256:   templateSHA256(c.id.template),
		ChatTemplateSource:   src,
	}
}

func (c *Client) setContextLength(n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > 0 {
		c.ctxLen = n
	}
	return c.ctxLen
}

// HTTPError is a non-2xx answer from the server.
type HTTPError struct {
	Status int
	Body   string // at most MaxErrorBodyBytes, for diagnosis
	hint   string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("server answered %d %s", e.Status, http.StatusText(e.Status))
	if e.hint != "" {
		msg += ": " + e.hint
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

func (c *Client) httpError(resp *http.Response) *HTTPError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBodyBytes))
	e := &HTTPError{Status: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		if c.cfg.APIKeyEnv != "" {
			e.hint = fmt.Sprintf("the API key from $%s was rejected", c.cfg.APIKeyEnv)
		} else {
			e.hint = "the server wants an API key: pass --api-key-env VAR with the key in that environment variable"
		}
	case http.StatusNotFound:
		e.hint = fmt.Sprintf("model %q or endpoint not found on %s", c.cfg.Model, c.root)
	}
	return e
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// retryDelay honours Retry-After (seconds or HTTP date), else doubles from
// the base; both are capped by MaxRetryDelay.
func (c *Client) retryDelay(resp *http.Response, attempt int) time.Duration {
	d := c.backoffBase << attempt
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
			d = time.Duration(secs) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			d = time.Until(t)
		}
	}
	return max(0, min(d, MaxRetryDelay))
}

// post sends a JSON body, retrying 429 and 5xx answers, and returns a 2xx
// response whose body the caller must close.
func (c *Client) post(ctx context.Context, path string, body []byte, stream bool) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, path, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("remote: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		if stream {
			req.Header.Set("Accept", "text/event-stream")
		}
		if c.cfg.APIKey != "" {
			req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("remote: POST %s: %w", path, err)
		}
		if resp.StatusCode/100 == 2 {
			return resp, nil
		}
		herr := c.httpError(resp)
		delay := c.retryDelay(resp, attempt)
		resp.Body.Close()
		if !retryable(resp.StatusCode) || attempt >= MaxRetries {
			if retryable(resp.StatusCode) {
				return nil, fmt.Errorf("remote: POST %s: gave up after %d retries: %w", path, attempt, herr)
			}
			return nil, fmt.Errorf("remote: POST %s: %w", path, herr)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("remote: waiting to retry: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// getJSON fetches a small JSON document (no retries: used for probing). A
// URL that answered 404 is not asked again (errNotFound).
func (c *Client) getJSON(ctx context.Context, url string, out any) error {
	if c.missing(url) {
		return errNotFound
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	return c.doJSON(req, url, out)
}

func jsonBody(v any) (io.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}

func decodeLimited(r io.Reader, out any) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxResponseBytes+1))
	if err != nil {
		return err
	}
	if len(data) > MaxResponseBytes {
		return fmt.Errorf("response over %d bytes", MaxResponseBytes)
	}
	return json.Unmarshal(data, out)
}

// Probe asks the server for the model's context length and identity:
// llama.cpp's /props (default_generation_settings.n_ctx, model file, build,
// chat template), the /v1/models entry (its id, and context_length,
// max_model_len or meta.n_ctx_train when /props gave no length), and for
// Ollama /api/show (template, licence, digest). Without a length, the
// configured ContextLength stays. It returns the length in effect.
func (c *Client) Probe(ctx context.Context) (int, error) {
	propsCtx := c.probeProps(ctx)
	var models struct {
		Data []struct {
			ID            string `json:"id"`
			ContextLength int    `json:"context_length"`
			MaxModelLen   int    `json:"max_model_len"`
			Meta          struct {
				NCtxTrain int `json:"n_ctx_train"`
			} `json:"meta"`
		} `json:"data"`
	}
	err := c.getJSON(ctx, c.apiBase+"/models", &models)
	if err != nil {
		var herr *HTTPError
		if errors.As(err, &herr) && herr.Status == http.StatusUnauthorized {
			return c.setContextLength(0), fmt.Errorf("remote: probe: %w", err)
		}
		// No answer at all (connection refused, DNS, timeout): fail now,
		// before the caller starts an article that cannot progress.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			return c.setContextLength(0), fmt.Errorf("remote: cannot reach %s (is the server running?): %w", c.root, err)
		}
	}
	for _, m := range models.Data {
		if m.ID == c.cfg.Model || len(models.Data) == 1 {
			c.setContextLength(max(m.ContextLength, m.MaxModelLen, m.Meta.NCtxTrain))
			c.mu.Lock()
			c.id.id, c.id.trained = m.ID, m.Meta.NCtxTrain
			c.mu.Unlock()
		}
	}
	if propsCtx > 0 {
		return c.setContextLength(propsCtx), nil // the server's actual window
	}
	c.probeOllama(ctx, c.servedName()) // not llama.cpp: maybe Ollama
	return c.setContextLength(0), nil
}

// servedName is the model's name on the server: the configured one, or the
// id /v1/models gave when none was configured.
func (c *Client) servedName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Model == DefaultModelName && c.id.id != "" {
		return c.id.id
	}
	return c.cfg.Model
}

// CountTokens asks llama.cpp's /tokenize endpoint; servers without it get an
// estimate of one token per four bytes (rounded up), which is only an
// estimate and may be off by a factor of two for non-English text.
func (c *Client) CountTokens(text string) (int, error) {
	body, err := json.Marshal(map[string]any{"content": text, "add_special": false})
	if err != nil {
		return 0, fmt.Errorf("remote: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ConnectTimeout)
	defer cancel()
	tokenizeURL := c.root + "/tokenize"
	if c.missing(tokenizeURL) { // answered 404 before: never asked again
		return EstimateTokens(text), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenizeURL, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if c.cfg.APIKey != "" {
			req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
		}
		var resp *http.Response
		if resp, err = c.http.Do(req); err == nil {
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				c.markMissing(tokenizeURL)
			}
			var out struct {
				Tokens []json.RawMessage `json:"tokens"`
			}
			if resp.StatusCode == http.StatusOK && decodeLimited(resp.Body, &out) == nil && out.Tokens != nil {
				return len(out.Tokens), nil
			}
		}
	}
	return EstimateTokens(text), nil
}

// EstimateTokens is CountTokens's fallback: len(text)/4, rounded up.
func EstimateTokens(text string) int {
	return (len(text) + charsPerToken - 1) / charsPerToken
}
