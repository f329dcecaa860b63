package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/server"
	"github.com/plumewriter/plume/internal/testutil"
)

// studioTimeout bounds the browser test.
const studioTimeout = 90 * time.Second

// chromiumPath finds Debian's chromium (installed by .ci/run).
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: install Debian's chromium (.ci/run does)")
	return ""
}

// artifactDir is where screenshots go: $PLUME_ARTIFACTS, else a test
// temporary directory (they are never committed).
func artifactDir(t *testing.T) string {
	if d := os.Getenv("PLUME_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// startFixtureStudio serves the studio over a temporary library with the
// stories260K fixture on the local engine, its tokens paced (2 ms) so that
// the browser sees drafting happen; it returns the URL and the model's
// sha256.
func startFixtureStudio(t *testing.T) (string, string) {
	t.Helper()
	env := newTestEnv(t, synthetic) // library path and clock
	m, err := engine.Load(testutil.Fixture(t, "stories260K.gguf"), engine.Options{Threads: 1, ContextLength: 2048})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	var never atomic.Bool
	info := m.Info()
	gen := blockingGen{Generator: m.Generator(), block: &never, tokenDelay: 2 * time.Millisecond}
	s, err := server.New(server.Config{Library: serveLibrary{env.d},
		Load: func(context.Context) (server.Model, error) { return fakeServeModel{gen: gen}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		cancel()
		<-done
	})
	<-s.Loaded()
	return "http://" + ln.Addr().String(), info.SHA256
}

// TestStudioBrowser drives the studio in headless Chromium: start an
// article with outline review, edit the outline (rename, remove, add a
// section), watch it draft on the stories260K fixture, read the confidence shading, quality report
// and provenance, export it, and find it in the library.
func TestStudioBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	base, sha := startFixtureStudio(t)
	ctx := newStudioBrowser(t, chrome)
	shot := screenshotter(t, artifactDir(t))
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css("#new-form")),
		chromedp.SendKeys(css("#topic"), "How to start composting at home"),
		chromedp.SetValue(css("#words"), "600"),
		chromedp.SendKeys(css("#keywords"), "compost"),
		shot("1-new-article.png"),
		chromedp.Click(css("#start")),
		chromedp.WaitVisible(css("#outline-form")), // the page reloads when the outline is ready
	)
	if err != nil {
		t.Fatalf("browser, new article: %v", err)
	}
	outlineTitle, err := chromedp.Run(ctx, chromedp.Value(css("#outline-title")))
	if err != nil || outlineTitle == "" {
		t.Fatalf("the outline form has no title (%v)", err)
	}
	err = chromedp.Do(ctx,
		shot("2-outline-review.png"),
		chromedp.SetValue(css("#outline-title"), "Composting at home, step by step"),
		chromedp.SetValue(css("input.heading"), "Composting on a balcony"), // the first section
		chromedp.Click(css("fieldset.outline-section:nth-of-type(2) input.remove")),
		chromedp.SendKeys(css("#new-heading"), "My own section on worms"),
		chromedp.Click(css("#draft")),
		chromedp.WaitVisible(css("#live-parts .live-part")), // drafting, token by token
		shot("3-drafting.png"),
		chromedp.WaitVisible(css("#quality")), // reloaded when done
		shot("4-article.png"),
	)
	if err != nil {
		t.Fatalf("browser, outline and drafting: %v", err)
	}
	checkStudioArticle(t, ctx, base, sha)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(css("#library")), shot("5-library.png")); err != nil {
		t.Fatal(err)
	}
	if rows := countElems(t, ctx, "#library .article-row"); rows != 1 {
		t.Errorf("library: %d rows, want 1", rows)
	}
}

// newStudioBrowser starts headless Chromium (chrome) for the studio
// tests, closed when t ends; the context times out after studioTimeout.
func newStudioBrowser(t *testing.T, chrome string) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.WindowSize(1200, 1600), chromedp.Flag("lang", "en-US"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(cancelC)
	ctx, cancelT := context.WithTimeout(ctx, studioTimeout)
	t.Cleanup(cancelT)
	return ctx
}

// screenshotter returns the action that saves a full-page screenshot
// named name into dir.
func screenshotter(t *testing.T, dir string) func(name string) chromedp.Action[chromedp.Void] {
	return func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			p := filepath.Join(dir, name)
			t.Logf("screenshot %s", p)
			return os.WriteFile(p, png, 0o644)
		})
	}
}

