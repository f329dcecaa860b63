package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

func TestGeneratorChatAndSchema(t *testing.T) {
	path := synthPath(t, testmodel.Tiny("qwen2", tensor.Q8_0))
	m := loadModel(t, path, Options{})
	g := m.Generator()
	msgs := []llm.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "hello"}}
	ids, err := m.Prompt(llm.Request{Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	start, _ := m.Tokenizer().TokenID("<|im_start|>")
	if len(ids) == 0 || ids[0] != start {
		t.Errorf("chat prompt %v does not start with <|im_start|> (%d): no chatml rendering?", ids, start)
	}
	schema, err := jsonschema.Parse([]byte(`{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}`))
	if err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	res, err := g.Generate(context.Background(), llm.Request{Messages: msgs, MaxTokens: 64, Sampling: greedyParams(),
		JSONSchema: schema, TopLogprobs: 2}, func(tk llm.Token) error {
		streamed.WriteString(tk.Text)
		if len(tk.Top) != 2 || tk.Top[0].Logprob < tk.Top[1].Logprob || tk.Logprob > 0 {
			t.Errorf("token %+v: bad logprobs", tk)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("constrained output %q (%s)", res.Text, res.FinishReason)
	var v struct{ OK *bool }
	if err := json.Unmarshal([]byte(res.Text), &v); err != nil || v.OK == nil {
		t.Fatalf("constrained output %q is not the schema's JSON: %v", res.Text, err)
	}
	if res.FinishReason != "stop" || streamed.String() != res.Text || res.PromptTokens != len(ids) {
		t.Errorf("result %+v, streamed %q", res, streamed.String())
	}
	info := g.Info()
	data, _ := os.ReadFile(path)
	sum := sha256.Sum256(data)
	if info.SHA256 != hex.EncodeToString(sum[:]) || info.Backend != "plume" || info.Architecture != "qwen2" ||
		info.License != "mit" || info.ContextLength != 256 || info.EngineVersion == "" {
		t.Errorf("info %+v", info)
	}
	if n, err := g.CountTokens("<|im_start|>user"); err != nil || n < 2 {
		t.Errorf("CountTokens = %d, %v", n, err)
	}
}

func TestGeneratorStopStrings(t *testing.T) {
	m := loadModel(t, synthPath(t, testmodel.Tiny("llama", tensor.F32)), Options{})
	g := m.Generator()
	req := llm.Request{Prompt: "the cat", MaxTokens: 40, Sampling: greedyParams()}
	full, err := g.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Text) < 6 {
		t.Fatalf("too little text to test stops: %q", full.Text)
	}
	stop := full.Text[3:6]
	req.Stop = []string{stop}
	res, err := g.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := full.Text[:strings.Index(full.Text, stop)]
	if res.Text != want || res.FinishReason != "stop" {
		t.Errorf("with stop %q: %q (%s), want %q", stop, res.Text, res.FinishReason, want)
	}
	req.Stop = []string{""}
	if _, err := g.Generate(context.Background(), req, nil); err == nil {
		t.Error("empty stop string accepted")
	}
}

func TestStopper(t *testing.T) {
	cases := []struct {
		stops  []string
		chunks []string
		emits  []string
		stop   int // index of the chunk that stops, -1 none
	}{
		{[]string{"END"}, []string{"ab", "cE", "N", "D!"}, []string{"ab", "c", "", ""}, 3},
		{[]string{"END"}, []string{"ab", "cE", "x"}, []string{"ab", "c", "Ex"}, -1},
		{[]string{"\n\n", "##"}, []string{"a\n", "b#", "#c"}, []string{"a", "\nb", ""}, 2},
	}
	for _, c := range cases {
		s := &stopper{stops: c.stops}
		for i, ch := range c.chunks {
			got, stopped := s.add(ch)
			if got != c.emits[i] || stopped != (i == c.stop) {
				t.Errorf("%v chunk %d %q: %q %v, want %q %v", c.stops, i, ch, got, stopped, c.emits[i], i == c.stop)
			}
			if stopped {
				break
			}
		}
	}
}
