package server

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer"
)

// errJobRunning reports an action that needs the article's job stopped.
var errJobRunning = errors.New("the article is being written; cancel it first")

// jobSubscriberBuffer is how many events a slow event-stream reader may
// fall behind before it misses some (progress events are superseded by the
// next ones; the final state is read from the library).
const jobSubscriberBuffer = 256

// jobs runs article jobs in the background, one per article at a time.
type jobs struct {
	lib     Library
	gen     func() (llm.Generator, error) // the generator jobs share (slotted)
	base    context.Context               // cancelled at shutdown: jobs checkpoint and stop
	metrics *metrics
	log     *slog.Logger

	mu  sync.Mutex
	run map[int64]*articleJob
	wg  sync.WaitGroup
}

type articleJob struct {
	cancel context.CancelFunc
	subs   map[chan writer.Event]struct{}
	// history holds the run's events (the last jobSubscriberBuffer), so
	// that a page opened mid-run sees the stages already passed.
	history []writer.Event
}

func newJobs(base context.Context, lib Library, gen func() (llm.Generator, error), m *metrics, log *slog.Logger) *jobs {
	return &jobs{lib: lib, gen: gen, base: base, metrics: m, log: log, run: map[int64]*articleJob{}}
}

// start runs article id in the background.
func (j *jobs) start(id int64, outlineOnly bool) error {
	gen, err := j.gen()
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.run[id]; ok {
		return errJobRunning
	}
	ctx, cancel := context.WithCancel(j.base)
	jb := &articleJob{cancel: cancel, subs: map[chan writer.Event]struct{}{}}
	j.run[id] = jb
	j.metrics.articles.WithLabelValues("running").Inc()
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		defer cancel()
		err := j.lib.Run(ctx, id, outlineOnly, gen, func(e writer.Event) { j.broadcast(jb, e) })
		j.metrics.articles.WithLabelValues("running").Dec()
		end := endStatus(ctx, err, outlineOnly)
		j.metrics.articleEnds.WithLabelValues(end).Inc()
		if err != nil {
			j.log.Warn("article job stopped", "article", id, "status", end, "err", err)
		}
		j.mu.Lock()
		delete(j.run, id)
		for ch := range jb.subs {
			delete(jb.subs, ch) // so that the reader's stop does not close it again
			close(ch)
		}
		j.mu.Unlock()
	}()
	return nil
}

// endStatus names how a job ended, for the metrics.
func endStatus(ctx context.Context, err error, outlineOnly bool) string {
	switch {
	case err == nil && outlineOnly:
		return "outline"
	case err == nil:
		return "done"
	case ctx.Err() != nil:
		return "interrupted"
	}
	return "failed"
}

func (j *jobs) broadcast(jb *articleJob, e writer.Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(jb.history) == jobSubscriberBuffer {
		jb.history = append(jb.history[:0], jb.history[1:]...)
	}
	jb.history = append(jb.history, e)
	for ch := range jb.subs {
		select {
		case ch <- e:
		default: // a slow reader misses a progress event, not the end
		}
	}
}

// subscribe returns the events of article id's running job, starting with
// those already sent (nil when it is not running), and a function to stop
// listening.
func (j *jobs) subscribe(id int64) (<-chan writer.Event, func()) {
	j.mu.Lock()
	defer j.mu.Unlock()
	jb, ok := j.run[id]
	if !ok {
		return nil, func() {}
	}
	ch := make(chan writer.Event, 2*jobSubscriberBuffer)
	for _, e := range jb.history {
		ch <- e
	}
	jb.subs[ch] = struct{}{}
	return ch, func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		if _, ok := jb.subs[ch]; ok {
			delete(jb.subs, ch)
			close(ch)
		}
	}
}

func (j *jobs) running(id int64) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, ok := j.run[id]
	return ok
}

// cancel stops article id's job; false if none runs.
func (j *jobs) cancel(id int64) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	jb, ok := j.run[id]
	if ok {
		jb.cancel()
	}
	return ok
}

// wait returns when every job has stopped.
func (j *jobs) wait() { j.wg.Wait() }

// slotGenerator is the generator article jobs use: each call waits for a
// slot like an API request (without the queue's cap: a job is already
// admitted), so jobs and API requests share the CPU fairly.
type slotGenerator struct {
	s    *slots
	info llm.Generator // for Info and CountTokens (no session used)
}

func (g slotGenerator) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	i, gen, err := g.s.acquireWait(ctx)
	if err != nil {
		return llm.Result{}, err
	}
	defer g.s.releaseWait(i)
	return gen.Generate(ctx, req, onToken)
}

func (g slotGenerator) CountTokens(text string) (int, error) { return g.info.CountTokens(text) }
func (g slotGenerator) Info() llm.ModelInfo                  { return g.info.Info() }

// Warnings passes on the model's warnings (a replaced chat template).
func (g slotGenerator) Warnings() []string {
	if w, ok := g.info.(writer.Warner); ok {
		return w.Warnings()
	}
	return nil
}

func randomSeed() uint64 { return rand.Uint64() }
