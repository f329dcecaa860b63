package writer

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

var fixedDate = time.Date(2026, 11, 29, 10, 30, 0, 0, time.UTC)

func testOptions(topic string) Options {
	return Options{Topic: topic, Words: 600, Seed: 42, Sampling: sample.DefaultParams(), MaxRevise: 1,
		Keywords: []string{"compost"}}
}

func newPipeline(g llm.Generator) *Pipeline {
	return &Pipeline{Gen: g, Now: func() time.Time { return fixedDate }, Version: "test"}
}

// saver keeps the last checkpoint as JSON, like the store does.
type saver struct {
	saved []byte
	n     int
}

func (s *saver) checkpoint(_ context.Context, st *State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	s.saved, s.n = b, s.n+1
	return nil
}

func (s *saver) load(t *testing.T) *State {
	t.Helper()
	var st State
	if err := json.Unmarshal(s.saved, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func runArticle(t *testing.T, g llm.Generator, opts Options) (*Article, *saver) {
	t.Helper()
	p := newPipeline(g)
	sv := &saver{}
	p.Checkpoint = sv.checkpoint
	st, err := p.NewState(opts)
	if err != nil {
		t.Fatal(err)
	}
	art, err := p.Run(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return art, sv
}

var _ llm.Generator = (*fakegen.Generator)(nil)
