package sample_test

import (
	"fmt"
	"math"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/sample"
)

func ExampleGreedy() {
	id, err := sample.Greedy([]float32{0.5, 2, 2, -1})
	fmt.Println(id, err)
	// Output: 1 <nil>
}

func ExampleSampler_Sample() {
	p := sample.DefaultParams()
	p.Seed = 7
	s, err := sample.New(p, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	logits := []float32{1, 3, 2.5, float32(math.Inf(-1))} // token 3 masked
	var got []int32
	for range 5 {
		id, err := s.Sample(logits, got)
		if err != nil {
			fmt.Println(err)
			return
		}
		got = append(got, id)
	}
	fmt.Println(got)
	// Output: [2 1 2 0 0]
}

func ExampleTopK() {
	lp := make([]float32, 3)
	if err := sample.LogSoftmax([]float32{0, 2, 1}, lp); err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range sample.TopK(lp, 2) {
		fmt.Printf("%d %.3f\n", t.ID, t.Logprob)
	}
	// Output:
	// 1 -0.408
	// 2 -1.408
}

func ExampleGrammar() {
	// A toy vocabulary: token 0 is end-of-generation.
	vocab := [][]byte{nil, []byte(`{"`), []byte(`ok`), []byte(`":`), []byte(` true`), []byte(`}`), []byte(`"`), []byte(`x`)}
	schema, err := jsonschema.Parse([]byte(`{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := sample.NewJSONSchema(schema, vocab, []int32{0})
	if err != nil {
		fmt.Println(err)
		return
	}
	logits := make([]float32, len(vocab))
	for !g.Done() {
		clear(logits)
		g.Mask(logits)
		id, err := sample.Greedy(logits) // the first allowed token
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q ", vocab[id])
		if err := g.Accept(id); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println()
	// Output: "{\"" "ok" "\":" " true" "}"
}
