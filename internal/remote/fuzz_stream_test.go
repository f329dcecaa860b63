package remote

import (
	"strings"
	"testing"
)

// FuzzStreamChunk feeds arbitrary chunks to the OpenAI stream parser (the
// decoder of one "data:" event, issue 13 item 10) twice in a row, as a
// stream would: each gives tokens or an error, never a panic, and the
// accumulated text is always exactly the tokens' texts, within the caps.
func FuzzStreamChunk(f *testing.F) {
	f.Add([]byte(`{"choices":[{"delta":{"content":"hé"},"finish_reason":null}]}`))
	f.Add([]byte(`{"choices":[{"text":"a","logprobs":{"tokens":["a"],"token_logprobs":[-1],"top_logprobs":[{"a":-1,"b":-2}]}}]}`))
	f.Add([]byte(`{"choices":[{"delta":{"content":"xy"},"logprobs":{"content":[{"id":1,"token":"x","logprob":-0.5,"top_logprobs":[{"id":2,"token":"z","logprob":-1}]},{"token":"y","logprob":0}]}}]}`))
	f.Add([]byte(`{"choices":[{"delta":{},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":9}}`))
	f.Add([]byte(`{"error":{"message":"\u001b[2Jboom"}}`))
	f.Add([]byte(`{"choices":[{"logprobs":{"tokens":["a","b"],"token_logprobs":[-1],"top_logprobs":[null,{"":1e400}]}}]}`))
	f.Add([]byte(`{"choices":[]}`))
	f.Fuzz(func(t *testing.T, chunk []byte) {
		acc := &accumulator{}
		for range 2 {
			if err := acc.handle(chunk); err != nil {
				break
			}
		}
		var joined strings.Builder
		for _, tok := range acc.res.Tokens {
			joined.WriteString(tok.Text)
		}
		if joined.String() != acc.text.String() {
			t.Fatalf("text %q is not the tokens' %q", acc.text.String(), joined.String())
		}
		if acc.text.Len() > MaxResultBytes || len(acc.res.Tokens) > MaxResultTokens {
			t.Fatalf("caps exceeded: %d bytes, %d tokens", acc.text.Len(), len(acc.res.Tokens))
		}
		if acc.res.FinishReason != "" && acc.res.FinishReason != "stop" && acc.res.FinishReason != "length" {
			t.Fatalf("finish reason %q", acc.res.FinishReason)
		}
	})
}
