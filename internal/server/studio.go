package server

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/plumewriter/plume/internal/writer"
)

// The studio: server-rendered pages over the article API, with a small
// script (no framework) for the live drafting view.

//go:embed studio/*.html studio/static/*
var studioFS embed.FS

var studioTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"join": func(xs []string) string { return strings.Join(xs, "\n") },
	"pct":  func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + " %" },
	"add":  func(a, b int) int { return a + b },
}).ParseFS(studioFS, "studio/*.html"))

// csrfCookie holds the studio's CSRF token (double submit: every form
// carries the same value in csrfField).
const (
	csrfCookie = "plume_csrf"
	csrfField  = "csrf"
)

// maxFormBytes caps a studio form (notes included).
const maxFormBytes = 1 << 20

func (s *Server) studioRoutes(mux *http.ServeMux) {
	static, _ := fs.Sub(studioFS, "studio/static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.studioHome)
	mux.HandleFunc("GET /login", s.studioLoginPage)
	mux.HandleFunc("POST /login", s.studioForm(s.studioLogin))
	mux.HandleFunc("GET /articles/{id}", s.studioArticle)
	mux.HandleFunc("POST /studio/articles", s.studioForm(s.studioCreate))
	mux.HandleFunc("POST /studio/articles/{id}/outline", s.studioForm(s.studioOutline))
	mux.HandleFunc("POST /studio/articles/{id}/{action}", s.studioForm(s.studioAction))
}

// pageData is what every page template gets.
type pageData struct {
	T    map[string]string
	Lang string
	CSRF string
	Data any
}

// csrfToken returns the browser's CSRF token, setting the cookie if it has
// none.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return tok
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	lang := studioLang(r)
	var buf bytes.Buffer
	err := studioTemplates.ExecuteTemplate(&buf, name, pageData{T: studioText[lang], Lang: lang, CSRF: csrfToken(w, r), Data: data})
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}

// studioForm checks a state-changing form: same origin (Origin, else
// Referer, else Sec-Fetch-Site must name this server) and the CSRF token.
func (s *Server) studioForm(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			writeError(w, s.log, fmt.Errorf("form: %w", err))
			return
		}
		if !formSameOrigin(r) {
			writeError(w, s.log, forbidden("a studio form must come from the studio's own pages (same origin)"))
			return
		}
		c, err := r.Cookie(csrfCookie)
		if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(csrfField))) != 1 || c.Value == "" {
			writeError(w, s.log, forbidden("missing or wrong CSRF token: reload the page"))
			return
		}
		next(w, r)
	}
}

// formSameOrigin requires proof that a form was posted from this origin.
func formSameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return sameOrigin(o, r)
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && sameOrigin(u.Scheme+"://"+u.Host, r)
	}
	return r.Header.Get("Sec-Fetch-Site") == "same-origin"
}

func (s *Server) studioHome(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Library.List(r.Context())
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	s.render(w, r, "home.html", map[string]any{"Articles": list, "Tones": writer.Tones, "DefaultWords": writer.DefaultWords,
		"DefaultTone": writer.DefaultTone})
}

func (s *Server) studioArticle(w http.ResponseWriter, r *http.Request) {
	a, running, ok := s.loadArticleRunning(w, r)
	if !ok {
		return
	}
	page, err := buildArticlePage(a, running)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	s.render(w, r, "article.html", page)
}

func (s *Server) studioCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	req := ArticleRequest{Topic: f.Get("topic"), Lang: f.Get("lang"), Audience: f.Get("audience"), Tone: f.Get("tone"),
		Notes: f.Get("notes"), OutlineReview: f.Get("outline_review") != ""}
	req.Words, _ = strconv.Atoi(f.Get("words"))
	for _, k := range strings.Split(f.Get("keywords"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			req.Keywords = append(req.Keywords, k)
		}
	}
	id, ok := s.startArticle(w, r, req)
	if !ok {
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/articles/%d", id), http.StatusSeeOther)
}

// studioOutline applies the edited outline and starts drafting.
func (s *Server) studioOutline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	o := outlineFromForm(r.PostForm)
	if s.jobs.running(id) {
		err = errJobRunning
	}
	if err == nil {
		err = s.cfg.Library.SetOutline(r.Context(), id, o)
	}
	if err == nil {
		err = s.jobs.start(id, false)
	}
	if err != nil {
		writeError(w, s.log, articleError(err))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/articles/%d", id), http.StatusSeeOther)
}

// outlineFromForm reads the outline form: title, intro, and per section
// (heading, points, order, remove), then one optional new section.
func outlineFromForm(f url.Values) writer.Outline {
	o := writer.Outline{Title: f.Get("title"), Intro: lines(f.Get("intro"))}
	type sec struct {
		order int
		s     writer.OutlineSection
	}
	var secs []sec
	headings, points, orders := f["heading"], f["points"], f["order"]
	removed := map[string]bool{}
	for _, i := range f["remove"] {
		removed[i] = true
	}
	for i, h := range headings {
		if removed[strconv.Itoa(i)] {
			continue
		}
		ord := i
		if i < len(orders) {
			if n, err := strconv.Atoi(orders[i]); err == nil {
				ord = n
			}
		}
		var pts []string
		if i < len(points) {
			pts = lines(points[i])
		}
		secs = append(secs, sec{order: ord, s: writer.OutlineSection{Heading: h, Points: pts}})
	}
	if h := strings.TrimSpace(f.Get("new_heading")); h != "" {
		secs = append(secs, sec{order: len(headings) + 1000, s: writer.OutlineSection{Heading: h, Points: lines(f.Get("new_points"))}})
	}
	// A stable sort by the order numbers the person typed.
	for i := 1; i < len(secs); i++ {
		for j := i; j > 0 && secs[j].order < secs[j-1].order; j-- {
			secs[j], secs[j-1] = secs[j-1], secs[j]
		}
	}
	for _, x := range secs {
		o.Sections = append(o.Sections, x.s)
	}
	return o
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// studioAction is resume, cancel and delete.
func (s *Server) studioAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	next := fmt.Sprintf("/articles/%d", id)
	switch r.PathValue("action") {
	case "resume":
		err = s.jobs.start(id, false)
	case "cancel":
		s.jobs.cancel(id)
	case "delete":
		if s.jobs.running(id) {
			err = errJobRunning
		} else if err = s.cfg.Library.Delete(r.Context(), id); err == nil {
			next = "/"
		}
	default:
		err = &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: "no such action"}
	}
	if err != nil {
		writeError(w, s.log, articleError(err))
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) studioLoginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "login.html", map[string]bool{"Failed": r.URL.Query().Has("failed")})
}

// studioLogin keeps the API key of a keyed server in an HttpOnly,
// SameSite=Strict cookie, so that the studio's pages and event streams
// (which cannot send an Authorization header) are authorised.
func (s *Server) studioLogin(w http.ResponseWriter, r *http.Request) {
	key := r.PostForm.Get("key")
	if s.guard == nil || !s.guard.hasKey || !s.guard.keyMatches(key) {
		http.Redirect(w, r, "/login?failed", http.StatusSeeOther)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: keyCookie, Value: key, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
