package engine_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
)

// An answer read back as an assistant turn with the ids the engine
// generated for it (Result.TextTokens passed as Message.Tokens) extends the
// sequence the engine holds after that call, its prompt and those ids, so
// that the next call reuses its cache through the answer. Re-tokenized,
// the same text is other ids here (the model spelled the words in
// smaller pieces than the tokenizer would).
func ExampleModel_Prompt_readBack() {
	m, done, err := tinyModel("qwen2")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	schema, _ := jsonschema.Parse([]byte(`{"enum":["the rain in spain"]}`))
	greedy := sample.DefaultParams()
	greedy.Temperature = 0
	msgs := []llm.Message{{Role: "user", Content: "Say it."}}
	req := llm.Request{Messages: msgs, MaxTokens: 32, Sampling: greedy, JSONSchema: schema}
	res, err := m.Generator().Generate(context.Background(), req, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	first, _ := m.Prompt(llm.Request{Messages: msgs})
	held := append(slices.Clone(first), res.TextTokens...) // what the session holds
	fmt.Printf("answer %q in %d ids\n", res.Text, len(res.TextTokens))
	for _, ids := range [][]int32{res.TextTokens, nil} {
		next := append(slices.Clone(msgs), llm.Message{Role: "assistant", Content: res.Text, Tokens: ids},
			llm.Message{Role: "user", Content: "Again."})
		p, _ := m.Prompt(llm.Request{Messages: next})
		fmt.Printf("read back with %d ids: extends the held sequence: %v\n", len(ids), slices.Equal(p[:len(held)], held))
	}
	// Output:
	// answer "\n\"the rain in spain\"" in 19 ids
	// read back with 19 ids: extends the held sequence: true
	// read back with 0 ids: extends the held sequence: false
}
