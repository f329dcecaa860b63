package main

// The model of scripts/article-bench: a real shape with random weights, as
// the speed models, but with a real Hugging Face tokenizer and chat
// template, so that `plume write` sends the prompts a real model would get.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumewriter/plume/internal/testmodel"
)

// articleShapes are the shapes -write-model knows: the article benchmark's
// Qwen2.5-1.5B (its Hugging Face config) and a small one with the same
// vocabulary, to check the script end to end in seconds.
var articleShapes = []testmodel.Spec{
	{Label: "Qwen2.5-1.5B", Arch: "qwen2", Embd: 1536, Layers: 28, Heads: 12, HeadsKV: 2, HeadDim: 128, FFN: 8960,
		Vocab: 151936, RopeBase: 1000000, Tied: true},
	{Label: "Qwen2.5-tiny", Arch: "qwen2", Embd: 256, Layers: 2, Heads: 4, HeadsKV: 2, HeadDim: 64, FFN: 512,
		Vocab: 151936, RopeBase: 1000000, Tied: true},
}

// GGUF token types (llama.cpp's llama_token_type).
const (
	tokNormal      = 1
	tokControl     = 3
	tokUserDefined = 4
	tokUnused      = 5
)

// hfVocab is a tokenizer.json (BPE) and its tokenizer_config.json, as
// convert_hf_to_gguf.py writes them for Qwen2: byte-level BPE with the
// "qwen2" pre-tokenizer, ids past the tokenizer padded with [PADn].
type hfVocab struct {
	tokens   []string
	types    []int32
	merges   []string
	template string
	bos, eos uint32
}

// readHFVocab reads dir/tokenizer.json and dir/tokenizer_config.json for a
// model of vocab rows.
func readHFVocab(dir string, vocab int) (*hfVocab, error) {
	data, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	var j struct {
		AddedTokens []struct {
			ID      int    `json:"id"`
			Content string `json:"content"`
			Special bool   `json:"special"`
		} `json:"added_tokens"`
		Model struct {
			Type   string          `json:"type"`
			Vocab  map[string]int  `json:"vocab"`
			Merges json.RawMessage `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	if j.Model.Type != "BPE" {
		return nil, fmt.Errorf("tokenizer.json: model %q, want BPE", j.Model.Type)
	}
	v := &hfVocab{tokens: make([]string, vocab), types: make([]int32, vocab)}
	for i := range v.tokens {
		v.tokens[i], v.types[i] = fmt.Sprintf("[PAD%d]", i), tokUnused
	}
	set := func(id int, s string, t int32) error {
		if id < 0 || id >= vocab {
			return fmt.Errorf("tokenizer.json: token %q has id %d, the model %d rows", s, id, vocab)
		}
		v.tokens[id], v.types[id] = s, t
		return nil
	}
	for s, id := range j.Model.Vocab {
		if err := set(id, s, tokNormal); err != nil {
			return nil, err
		}
	}
	ids := map[string]uint32{}
	for _, a := range j.AddedTokens {
		t := int32(tokUserDefined)
		if a.Special {
			t = tokControl
		}
		if err := set(a.ID, a.Content, t); err != nil {
			return nil, err
		}
		ids[a.Content] = uint32(a.ID)
	}
	var merges []string // "a b" strings, or ["a", "b"] pairs (newer files)
	if err := json.Unmarshal(j.Model.Merges, &merges); err == nil {
		v.merges = merges
	} else {
		var pairs [][2]string
		if err := json.Unmarshal(j.Model.Merges, &pairs); err != nil {
			return nil, fmt.Errorf("tokenizer.json merges: %w", err)
		}
		for _, p := range pairs {
			v.merges = append(v.merges, p[0]+" "+p[1])
		}
	}
	var ok1, ok2 bool
	v.bos, ok1 = ids["<|endoftext|>"] // as Qwen2.5's GGUF files: no BOS is added
	v.eos, ok2 = ids["<|im_end|>"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("tokenizer.json: no <|endoftext|> or <|im_end|>: not a Qwen tokenizer")
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	if err != nil {
		return nil, err
	}
	var c struct {
		ChatTemplate string `json:"chat_template"`
	}
	if err := json.Unmarshal(cfg, &c); err != nil {
		return nil, fmt.Errorf("tokenizer_config.json: %w", err)
	}
	v.template = c.ChatTemplate
	return v, nil
}

// edit returns the testmodel edit that writes v's tokenizer keys in place
// of the synthetic vocabulary's (no scores: a BPE file has none).
func (v *hfVocab) edit() testmodel.Edit {
	keys := map[string]any{
		"tokenizer.ggml.model":         "gpt2",
		"tokenizer.ggml.pre":           "qwen2",
		"tokenizer.ggml.tokens":        v.tokens,
		"tokenizer.ggml.scores":        nil,
		"tokenizer.ggml.token_type":    v.types,
		"tokenizer.ggml.merges":        v.merges,
		"tokenizer.ggml.bos_token_id":  v.bos,
		"tokenizer.ggml.eos_token_id":  v.eos,
		"tokenizer.ggml.add_bos_token": false,
	}
	extra := map[string]any{"tokenizer.ggml.padding_token_id": v.bos}
	if v.template != "" {
		extra["tokenizer.chat_template"] = v.template
	}
	return testmodel.Edit{
		KV: func(key string, val any) any {
			if r, ok := keys[key]; ok {
				return r
			}
			return val
		},
		Extra: extra,
	}
}

// writeArticleModel writes the shape labelled name in mix m with the
// tokenizer of tokDir to path.
func writeArticleModel(name string, m mix, tokDir, path string) error {
	i := slices.IndexFunc(articleShapes, func(s testmodel.Spec) bool { return s.Label == name })
	if i < 0 {
		var names []string
		for _, s := range articleShapes {
			names = append(names, s.Label)
		}
		return fmt.Errorf("unknown shape %q (%s)", name, strings.Join(names, ", "))
	}
	s := benchSpec(articleShapes[i], m)
	hf, err := readHFVocab(tokDir, s.Vocab)
	if err != nil {
		return err
	}
	w, err := testmodel.BuildEdited(s, hf.edit())
	if err != nil {
		return fmt.Errorf("model %s: %w", s.Name(), err)
	}
	return w.WriteFile(path)
}
