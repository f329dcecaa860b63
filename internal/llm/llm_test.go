package llm

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTokensNeverOnTheWire: the engine's ids of an answer are a hint
// between the writer and the local engine; JSON (an API request, a remote
// backend's request, a result printed by plume run --json) never carries
// them, so no client can make the engine read back ids of its choosing.
func TestTokensNeverOnTheWire(t *testing.T) {
	var m Message
	if err := json.Unmarshal([]byte(`{"role":"assistant","content":"hi","tokens":[1,2],"Tokens":[3]}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.Tokens != nil || m.Content != "hi" {
		t.Errorf("decoded %+v: ids taken from JSON", m)
	}
	cases := []struct {
		name string
		v    any
	}{
		{"message", Message{Role: "assistant", Content: "hi", Tokens: []int32{7, 8}}},
		{"result", Result{Text: "hi", TextTokens: []int32{7, 8}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.v)
			if err != nil {
				t.Fatal(err)
			}
			if s := string(b); strings.Contains(strings.ToLower(s), "tokens\":[7") {
				t.Errorf("%s encodes the ids: %s", c.name, s)
			}
		})
	}
}
