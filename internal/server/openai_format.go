package server

import (
	"github.com/plumewriter/plume/internal/llm"
)

// chatFormat renders chat.completion and chat.completion.chunk objects.
type chatFormat struct {
	meta     meta
	logprobs bool
	sentRole bool
}

type chatChoice struct {
	Index        int           `json:"index"`
	Message      *chatOut      `json:"message,omitempty"`
	Delta        *chatOut      `json:"delta,omitempty"`
	Logprobs     *chatLogprobs `json:"logprobs"`
	FinishReason *string       `json:"finish_reason"`
}

type chatOut struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
	Refusal *string `json:"refusal,omitempty"`
}

type chatLogprobs struct {
	Content []tokenLogprob `json:"content"`
	Refusal []tokenLogprob `json:"refusal"`
}

type tokenLogprob struct {
	Token       string         `json:"token"`
	Logprob     float32        `json:"logprob"`
	Bytes       []int          `json:"bytes"`
	TopLogprobs []tokenLogprob `json:"top_logprobs"`
}

type chatResponse struct {
	meta
	Choices []chatChoice `json:"choices"`
	Usage   *usage       `json:"usage,omitempty"`
}

func byteList(s string) []int {
	out := make([]int, len(s))
	for i := range len(s) {
		out[i] = int(s[i])
	}
	return out
}

func toTokenLogprob(t llm.Token) tokenLogprob {
	out := tokenLogprob{Token: t.Text, Logprob: t.Logprob, Bytes: byteList(t.Text), TopLogprobs: []tokenLogprob{}}
	for _, a := range t.Top {
		out.TopLogprobs = append(out.TopLogprobs, tokenLogprob{Token: a.Text, Logprob: a.Logprob, Bytes: byteList(a.Text)})
	}
	return out
}

func (f *chatFormat) chunk(t llm.Token) any {
	if t.Text == "" && !f.logprobs {
		return nil
	}
	text := t.Text
	d := &chatOut{Content: &text}
	if !f.sentRole {
		f.sentRole = true
		d.Role = "assistant"
	}
	c := chatChoice{Delta: d}
	if f.logprobs {
		c.Logprobs = &chatLogprobs{Content: []tokenLogprob{toTokenLogprob(t)}, Refusal: []tokenLogprob{}}
	}
	return chatResponse{meta: f.meta.as("chat.completion.chunk"), Choices: []chatChoice{c}}
}

func (f *chatFormat) last(res llm.Result) any {
	reason := finishReason(res)
	d := &chatOut{}
	if !f.sentRole {
		d.Role = "assistant"
	}
	return chatResponse{meta: f.meta.as("chat.completion.chunk"), Choices: []chatChoice{{Delta: d, FinishReason: &reason}}}
}

func (f *chatFormat) usage(res llm.Result) any {
	return chatResponse{meta: f.meta.as("chat.completion.chunk"), Choices: []chatChoice{}, Usage: usageOf(res)}
}

func (f *chatFormat) full(res llm.Result) any {
	reason := finishReason(res)
	text := res.Text
	c := chatChoice{Message: &chatOut{Role: "assistant", Content: &text}, FinishReason: &reason}
	if f.logprobs {
		c.Logprobs = &chatLogprobs{Content: []tokenLogprob{}, Refusal: []tokenLogprob{}}
		for _, t := range res.Tokens {
			c.Logprobs.Content = append(c.Logprobs.Content, toTokenLogprob(t))
		}
	}
	return chatResponse{meta: f.meta.as("chat.completion"), Choices: []chatChoice{c}, Usage: usageOf(res)}
}

// completionFormat renders text_completion objects.
type completionFormat struct {
	meta     meta
	logprobs bool
	echo     string      // the prompt, echoed before the completion
	prompt   []llm.Token // the echoed prompt's scored tokens (echo with logprobs)
	offset   int         // text_offset of the next token
	started  bool
}

