package writer

import (
	"context"
	"testing"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/testutil"
)

// MaxFixtureWhitespace is the largest whitespace run (sample.MaxWhitespace)
// with which the 260K-parameter fixture model fits a structured answer in
// its 2048-token context: it fills every whitespace slot the grammar allows
// (measured: half of its tokens at 16). Measured to pass at 1 and 4.
const MaxFixtureWhitespace = 4

// TestFixtureWhitespace fails when the grammar allows whitespace runs the
// fixture model cannot afford: the end-to-end tests on stories260K (here
// and in cmd/plume) would then fail on a context overflow, so this names
// the cause. It replaces a skip that could hide those tests.
func TestFixtureWhitespace(t *testing.T) {
	if sample.MaxWhitespace > MaxFixtureWhitespace {
		t.Fatalf("sample.MaxWhitespace is %d; the fixture model needs ≤ %d to close its JSON within 2048 tokens",
			sample.MaxWhitespace, MaxFixtureWhitespace)
	}
}

// TestConstrainedDecodingFixture checks, on a real model and over many
// seeds, that every structured answer produced under the sized schemas
// parses and validates, without a repair.
func TestConstrainedDecodingFixture(t *testing.T) {
	path := testutil.Fixture(t, "stories260K.gguf")
	m, err := engine.Load(path, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	g := m.Generator()
	const budget = 1000
	cases := []struct {
		name   string
		build  func(Bounds) *jsonschema.Schema
		ladder []func(*Bounds) bool
	}{
		{"outline", Bounds.Outline, outlineLadder},
		{"metadata", Bounds.Metadata, metadataLadder},
		{"review", Bounds.Review, reviewLadder},
	}
	for _, c := range cases {
		_, sch, ok := fitBounds(DefaultBounds(MinWords), c.build, c.ladder, budget)
		if !ok {
			t.Fatalf("%s: no bounds fit %d tokens", c.name, budget)
		}
		v := sch
		for seed := uint64(0); seed < 6; seed++ {
			p := sample.DefaultParams()
			p.Seed = seed
			req := llm.Request{Messages: []llm.Message{{Role: "user", Content: "Answer in JSON."}}, MaxTokens: budget, Sampling: p, JSONSchema: sch}
			res, err := g.Generate(context.Background(), req, nil)
			if err != nil {
				t.Fatalf("%s seed %d: %v", c.name, seed, err)
			}
			if err := v.Validate([]byte(res.Text)); err != nil || res.FinishReason != "stop" {
				t.Errorf("%s seed %d: finish %s, %v\n%.300q", c.name, seed, res.FinishReason, err, res.Text)
			}
		}
	}
}
