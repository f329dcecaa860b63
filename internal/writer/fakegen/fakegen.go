package fakegen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
)

// ErrCrash is returned by Generate once FailAfter calls have succeeded.
var ErrCrash = errors.New("fakegen: simulated crash")

// Generator is the fake. The zero value works; set fields before use.
type Generator struct {
	// Model is what Info reports; ContextLength defaults to 8192.
	Model llm.ModelInfo
	// Script, when set, answers requests; returning ok=false falls back to
	// the synthetic answer.
	Script func(n int, req llm.Request) (text string, ok bool)
	// FailAfter > 0 makes call number FailAfter+1 (and later) fail with
	// ErrCrash, as if the process died mid-generation.
	FailAfter int
	// WordsPerCall caps the synthetic text answers.
	WordsPerCall int

	mu       sync.Mutex
	requests []llm.Request
}

// Requests returns a copy of the requests received so far.
func (g *Generator) Requests() []llm.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]llm.Request(nil), g.requests...)
}

// Info reports the model.
func (g *Generator) Info() llm.ModelInfo {
	info := g.Model
	if info.ContextLength == 0 {
		info.ContextLength = 8192
	}
	if info.Backend == "" {
		info.Backend = "fake"
	}
	return info
}

// CountTokens counts one token per four bytes, rounded up (a typical BPE
// ratio for English).
func (g *Generator) CountTokens(text string) (int, error) { return (len(text) + 3) / 4, nil }

// Generate answers req, streaming word-sized tokens to onToken.
func (g *Generator) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	g.mu.Lock()
	n := len(g.requests)
	g.requests = append(g.requests, req)
	g.mu.Unlock()
	if g.FailAfter > 0 && n >= g.FailAfter {
		return llm.Result{}, ErrCrash
	}
	text, ok := "", false
	if g.Script != nil {
		text, ok = g.Script(n, req)
	}
	rng := rand.New(rand.NewPCG(req.Sampling.Seed, 0x706c756d65))
	if !ok {
		var err error
		if text, err = g.synthetic(rng, req); err != nil {
			return llm.Result{}, err
		}
	}
	prompt := 0
	for _, m := range req.Messages {
		c, _ := g.CountTokens(m.Content)
		prompt += c
	}
	res := llm.Result{PromptTokens: prompt, FinishReason: "stop"}
	for i, piece := range split(text) {
		if err := ctx.Err(); err != nil {
			res.FinishReason = "cancelled"
			return res, err
		}
		if req.MaxTokens > 0 && i >= req.MaxTokens {
			res.FinishReason = "length"
			break
		}
		t := llm.Token{ID: int32(i), Text: piece, Logprob: -float32(rng.IntN(2000)) / 1000}
		res.Tokens = append(res.Tokens, t)
		res.Text += piece
		res.CompletionTokens++
		if onToken != nil {
			if err := onToken(t); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// split cuts text into tokens: each word with the white space before it.
func split(text string) []string {
	var out []string
	start := 0
	for i := 1; i < len(text); i++ {
		if (text[i] == ' ' || text[i] == '\n') && text[i-1] != ' ' && text[i-1] != '\n' {
			out = append(out, text[start:i])
			start = i
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

var vocabulary = strings.Fields(`garden light river stone quiet morning simple water field paper
window travel music careful bright small history method reader answer market winter
kitchen story season planet teacher bridge energy forest signal number pattern table`)

func word(rng *rand.Rand) string { return vocabulary[rng.IntN(len(vocabulary))] }

// synthetic builds the default answer.
func (g *Generator) synthetic(rng *rand.Rand, req llm.Request) (string, error) {
	if req.JSONSchema != nil {
		var b strings.Builder
		fromSchema(&b, rng, req.JSONSchema)
		return b.String(), nil
	}
	words := req.MaxTokens / 2
	if g.WordsPerCall > 0 && words > g.WordsPerCall {
		words = g.WordsPerCall
	}
	var b strings.Builder
	for i := 0; i < words; i++ {
		w := word(rng)
		switch {
		case i == 0 || strings.HasSuffix(b.String(), ". ") || strings.HasSuffix(b.String(), "\n"):
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		switch {
		case i == words-1:
			b.WriteString(".")
		case i%40 == 39:
			b.WriteString(".\n\n")
		case rng.IntN(9) == 0:
			b.WriteString(". ")
		default:
			b.WriteString(" ")
		}
	}
	return b.String(), nil
}

// fromSchema writes a random JSON value valid under s.
func fromSchema(b *strings.Builder, rng *rand.Rand, s *jsonschema.Schema) {
	if len(s.Enum) > 0 {
		v, _ := json.Marshal(s.Enum[rng.IntN(len(s.Enum))]) // enum values came from JSON
		b.Write(v)
		return
	}
	var typ string
	if len(s.Types) > 0 {
		typ = s.Types[0]
	}
	switch typ {
	case "object":
		props := slices.Clone(s.Properties)
		slices.SortFunc(props, func(a, b jsonschema.Property) int { return strings.Compare(a.Name, b.Name) })
		b.WriteByte('{')
		for i, p := range props {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, "%q:", p.Name)
			fromSchema(b, rng, p.Schema)
		}
		b.WriteByte('}')
	case "array":
		lo, hi := 0, 3
		if s.MinItems != nil {
			lo = *s.MinItems
		}
		if s.MaxItems != nil {
			hi = *s.MaxItems
		}
		n := lo
		if hi > lo {
			n += rng.IntN(min(hi, lo+2) - lo + 1)
		}
		b.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fromSchema(b, rng, s.Items)
		}
		b.WriteByte(']')
	case "boolean":
		b.WriteString([]string{"false", "true"}[rng.IntN(2)])
	case "integer", "number":
		b.WriteString("1")
	default:
		fmt.Fprintf(b, "%q", randString(rng, s))
	}
}

func randString(rng *rand.Rand, s *jsonschema.Schema) string {
	lo, hi := 1, 40
	if s.MinLength != nil {
		lo = *s.MinLength
	}
	if s.MaxLength != nil {
		hi = *s.MaxLength
	}
	target := lo + rng.IntN(max(1, min(hi, lo+30)-lo+1))
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < target {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(word(rng))
	}
	out := []rune(b.String())
	if len(out) > hi {
		out = out[:hi]
	}
	return strings.TrimRight(string(out), " ") + strings.Repeat("x", max(0, lo-len([]rune(strings.TrimRight(string(out), " ")))))
}
