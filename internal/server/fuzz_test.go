package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzChatRequest feeds arbitrary bodies to the chat decoder and its
// translation: any input gives a request or a 4xx API error, never a panic
// or a 5xx.
func FuzzChatRequest(f *testing.F) {
	for _, seed := range []string{
		chatHi,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stop":["a","b"],"seed":-1}`,
		`{"messages":[{"role":"developer","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":"string"}}}}}}`,
		`{"messages":[{"role":"user","content":"x"}],"logprobs":true,"top_logprobs":20,"temperature":2,"top_p":0}`,
		`[[[[`, `{"messages":null}`, `"x"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return // the fuzzer explores structure, not size (MaxBodyBytes has its own test)
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader(body))
		var c chatRequest
		err := decodeBody(w, r, &c)
		if err == nil {
			_, err = c.toLLM()
		}
		if err != nil {
			if e := apiError(err); e.Status < 400 || e.Status >= 500 {
				t.Fatalf("%q: %v gives status %d", body, err, e.Status)
			}
		}
	})
}

// FuzzJSONDepth checks the depth scan against the decoder: a body the
// scan lets through never exceeds MaxJSONDepth when decoded.
func FuzzJSONDepth(f *testing.F) {
	for _, seed := range []string{`{}`, `[[["]]]"]]]`, `{"a":"\\"[[["}`, `[{"a":[1,{"b":[]}]}]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := jsonDepth(data)
		if d > MaxJSONDepth || !json.Valid(data) {
			return
		}
		if got := decodedDepth(data); got != d {
			t.Fatalf("%q: scan says depth %d, decoder %d", data, d, got)
		}
	})
}

// decodedDepth measures nesting through encoding/json's tokenizer.
func decodedDepth(data []byte) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
				deepest = max(deepest, depth)
			} else {
				depth--
			}
		}
	}
}