// countElems counts the page's elements matching the CSS selector sel.
func countElems(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconvQuote(sel)+`).length`))
	if err != nil {
		t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// checkStudioArticle checks the finished article's page (the edited
// headings, confidence shading, quality rules, the model's sha256) and
// its Markdown export.
func checkStudioArticle(t *testing.T, ctx context.Context, base, sha string) {
	t.Helper()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	headings, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#text h2, #text h3")).map(h => h.textContent)`))
	if err != nil || len(headings) == 0 || headings[0] != "Composting on a balcony" || headings[len(headings)-1] != "My own section on worms" {
		t.Errorf("headings after the edit: %q (%v)", headings, err)
	}
	shaded, legend, rules := countElems(t, ctx, "#text .sentence[class*='conf-']"), countElems(t, ctx, "#legend span"), countElems(t, ctx, "#quality li.rule")
	wantSHA := sha
	sha, err = chromedp.Run(ctx, chromedp.Text(css("#prov-sha")))
	if err != nil || shaded == 0 || legend != 4 || rules == 0 || sha != wantSHA {
		t.Errorf("article page: %d shaded sentences, %d legend bands, %d quality rules, sha256 %q (%v)", shaded, legend, rules, sha, err)
	}
	failing, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#quality li.rule.fail")).map(li => li.textContent)`))
	t.Logf("%d shaded sentences, %d quality rules, failing %q, %d places highlighted", shaded, rules, failing, countElems(t, ctx, "#text .flag"))
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(css("#export-md"), "href"))
	if err != nil || !attr.Exists {
		t.Fatalf("no Markdown export link (%v)", err)
	}
	exportMD := attr.Value
	resp, err := http.Get(base + exportMD)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(md), "## My own section on worms") || !strings.Contains(string(md), "## Composting on a balcony") {
		t.Errorf("exported Markdown (%s: %d) lacks the edits:\n%.400s", exportMD, resp.StatusCode, md)
	}
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// TestStudioCSRF: studio forms need the CSRF token and the same origin.
func TestStudioCSRF(t *testing.T) {
	var block atomic.Bool
	base := startArticleServer(t, &block)
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var token string
	for _, c := range resp.Cookies() {
		if c.Name == "plume_csrf" {
			token = c.Value
		}
	}
	if token == "" {
		t.Fatal("no CSRF cookie")
	}
	form := url.Values{"topic": {"Why bees matter"}, "words": {"500"}}
	tests := []struct {
		name, origin, formToken, cookie string
		want                            int
	}{
		{"no token", base, "", token, http.StatusForbidden},
		{"wrong token", base, strings.Repeat("0", 32), token, http.StatusForbidden},
		{"no cookie", base, token, "", http.StatusForbidden},
		{"foreign origin", "https://evil.example", token, token, http.StatusForbidden},
		{"no origin proof", "", token, token, http.StatusForbidden},
		{"same origin with token", base, token, token, http.StatusSeeOther},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("csrf", tc.formToken)
			req, _ := http.NewRequest(http.MethodPost, base+"/studio/articles", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "plume_csrf", Value: tc.cookie})
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

// TestStudioLanguage: the studio speaks French to a French browser.
func TestStudioLanguage(t *testing.T) {
	var block atomic.Bool
	base := startArticleServer(t, &block)
	for lang, want := range map[string]string{"fr-FR,fr;q=0.9,en;q=0.5": "Atelier Plume", "en-GB,en": "Plume studio", "de-DE": "Plume studio"} {
		req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), want) || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("Accept-Language %s: page lacks %q (or its CSP header)", lang, want)
		}
	}
}

// TestStudioLogin: on a keyed server the studio asks for the key once and
// keeps it in an HttpOnly cookie.
func TestStudioLogin(t *testing.T) {
	env := newTestEnv(t, synthetic)
	s, err := server.New(server.Config{Library: serveLibrary{env.d}, APIKey: "k3y-for-test",
		Load: func(context.Context) (server.Model, error) { return fakeServeModel{gen: synthetic()}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() { http.DefaultClient.CloseIdleConnections(); cancel(); <-done }()
	<-s.Loaded()
	base := "http://" + ln.Addr().String()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, cookie string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "plume_key", Value: cookie})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get("/", ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("studio without the key: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := get("/api/articles", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API without the key: %d", resp.StatusCode)
	}
	login := get("/login", "")
	var csrf string
	for _, c := range login.Cookies() {
		if c.Name == "plume_csrf" {
			csrf = c.Value
		}
	}
	post := func(key string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"key": {key}, "csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		req.AddCookie(&http.Cookie{Name: "plume_csrf", Value: csrf})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post("wrong"); resp.Header.Get("Location") != "/login?failed" || len(resp.Cookies()) != 0 {
		t.Errorf("wrong key: %s, cookies %v", resp.Header.Get("Location"), resp.Cookies())
	}
	resp := post("k3y-for-test")
	var key *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "plume_key" {
			key = c
		}
	}
	if resp.Header.Get("Location") != "/" || key == nil || !key.HttpOnly || key.SameSite != http.SameSiteStrictMode {
		t.Fatalf("right key: %s, cookie %+v", resp.Header.Get("Location"), key)
	}
	if resp := get("/", key.Value); resp.StatusCode != http.StatusOK {
		t.Errorf("studio with the key cookie: %d", resp.StatusCode)
	}
}
