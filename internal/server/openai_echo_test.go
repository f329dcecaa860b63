package server

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
)

// echoTolerance: the server scores the prompt in one batch, the test one
// prefix at a time; both use the same kernels on the F32 fixture, so they
// agree far closer than this.
const echoTolerance = 1e-4

// prefixLogprobs computes, independently of the server, the logprob of each
// prompt token after the tokens before it, by evaluating every prefix on a
// fresh session: want[i] for i >= 1 (want[0] is unused: no context).
func prefixLogprobs(t *testing.T, prompt []int32) []float32 {
	t.Helper()
	m := loadFixture(t)
	want := make([]float32, len(prompt))
	lp := make([]float32, m.Config().Vocab)
	for i := 1; i < len(prompt); i++ {
		s, err := m.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		logits, err := s.Eval(context.Background(), prompt[:i])
		if err != nil {
			t.Fatal(err)
		}
		if err := sample.LogSoftmax(logits, lp); err != nil {
			t.Fatal(err)
		}
		want[i] = lp[prompt[i]]
	}
	return want
}

// echoResponse is a text_completion with nullable logprobs, decoded from
// the wire (the SDK turns null into 0).
type echoResponse struct {
	Choices []struct {
		Text     string `json:"text"`
		Logprobs struct {
			Tokens        []string             `json:"tokens"`
			TokenLogprobs []*float64           `json:"token_logprobs"`
			TopLogprobs   []map[string]float64 `json:"top_logprobs"`
			TextOffset    []int                `json:"text_offset"`
		} `json:"logprobs"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage usage `json:"usage"`
}

func postEcho(t *testing.T, url string, maxTokens int) echoResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"model": "stories260K.gguf", "prompt": storyPrompt, "echo": true,
		"logprobs": 2, "max_tokens": maxTokens, "temperature": 0})
	resp, err := http.Post(url+"/v1/completions", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out echoResponse
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Choices) != 1 {
		t.Fatalf("decode: %v (%d choices)", err, len(out.Choices))
	}
	return out
}

// TestCompletionsEchoLogprobs: echo with logprobs returns the prompt's
// tokens, each scored as the engine scores that prefix (the first null),
// then the completion's tokens, with text offsets into the echoed text;
// max_tokens 0 returns the prompt scored alone.
func TestCompletionsEchoLogprobs(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	prompt, err := loadFixture(t).Prompt(llm.Request{Prompt: storyPrompt})
	if err != nil {
		t.Fatal(err)
	}
	wantPrompt := prefixLogprobs(t, prompt)
	exp := want(t, llm.Request{Prompt: storyPrompt, MaxTokens: 6, Sampling: greedy(), TopLogprobs: 2})
	for _, tc := range []struct {
		name      string
		maxTokens int
		gen       []llm.Token // the completion's tokens after the prompt's
		reason    string
	}{{"with completion", 6, exp.Tokens, "length"}, {"max_tokens 0", 0, nil, "length"}} {
		t.Run(tc.name, func(t *testing.T) {
			ch := postEcho(t, ts.URL, tc.maxTokens).Choices[0]
			lp := ch.Logprobs
			n := len(prompt) + len(tc.gen)
			if len(lp.Tokens) != n || len(lp.TokenLogprobs) != n || len(lp.TopLogprobs) != n || len(lp.TextOffset) != n {
				t.Fatalf("%d/%d/%d/%d logprob entries, want %d prompt + %d completion tokens", len(lp.Tokens),
					len(lp.TokenLogprobs), len(lp.TopLogprobs), len(lp.TextOffset), len(prompt), len(tc.gen))
			}
			var genText strings.Builder
			for _, tk := range tc.gen {
				genText.WriteString(tk.Text)
			}
			if ch.Text != storyPrompt+genText.String() || ch.FinishReason != tc.reason {
				t.Errorf("text %q (%s), want the prompt then %q (%s)", ch.Text, ch.FinishReason, genText.String(), tc.reason)
			}
			if lp.TokenLogprobs[0] != nil || lp.TopLogprobs[0] == nil || len(lp.TopLogprobs[0]) != 0 {
				t.Errorf("first token: logprob %v, top %v, want null and {}", lp.TokenLogprobs[0], lp.TopLogprobs[0])
			}
			var spelled strings.Builder
			for i := range n {
				if lp.TextOffset[i] != spelled.Len() {
					t.Errorf("token %d %q: text_offset %d, want %d", i, lp.Tokens[i], lp.TextOffset[i], spelled.Len())
				}
				spelled.WriteString(lp.Tokens[i])
				if i == 0 {
					continue
				}
				want := float64(wantPrompt[min(i, len(prompt)-1)])
				if i >= len(prompt) {
					want = float64(tc.gen[i-len(prompt)].Logprob)
				}
				if got := lp.TokenLogprobs[i]; got == nil || math.Abs(*got-want) > echoTolerance || len(lp.TopLogprobs[i]) == 0 {
					t.Errorf("token %d %q: logprob %v (top %v), want %v", i, lp.Tokens[i], got, lp.TopLogprobs[i], want)
				}
			}
			if spelled.String() != ch.Text {
				t.Errorf("tokens spell %q, text is %q", spelled.String(), ch.Text)
			}
		})
	}
}

// TestCompletionsEchoSDK: the openai SDK's Completions.New with Echo and
// Logprobs gets the echoed prompt's scored tokens before the completion's,
// and the same with max_tokens 0 and no completion.
func TestCompletionsEchoSDK(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	prompt, err := loadFixture(t).Prompt(llm.Request{Prompt: storyPrompt})
	if err != nil {
		t.Fatal(err)
	}
	wantPrompt := prefixLogprobs(t, prompt)
	for _, maxTokens := range []int64{8, 0} {
		c, err := ts.client.Completions.New(context.Background(), openai.CompletionNewParams{
			Model:       "stories260K.gguf",
			Prompt:      openai.CompletionNewParamsPromptUnion{OfString: openai.String(storyPrompt)},
			MaxTokens:   openai.Int(maxTokens),
			Temperature: openai.Float(0),
			Echo:        openai.Bool(true),
			Logprobs:    openai.Int(3),
		})
		if err != nil {
			t.Fatal(err)
		}
		lp := c.Choices[0].Logprobs
		if len(lp.TokenLogprobs) != len(prompt)+int(maxTokens) || int(c.Usage.PromptTokens) != len(prompt) ||
			c.Usage.CompletionTokens != maxTokens {
			t.Fatalf("max_tokens %d: %d logprobs, usage %+v; want %d prompt tokens", maxTokens, len(lp.TokenLogprobs), c.Usage, len(prompt))
		}
		if !strings.HasPrefix(c.Choices[0].Text, storyPrompt) || (maxTokens == 0 && c.Choices[0].Text != storyPrompt) {
			t.Errorf("max_tokens %d: text %q does not echo the prompt", maxTokens, c.Choices[0].Text)
		}
		for i := 1; i < len(prompt); i++ {
			if math.Abs(lp.TokenLogprobs[i]-float64(wantPrompt[i])) > echoTolerance || len(lp.TopLogprobs[i]) != 3 {
				t.Errorf("max_tokens %d: prompt token %d %q: logprob %v, %d alternatives; want %v and 3",
					maxTokens, i, lp.Tokens[i], lp.TokenLogprobs[i], len(lp.TopLogprobs[i]), wantPrompt[i])
			}
		}
	}
}

// unscored hides the engine generator's ScorePrompt, as a remote backend
// has none.
type unscored struct{ llm.Generator }

// TestCompletionsEchoStreamedAndUnscored: streamed, the first chunk carries
// the echoed prompt's scored tokens; a backend that cannot score prompt
// tokens answers echo with logprobs with a 400 naming echo.
func TestCompletionsEchoStreamedAndUnscored(t *testing.T) {
	ts := startServer(t, fixtureConfig(t, nil), "", true)
	prompt, err := loadFixture(t).Prompt(llm.Request{Prompt: storyPrompt})
	if err != nil {
		t.Fatal(err)
	}
	stream := ts.client.Completions.NewStreaming(context.Background(), openai.CompletionNewParams{
		Model:       "stories260K.gguf",
		Prompt:      openai.CompletionNewParamsPromptUnion{OfString: openai.String(storyPrompt)},
		MaxTokens:   openai.Int(4),
		Temperature: openai.Float(0),
		Echo:        openai.Bool(true),
		Logprobs:    openai.Int(1),
	})
	var text strings.Builder
	tokens := 0
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			text.WriteString(ch.Text)
			tokens += len(ch.Logprobs.Tokens)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.String(), storyPrompt) || tokens != len(prompt)+4 {
		t.Errorf("streamed %q with %d logprob tokens, want the prompt first and %d + 4 tokens", text.String(), tokens, len(prompt))
	}

	plain := startServer(t, fixtureConfig(t, func(g llm.Generator) llm.Generator { return unscored{g} }), "", true)
	_, err = plain.client.Completions.New(context.Background(), openai.CompletionNewParams{
		Model:    "stories260K.gguf",
		Prompt:   openai.CompletionNewParamsPromptUnion{OfString: openai.String(storyPrompt)},
		Echo:     openai.Bool(true),
		Logprobs: openai.Int(1),
	})
	if e := apiErr(t, err); e.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, "echo") {
		t.Errorf("unscored backend: %d %q, want 400 naming echo", e.StatusCode, e.Message)
	}
}
