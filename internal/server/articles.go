package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/writer"
)

// Library is the article lifecycle that the article API drives: the same
// writer and library as plume write (cmd/plume adapts them). The server runs
// each article as a job in the background and only adds HTTP, events and
// cancellation around it.
type Library interface {
	// Create validates opts (errors wrap writer.ErrInput) and adds the
	// article to the library; it returns its id.
	Create(ctx context.Context, opts writer.Options) (int64, error)
	// Run runs or resumes article id with gen until it is finished, or
	// until its outline when outlineOnly, sending progress to events.
	// Cancelling ctx stops it within one decode step; the article stays
	// resumable.
	Run(ctx context.Context, id int64, outlineOnly bool, gen llm.Generator, events func(writer.Event)) error
	List(ctx context.Context) ([]library.Summary, error)
	Get(ctx context.Context, id int64) (*library.Article, error)
	// SetOutline replaces the outline of an article stopped after it.
	SetOutline(ctx context.Context, id int64, o writer.Outline) error
	Delete(ctx context.Context, id int64) error
	// Export renders a finished article as md, html or json.
	Export(ctx context.Context, id int64, format string) (contentType string, body []byte, err error)
}

// ArticleRequest is the body of POST /api/articles: the options of
// plume write.
type ArticleRequest struct {
	Topic       string   `json:"topic"`
	Lang        string   `json:"lang"`
	Audience    string   `json:"audience"`
	Tone        string   `json:"tone"`
	Words       int      `json:"words"`
	Keywords    []string `json:"keywords"`
	Notes       string   `json:"notes"`
	Seed        *uint64  `json:"seed"`
	Temperature *float32 `json:"temperature"`
	Revise      *int     `json:"revise"`
	// OutlineReview stops the job after the outline, for a person to edit
	// it (PUT …/outline) before drafting (POST …/resume).
	OutlineReview bool `json:"outline_review"`
}

// options converts the request as plume write's flags are converted.
func (a ArticleRequest) options() writer.Options {
	o := writer.Options{Topic: a.Topic, Lang: a.Lang, Audience: a.Audience, Tone: a.Tone, Words: a.Words,
		Keywords: a.Keywords, Notes: a.Notes, MaxRevise: writer.DefaultRevisePasses, Sampling: sample.DefaultParams()}
	if o.Tone == "" {
		o.Tone = writer.DefaultTone
	}
	if o.Words == 0 {
		o.Words = writer.DefaultWords
	}
	if a.Seed != nil {
		o.Seed = *a.Seed
	} else {
		o.Seed = randomSeed()
	}
	if a.Temperature != nil {
		o.Sampling.Temperature = *a.Temperature
	}
	if a.Revise != nil {
		o.MaxRevise = *a.Revise
	}
	return o
}

// articleView is GET /api/articles/{id}.
type articleView struct {
	library.Summary
	Running  bool            `json:"running"`
	State    json.RawMessage `json:"state"` // outline, parts (sections), quality inputs, calls
	Markdown string          `json:"markdown,omitempty"`
	Manifest json.RawMessage `json:"manifest,omitempty"` // quality report, provenance
}

func (s *Server) articleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/articles", s.createArticle)
	mux.HandleFunc("GET /api/articles", s.listArticles)
	mux.HandleFunc("GET /api/articles/{id}", s.getArticle)
	mux.HandleFunc("GET /api/articles/{id}/events", s.articleEvents)
	mux.HandleFunc("PUT /api/articles/{id}/outline", s.putOutline)
	mux.HandleFunc("POST /api/articles/{id}/resume", s.resumeArticle)
	mux.HandleFunc("POST /api/articles/{id}/cancel", s.cancelArticle)
	mux.HandleFunc("DELETE /api/articles/{id}", s.deleteArticle)
	mux.HandleFunc("GET /api/articles/{id}/export", s.exportArticle)
}

// articleError maps library errors to API errors.
func articleError(err error) error {
	switch {
	case errors.Is(err, library.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: "no such article"}
	case errors.Is(err, writer.ErrInput), errors.Is(err, writer.ErrOutlineLocked):
		return badRequest("", "%v", err)
	case errors.Is(err, errJobRunning):
		return &Error{Status: http.StatusConflict, Type: typeInvalidRequest, Code: "article_running", Message: err.Error()}
	}
	// Another process (a `plume write`) holds the article's lock.
	if le := (*library.LockedError)(nil); errors.As(err, &le) {
		return &Error{Status: http.StatusConflict, Type: typeInvalidRequest, Code: "article_running", Message: le.Error()}
	}
	return err
}

// pathID reads {id}.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: fmt.Sprintf("no article %q", r.PathValue("id"))}
	}
	return id, nil
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) {
	var req ArticleRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, s.log, err)
		return
	}
	id, ok := s.startArticle(w, r, req)
	if !ok {
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/articles/%d", id))
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "status": library.StatusRunning})
}

