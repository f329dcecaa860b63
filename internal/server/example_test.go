package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/server"
)

// echo is a stand-in generator that answers with the last message.
type echo struct{}

func (echo) Generate(_ context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	text := "you said: " + req.Messages[len(req.Messages)-1].Content
	if err := onToken(llm.Token{Text: text}); err != nil {
		return llm.Result{}, err
	}
	return llm.Result{Text: text, Tokens: []llm.Token{{Text: text}}, PromptTokens: 3, CompletionTokens: 1, FinishReason: "stop"}, nil
}
func (echo) CountTokens(s string) (int, error) { return len(s) / 4, nil }
func (echo) Info() llm.ModelInfo               { return llm.ModelInfo{Ref: "echo"} }

type echoModel struct{}

func (echoModel) ID() string                           { return "echo" }
func (echoModel) NewGenerator() (llm.Generator, error) { return echo{}, nil }

func Example() {
	s, err := server.New(server.Config{Load: func(context.Context) (server.Model, error) { return echoModel{}, nil }})
	if err != nil {
		panic(err)
	}
	ln, err := s.Listen("127.0.0.1:0") // loopback: no API key needed
	if err != nil {
		panic(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Serve(ctx, ln) }()
	<-s.Loaded()

	resp, err := http.Post("http://"+ln.Addr().String()+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"echo","messages":[{"role":"user","content":"bonjour"}]}`))
	if err != nil {
		panic(err)
	}
	var c struct {
		Choices []struct {
			Message      struct{ Content string }
			FinishReason string `json:"finish_reason"`
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, c.Choices[0].Message.Content, c.Choices[0].FinishReason)

	http.DefaultClient.CloseIdleConnections()
	stop()
	fmt.Println(<-done)
	// Output:
	// 200 you said: bonjour stop
	// <nil>
}
