package fakegen

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
)

func TestDeterministicAndCrash(t *testing.T) {
	g := &Generator{FailAfter: 2}
	req := llm.Request{MaxTokens: 50}
	req.Sampling.Seed = 9
	a, err := g.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	streamed := ""
	b, err := g.Generate(context.Background(), req, func(tok llm.Token) error { streamed += tok.Text; return nil })
	if err != nil || a.Text != b.Text || streamed != b.Text || b.CompletionTokens != len(b.Tokens) {
		t.Fatalf("not deterministic or stream differs: %v", err)
	}
	if _, err := g.Generate(context.Background(), req, nil); !errors.Is(err, ErrCrash) {
		t.Fatalf("third call: %v, want ErrCrash", err)
	}
	if len(g.Requests()) != 3 {
		t.Errorf("requests = %d", len(g.Requests()))
	}
}

func TestMaxTokensAndCancel(t *testing.T) {
	g := &Generator{Script: func(int, llm.Request) (string, bool) { return "a b c d e f", true }}
	res, _ := g.Generate(context.Background(), llm.Request{MaxTokens: 3}, nil)
	if res.Text != "a b c" || res.FinishReason != "length" {
		t.Errorf("MaxTokens: %q %s", res.Text, res.FinishReason)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Generate(ctx, llm.Request{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func ExampleGenerator() {
	g := &Generator{}
	schema, err := jsonschema.Parse([]byte(`{"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := llm.Request{JSONSchema: schema}
	res, _ := g.Generate(context.Background(), req, nil)
	fmt.Println(len(res.Text) > 0, res.FinishReason)
	// Output: true stop
}
