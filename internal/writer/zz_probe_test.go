package writer_test

import (
	"context"
	"testing"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/writer"
)

func TestZZProbe(t *testing.T) {
	m, err := engine.Load(testutil.Fixture(t, "stories260K.gguf"), engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	g := m.Generator()
	n, _ := g.CountTokens("Create the outline of a blog article as JSON. Give a title, the key points of the introduction")
	t.Logf("ctx %d, sample tokens %d for 98 chars", g.Info().ContextLength, n)
	for _, sch := range [][]byte{writer.OutlineSchema(2, 5), writer.MetadataSchema(), writer.ReviewSchema()} {
		for seed := uint64(0); seed < 3; seed++ {
			p := sample.DefaultParams()
			p.Seed = seed; p.Temperature = float32(seed) * 0.15
			res, err := g.Generate(context.Background(), llm.Request{Messages: []llm.Message{{Role: "user", Content: "Outline as JSON."}}, MaxTokens: 1500, Sampling: p, JSONSchema: sch}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seed %d: %d tokens, %d chars, finish %s: %.300s", seed, res.CompletionTokens, len(res.Text), res.FinishReason, res.Text)
		}
	}
}