type completionChoice struct {
	Index        int                 `json:"index"`
	Text         string              `json:"text"`
	Logprobs     *completionLogprobs `json:"logprobs"`
	FinishReason *string             `json:"finish_reason"`
}

// completionLogprobs: an echoed prompt's first token has a null logprob
// (nothing comes before it) and no alternatives, {} rather than OpenAI's
// null, which the openai-go SDK cannot decode (it drops the whole list).
type completionLogprobs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []*float32           `json:"token_logprobs"`
	TopLogprobs   []map[string]float32 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

type completionResponse struct {
	meta
	Choices []completionChoice `json:"choices"`
	Usage   *usage             `json:"usage,omitempty"`
}

func (f *completionFormat) add(lp *completionLogprobs, t llm.Token) {
	lp.Tokens = append(lp.Tokens, t.Text)
	lp.TokenLogprobs = append(lp.TokenLogprobs, &t.Logprob)
	top := make(map[string]float32, len(t.Top))
	for _, a := range t.Top {
		if _, dup := top[a.Text]; !dup { // two tokens may share a text; keep the likelier
			top[a.Text] = a.Logprob
		}
	}
	lp.TopLogprobs = append(lp.TopLogprobs, top)
	lp.TextOffset = append(lp.TextOffset, f.offset)
	f.offset += len(t.Text)
}

func (f *completionFormat) chunk(t llm.Token) any {
	if t.Text == "" && !f.logprobs {
		return nil
	}
	c := completionChoice{Text: t.Text}
	if f.logprobs {
		c.Logprobs = &completionLogprobs{}
	}
	if !f.started {
		f.start(&c)
		c.Text += t.Text
	}
	if f.logprobs {
		f.add(c.Logprobs, t)
	}
	return completionResponse{meta: f.meta.as("text_completion"), Choices: []completionChoice{c}}
}

func (f *completionFormat) last(res llm.Result) any {
	reason := finishReason(res)
	c := completionChoice{FinishReason: &reason}
	if !f.started { // nothing generated (max_tokens 0): the echo only
		if f.logprobs {
			c.Logprobs = &completionLogprobs{}
		}
		f.start(&c)
	}
	return completionResponse{meta: f.meta.as("text_completion"), Choices: []completionChoice{c}}
}

func (f *completionFormat) usage(res llm.Result) any {
	return completionResponse{meta: f.meta.as("text_completion"), Choices: []completionChoice{}, Usage: usageOf(res)}
}

func (f *completionFormat) full(res llm.Result) any {
	reason := finishReason(res)
	c := completionChoice{FinishReason: &reason}
	if f.logprobs {
		c.Logprobs = &completionLogprobs{}
	}
	f.start(&c)
	c.Text += res.Text
	if f.logprobs {
		for _, t := range res.Tokens {
			f.add(c.Logprobs, t)
		}
	}
	return completionResponse{meta: f.meta.as("text_completion"), Choices: []completionChoice{c}, Usage: usageOf(res)}
}

// start puts the echoed prompt at the head of the first choice sent: its
// text and, with logprobs, its scored tokens (offsets from 0).
func (f *completionFormat) start(c *completionChoice) {
	f.started = true
	c.Text = f.echo
	f.offset = 0
	if c.Logprobs != nil {
		for i, t := range f.prompt {
			if i == 0 { // no context: a null logprob, as OpenAI reports it
				c.Logprobs.Tokens = append(c.Logprobs.Tokens, t.Text)
				c.Logprobs.TokenLogprobs = append(c.Logprobs.TokenLogprobs, nil)
				c.Logprobs.TopLogprobs = append(c.Logprobs.TopLogprobs, map[string]float32{})
				c.Logprobs.TextOffset = append(c.Logprobs.TextOffset, 0)
				f.offset += len(t.Text)
				continue
			}
			f.add(c.Logprobs, t)
		}
	}
	f.offset = len(f.echo)
}
