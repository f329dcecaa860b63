package chat

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

// goldenNow is the instant testdata/gen/gen.mjs pins the reference clock to.
var goldenNow = time.Date(2025, 3, 7, 9, 5, 0, 0, time.UTC)

type goldenCase struct {
	Template            string `json:"template"`
	Conversation        string `json:"conversation"`
	AddGenerationPrompt bool   `json:"add_generation_prompt"`
	BOS                 string `json:"bos"`
	EOS                 string `json:"eos"`
	Output              string `json:"output"`
	Error               string `json:"error"`
}

type conversation struct {
	Name string          `json:"name"`
	Vars json.RawMessage `json:"vars"`
}

func loadGoldens(t *testing.T) ([]goldenCase, map[string]conversation) {
	t.Helper()
	var cases []goldenCase
	readJSON(t, filepath.Join("testdata", "expected.json"), &cases)
	var convs []conversation
	readJSON(t, filepath.Join("testdata", "conversations.json"), &convs)
	byName := map[string]conversation{}
	for _, c := range convs {
		byName[c.Name] = c
	}
	if len(cases) < 200 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	return cases, byName
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func readTemplate(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "templates", name+".jinja"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestGoldens renders every (template, conversation, add_generation_prompt)
// case that @huggingface/jinja rendered and compares byte for byte. Cases
// where the reference raised must raise here too.
func TestGoldens(t *testing.T) {
	cases, convs := loadGoldens(t)
	for _, c := range cases {
		name := c.Template + "/" + c.Conversation
		if c.AddGenerationPrompt {
			name += "/gen"
		}
		t.Run(name, func(t *testing.T) {
			conv, ok := convs[c.Conversation]
			if !ok {
				t.Fatalf("unknown conversation %q", c.Conversation)
			}
			opts := Options{AddGenerationPrompt: c.AddGenerationPrompt, BOS: c.BOS, EOS: c.EOS, Now: goldenNow}
			got, err := RenderJSON(readTemplate(t, c.Template), conv.Vars, opts)
			if c.Error != "" {
				if err == nil {
					t.Fatalf("reference raised %q, we rendered %q", c.Error, got)
				}
				if !IsRaised(err) || !strings.Contains(err.Error(), c.Error) {
					t.Fatalf("reference raised %q, we failed with %v", c.Error, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if got != c.Output {
				t.Fatalf("mismatch\n got: %q\nwant: %q", got, c.Output)
			}
		})
	}
}

// TestGoldensViaMessages checks that Render over []llm.Message gives the same
// text as RenderJSON for conversations that only have role and content.
func TestGoldensViaMessages(t *testing.T) {
	cases, convs := loadGoldens(t)
	n := 0
	for _, c := range cases {
		if c.Error != "" || c.Conversation == "tools" || c.Conversation == "thinking" {
			continue
		}
		var v struct {
			Messages []llm.Message `json:"messages"`
		}
		if err := json.Unmarshal(convs[c.Conversation].Vars, &v); err != nil {
			t.Fatal(err)
		}
		opts := Options{AddGenerationPrompt: c.AddGenerationPrompt, BOS: c.BOS, EOS: c.EOS, Now: goldenNow}
		got, err := Render(readTemplate(t, c.Template), v.Messages, opts)
		if err != nil || got != c.Output {
			t.Errorf("%s/%s/%v: Render = %q, %v; want %q", c.Template, c.Conversation, c.AddGenerationPrompt, got, err, c.Output)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("only %d cases compared", n)
	}
}
