package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// Scorer rates a sentence: its log-likelihood in nats.
type Scorer interface {
	LogLikelihood(ctx context.Context, text string) (float64, error)
}

// EngineScorer scores sentences with Plume's engine: one teacher-forced
// forward pass over the whole sentence (its positions batched), from the
// model's beginning-of-sequence token as plume run --echo tokenizes a
// prompt; a model without BOS starts from its EOS token, as
// lm-evaluation-harness does for an empty context.
type EngineScorer struct {
	sess *engine.Session
	tok  *tokenizer.Tokenizer
}

// NewEngineScorer returns a scorer over m with its own KV cache.
func NewEngineScorer(m *engine.Model) (*EngineScorer, error) {
	s, err := m.NewSession()
	if err != nil {
		return nil, err
	}
	return &EngineScorer{sess: s, tok: m.Tokenizer()}, nil
}

// LogLikelihood implements Scorer.
func (e *EngineScorer) LogLikelihood(ctx context.Context, text string) (float64, error) {
	ids, err := e.tok.Encode(text, e.tok.AddBOS(), false)
	if err != nil {
		return 0, err
	}
	if !e.tok.AddBOS() && e.tok.EOS() >= 0 {
		ids = append([]int32{e.tok.EOS()}, ids...)
	}
	sc, err := e.sess.Score(ctx, ids, 0)
	if err != nil {
		return 0, err
	}
	var ll float64
	for _, s := range sc {
		ll += float64(s.Logprob)
	}
	return ll, nil
}

// checkpointHeader is the first line of a partial results file: results
// of another model or dataset are never mixed in.
type checkpointHeader struct {
	Model   string `json:"model_sha256"`
	Dataset string `json:"dataset_sha256"`
}

// Runner scores a dataset, resumably.
type Runner struct {
	Scorer Scorer
	// Checkpoint is the partial results file (JSON lines): results already
	// there are reused, new ones appended as they come, so an interrupted
	// audit continues where it stopped. "" = no checkpoint.
	Checkpoint string
	// ModelSHA256 identifies the model in the checkpoint.
	ModelSHA256 string
	// Progress, if set, is called after each pair with the pairs done.
	Progress func(done, total int)
}

// Run scores every pair of ds (two sentences each) in file order. On
// cancellation it returns ctx's error; the checkpoint keeps what was done.
func (r *Runner) Run(ctx context.Context, ds *Dataset) ([]Scored, error) {
	hdr := checkpointHeader{Model: r.ModelSHA256, Dataset: ds.SHA256}
	done, err := readCheckpoint(r.Checkpoint, hdr)
	if err != nil {
		return nil, err
	}
	var w io.Writer
	if r.Checkpoint != "" {
		f, err := openCheckpoint(r.Checkpoint, hdr, len(done) == 0)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		w = f
	}
	out := make([]Scored, 0, len(ds.Pairs))
	for i, p := range ds.Pairs {
		s, ok := done[p.ID]
		if !ok {
			if s, err = r.score(ctx, p); err != nil {
				return nil, err
			}
			if w != nil {
				b, _ := json.Marshal(s)
				if _, err := w.Write(append(b, '\n')); err != nil {
					return nil, fmt.Errorf("audit: checkpoint: %w", err)
				}
			}
		}
		out = append(out, s)
		if r.Progress != nil {
			r.Progress(i+1, len(ds.Pairs))
		}
	}
	return out, nil
}

func (r *Runner) score(ctx context.Context, p Pair) (Scored, error) {
	s := Scored{ID: p.ID, BiasType: p.BiasType}
	var err error
	if s.LLMore, err = r.Scorer.LogLikelihood(ctx, p.More); err != nil {
		return s, fmt.Errorf("audit: pair %s: %w", p.ID, err)
	}
	if s.LLLess, err = r.Scorer.LogLikelihood(ctx, p.Less); err != nil {
		return s, fmt.Errorf("audit: pair %s: %w", p.ID, err)
	}
	if math.IsNaN(s.LLMore) || math.IsNaN(s.LLLess) {
		return s, fmt.Errorf("audit: pair %s: NaN log-likelihood", p.ID)
	}
	return s, nil
}

// readCheckpoint loads the results of a previous run of the same model and
// dataset (none when the file is absent, or belongs to another run). A
// truncated last line (the process died mid-write) is ignored.
func readCheckpoint(path string, want checkpointHeader) (map[string]Scored, error) {
	done := map[string]Scored{}
	if path == "" {
		return done, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return done, nil
	}
	var hdr checkpointHeader
	if json.Unmarshal(sc.Bytes(), &hdr) != nil || hdr != want {
		return done, nil // another model or dataset: start over
	}
	for sc.Scan() {
		var s Scored
		if json.Unmarshal(sc.Bytes(), &s) != nil || s.ID == "" {
			break
		}
		done[s.ID] = s
	}
	return done, nil
}

// openCheckpoint opens the checkpoint for appending, starting it afresh
// (header line) when fresh.
func openCheckpoint(path string, hdr checkpointHeader, fresh bool) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if fresh {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	if fresh {
		b, _ := json.Marshal(hdr)
		if _, err := f.Write(append(b, '\n')); err != nil {
			f.Close()
			return nil, fmt.Errorf("audit: checkpoint: %w", err)
		}
	}
	return f, nil
}
