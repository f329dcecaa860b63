package remote

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/plumewriter/plume/internal/llm"
)

// errStreamDone is returned by an event handler after "data: [DONE]".
var errStreamDone = errors.New("stream done")

// readSSE reads a server-sent-events stream and calls onData with the data of
// each event (several data: lines are joined with "\n"). Comments (":"),
// event/id/retry fields and keep-alive blank lines are skipped. progress is
// called after every line, to push back the idle timeout.
func readSSE(r io.Reader, progress func(), onData func(data []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxSSELineBytes)
	var data []byte
	have := false
	dispatch := func() error {
		if !have {
			return nil
		}
		d := data
		data, have = data[:0], false
		if bytes.Equal(bytes.TrimSpace(d), []byte("[DONE]")) {
			return errStreamDone
		}
		return onData(d)
	}
	for sc.Scan() {
		progress()
		line := sc.Bytes()
		if len(line) == 0 {
			if err := dispatch(); err != nil {
				return err
			}
			continue
		}
		if line[0] == ':' {
			continue // comment / keep-alive
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		if string(field) != "data" {
			continue // event:, id:, retry: carry nothing we use
		}
		if have {
			data = append(data, '\n')
		}
		data = append(data, value...)
		have = true
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("server-sent event line over %d bytes", MaxSSELineBytes)
		}
		return err
	}
	// A stream may end without the blank line after its last event.
	if err := dispatch(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

type logprobEntry struct {
	ID          *int32  `json:"id"`
	Token       string  `json:"token"`
	Logprob     float32 `json:"logprob"`
	TopLogprobs []struct {
		ID      *int32  `json:"id"`
		Token   string  `json:"token"`
		Logprob float32 `json:"logprob"`
	} `json:"top_logprobs"`
}

// chunkLogprobs is the logprobs of one chunk: the chat format (content), or
// the legacy completions format (tokens, token_logprobs, top_logprobs).
type chunkLogprobs struct {
	Content       []logprobEntry       `json:"content"`
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []float32            `json:"token_logprobs"`
	TopLogprobs   []map[string]float32 `json:"top_logprobs"`
}

type streamChunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		Text         string         `json:"text"`
		FinishReason *string        `json:"finish_reason"`
		Logprobs     *chunkLogprobs `json:"logprobs"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// accumulator turns stream chunks into tokens and a Result.
type accumulator struct {
	res      llm.Result
	text     strings.Builder
	onToken  func(llm.Token) error
	finished bool
	usage    bool
	cbErr    error // error returned by onToken
}

// tokenID is the server's token id, or -1 when it did not report one
// (Token.ID of remote tokens is -1 unless the server sends ids, as llama.cpp
// does with logprobs).
func tokenID(id *int32) int32 {
	if id == nil {
		return -1
	}
	return *id
}

func (a *accumulator) handle(data []byte) error {
	var ch streamChunk
	if err := json.Unmarshal(data, &ch); err != nil {
		return fmt.Errorf("bad stream chunk: %w", err)
	}
	if len(ch.Error) > 0 && string(ch.Error) != "null" {
		return fmt.Errorf("server reported an error mid-stream: %s", truncate(string(ch.Error), MaxErrorBodyBytes))
	}
	if ch.Usage != nil {
		a.res.PromptTokens, a.res.CompletionTokens, a.usage = ch.Usage.PromptTokens, ch.Usage.CompletionTokens, true
	}
	if len(ch.Choices) == 0 {
		return nil
	}
	c := ch.Choices[0]
	text := c.Delta.Content + c.Text
	for _, t := range chunkTokens(text, c.Logprobs) {
		if a.text.Len()+len(t.Text) > MaxResultBytes || len(a.res.Tokens) >= MaxResultTokens {
			return ErrResultLimit
		}
		a.text.WriteString(t.Text)
		a.res.Tokens = append(a.res.Tokens, t)
		if a.onToken != nil {
			if err := a.onToken(t); err != nil {
				a.cbErr = err
				return err
			}
		}
	}
	if c.FinishReason != nil && *c.FinishReason != "" {
		a.finished = true
		a.res.FinishReason = mapFinish(*c.FinishReason)
	}
	return nil
}

// chunkTokens splits one chunk's text into tokens using its logprobs when
// they account for the text exactly, else returns the text as one token.
func chunkTokens(text string, lp *chunkLogprobs) []llm.Token {
	var toks []llm.Token
	if lp != nil {
		for _, e := range lp.Content {
			t := llm.Token{ID: tokenID(e.ID), Text: e.Token, Logprob: e.Logprob}
			for _, alt := range e.TopLogprobs {
				t.Top = append(t.Top, llm.TopLogprob{ID: tokenID(alt.ID), Text: alt.Token, Logprob: alt.Logprob})
			}
			toks = append(toks, t)
		}
		for i, s := range lp.Tokens {
			t := llm.Token{ID: -1, Text: s}
			if i < len(lp.TokenLogprobs) {
				t.Logprob = lp.TokenLogprobs[i]
			}
			if i < len(lp.TopLogprobs) {
				for alt, l := range lp.TopLogprobs[i] {
					t.Top = append(t.Top, llm.TopLogprob{ID: -1, Text: alt, Logprob: l})
				}
				sort.Slice(t.Top, func(x, y int) bool { return t.Top[x].Logprob > t.Top[y].Logprob })
			}
			toks = append(toks, t)
		}
	}
	var joined strings.Builder
	for _, t := range toks {
		joined.WriteString(t.Text)
	}
	if len(toks) > 0 && joined.String() == text {
		return toks
	}
	if text == "" {
		return nil
	}
	t := llm.Token{ID: -1, Text: text}
	if len(toks) == 1 { // same token, text spelled differently (e.g. bytes)
		t.ID, t.Logprob, t.Top = toks[0].ID, toks[0].Logprob, toks[0].Top
	}
	return []llm.Token{t}
}

func mapFinish(r string) string {
	switch r {
	case "length", "max_tokens":
		return "length"
	}
	return "stop"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