// startArticle creates the article req asks for and starts its job (the
// API's and the studio's), once a model is loaded; false when it has
// answered with the error.
func (s *Server) startArticle(w http.ResponseWriter, r *http.Request, req ArticleRequest) (int64, bool) {
	if _, err := s.currentModel(); err != nil {
		writeError(w, s.log, err)
		return 0, false
	}
	id, err := s.cfg.Library.Create(r.Context(), req.options())
	if err == nil {
		err = s.jobs.start(id, req.OutlineReview)
	}
	if err != nil {
		writeError(w, s.log, articleError(err))
		return 0, false
	}
	return id, true
}

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Library.List(r.Context())
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	if list == nil {
		list = []library.Summary{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": list})
}

// loadArticle reads article {id}.
func (s *Server) loadArticle(w http.ResponseWriter, r *http.Request) (*library.Article, bool) {
	id, err := pathID(r)
	var a *library.Article
	if err == nil {
		a, err = s.cfg.Library.Get(r.Context(), id)
	}
	if err != nil {
		writeError(w, s.log, articleError(err))
		return nil, false
	}
	return a, true
}

// loadArticleRunning reads article {id} and whether a job runs on it. The
// job is read before the article: a job that ends in between has then
// written its final status, never the other way round.
func (s *Server) loadArticleRunning(w http.ResponseWriter, r *http.Request) (a *library.Article, running, ok bool) {
	id, _ := pathID(r)
	running = s.jobs.running(id)
	a, ok = s.loadArticle(w, r)
	return a, running, ok
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) {
	a, running, ok := s.loadArticleRunning(w, r)
	if !ok {
		return
	}
	v := articleView{Summary: a.Summary, Running: running, State: json.RawMessage(a.State)}
	if rev, ok := a.Latest(); ok {
		v.Markdown, v.Manifest = rev.Markdown, json.RawMessage(rev.Manifest)
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) putOutline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var o writer.Outline
	if err == nil {
		err = decodeBody(w, r, &o)
	}
	if err == nil && s.jobs.running(id) {
		err = errJobRunning
	}
	if err == nil {
		err = s.cfg.Library.SetOutline(r.Context(), id, o)
	}
	if err != nil {
		writeError(w, s.log, articleError(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "outline": o})
}

func (s *Server) resumeArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadArticle(w, r)
	if !ok {
		return
	}
	err := errors.New("the article is finished; nothing to resume")
	if !library.Finished(a.Status) {
		err = s.jobs.start(a.ID, false)
	}
	if err != nil {
		writeError(w, s.log, articleError(badIfPlain(err)))
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": a.ID, "status": library.StatusRunning})
}

// badIfPlain makes an unclassified error a 400 (resume of a finished
// article).
func badIfPlain(err error) error {
	if errors.Is(err, errJobRunning) {
		return err
	}
	return badRequest("", "%v", err)
}

func (s *Server) cancelArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	if !s.jobs.cancel(id) {
		writeError(w, s.log, &Error{Status: http.StatusConflict, Type: typeInvalidRequest, Code: "article_not_running", Message: "the article is not being written"})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "status": "cancelling"})
}

func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil && s.jobs.running(id) {
		err = errJobRunning
	}
	if err == nil {
		err = s.cfg.Library.Delete(r.Context(), id)
	}
	if err != nil {
		writeError(w, s.log, articleError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) exportArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "md"
	}
	if err == nil && format != "md" && format != "html" && format != "json" {
		err = badRequest("format", "unknown format %q (md, html or json)", format)
	}
	var ctype string
	var body []byte
	if err == nil {
		ctype, body, err = s.cfg.Library.Export(r.Context(), id, format)
	}
	if err != nil {
		writeError(w, s.log, articleError(err))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="article-%d.%s"`, id, format))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(body)
}

// articleEvents streams a job's progress as SSE: the writer's events
// (stage, section n/N, tokens/s, ETA), then an "end" event with the
// article's status. For an article not being written, only "end".
func (s *Server) articleEvents(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	ev := &sse{w: w, ctx: r.Context()}
	defer ev.close()
	ch, stop := s.jobs.subscribe(id)
	defer stop()
	keepAlive := time.NewTicker(eventKeepAlive)
	defer keepAlive.Stop()
	for ch != nil {
		select {
		case e, ok := <-ch:
			if !ok {
				ch = nil
				break
			}
			if ev.send(e) != nil {
				return
			}
		case <-keepAlive.C:
			if ev.send(writer.Event{Type: "keepalive"}) != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
	a, err := s.cfg.Library.Get(r.Context(), id)
	if err != nil {
		if !ev.started {
			writeError(w, s.log, articleError(err))
		}
		return
	}
	_ = ev.send(writer.Event{Type: "end", Message: a.Status})
}

// eventKeepAlive is how often an idle event stream gets a keep-alive event,
// so that proxies and browsers do not drop it while a slow model thinks.
const eventKeepAlive = 15 * time.Second
