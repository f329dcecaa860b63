package remote

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadSSE feeds arbitrary bytes to the event-stream reader and chunk
// decoder: any input must end in a result or an error, never a panic.
func FuzzReadSSE(f *testing.F) {
	f.Add([]byte(chatChunk("hé") + finishChunk("stop") + "data: [DONE]\n\n"))
	f.Add([]byte(": c\n\nevent: x\ndata: {\"choices\":[{\"text\":\"a\",\"logprobs\":{\"tokens\":[\"a\"],\"token_logprobs\":[-1],\"top_logprobs\":[{\"a\":-1}]}}]}\n\n"))
	f.Add([]byte("data: {\"error\":\"x\"}\r\n\r\n"))
	f.Add([]byte("data:{\"choices\":[{\"delta\":{\"content\":\"x\"},\"logprobs\":{\"content\":[{\"id\":1,\"token\":\"y\",\"logprob\":0}]}}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		acc := &accumulator{}
		err := readSSE(bytes.NewReader(data), func() {}, acc.handle)
		if err == nil {
			t.Fatal("readSSE returned nil: it must end with [DONE] or an error")
		}
		if errors.Is(err, errStreamDone) && !bytes.Contains(data, []byte("[DONE]")) {
			t.Fatal("done without [DONE]")
		}
	})
}
