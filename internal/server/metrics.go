package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, on a registry of its own
// (so that two servers in one process, as in tests, do not collide).
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	queue     prometheus.Gauge
	busy      prometheus.Gauge
	prompt    prometheus.Counter
	generated prometheus.Counter
	speed     prometheus.Histogram
	ttft      prometheus.Histogram
	articles  *prometheus.GaugeVec
	// articleEnds counts finished article jobs by how they ended.
	articleEnds *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plume_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "plume_queue_depth", Help: "Requests waiting for a generation slot.",
		}),
		busy: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "plume_slots_busy", Help: "Generation slots in use.",
		}),
		prompt: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "plume_prompt_tokens_total", Help: "Prompt tokens of finished requests.",
		}),
		generated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "plume_generated_tokens_total", Help: "Tokens generated.",
		}),
		speed: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "plume_decode_tokens_per_second", Help: "Decode speed of finished requests.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		ttft: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "plume_time_to_first_token_seconds", Help: "Time from request to first generated token (queue wait included).",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
		}),
		articles: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "plume_article_jobs", Help: "Article jobs in progress, by status.",
		}, []string{"status"}),
		articleEnds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plume_article_jobs_finished_total", Help: "Article jobs ended, by status (done, outline, interrupted, failed).",
		}, []string{"status"}),
	}
	m.reg.MustRegister(m.requests, m.queue, m.busy, m.prompt, m.generated, m.speed, m.ttft, m.articles, m.articleEnds,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) occupancy(busy, queued int) {
	m.busy.Set(float64(busy))
	m.queue.Set(float64(queued))
}

// generation records a finished generation.
func (m *metrics) generation(promptTokens, generated int, gen time.Duration) {
	m.prompt.Add(float64(promptTokens))
	m.generated.Add(float64(generated))
	if generated > 1 && gen > 0 {
		m.speed.Observe(float64(generated) / gen.Seconds())
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// statusRecorder remembers the status a handler wrote, for the request
// counter. It passes Flush through, for SSE.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// count wraps the router: it counts each request by the pattern that
// matched it (ServeMux sets Request.Pattern) and its status.
func (m *metrics) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
	})
}
