package remote_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/remote"
	"github.com/plumewriter/plume/internal/sample"
)

func ExampleClient_Generate() {
	// A stand-in for llama-server / Ollama / vLLM.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"choices":[{"delta":{"content":"Les crêpes"}}]}`+"\n\n")
		io.WriteString(w, `data: {"choices":[{"delta":{"content":" de Bretagne"},"finish_reason":"stop"}]}`+"\n\n")
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()

	c, err := remote.New(remote.Config{BaseURL: srv.URL, Model: "qwen3:0.6b", ContextLength: 8192})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Generate(context.Background(), llm.Request{
		Messages:  []llm.Message{{Role: "user", Content: "Un titre ?"}},
		MaxTokens: 16,
		Sampling:  sample.DefaultParams(),
	}, func(t llm.Token) error {
		fmt.Printf("token %q\n", t.Text)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Text, "/", res.FinishReason)
	// Output:
	// token "Les crêpes"
	// token " de Bretagne"
	// Les crêpes de Bretagne / stop
}
