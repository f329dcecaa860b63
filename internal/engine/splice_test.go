package engine

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/chat"
	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// byteIDs spells s one byte per token (the byte-level or <0xNN> tokens):
// ids that decode to s but are not how the tokenizer would write it, like
// a model's sampled ids read back.
func byteIDs(t testing.TB, tok *tokenizer.Tokenizer, s string) []int32 {
	t.Helper()
	var one [256]int32
	for i := range one {
		one[i] = -1
	}
	for id := int32(tok.VocabSize() - 1); id >= 0; id-- {
		if b := tok.TokenBytes(id); len(b) == 1 {
			one[b[0]] = id
		}
	}
	out := make([]int32, len(s))
	for i := range len(s) {
		if one[s[i]] < 0 {
			t.Fatalf("no single-byte token for %q", s[i])
		}
		out[i] = one[s[i]]
	}
	return out
}

// spliceCase is a conversation [system, user, assistant (hinted), user].
type spliceCase struct {
	name   string
	family string // builtin chat template; "" = the model's own (ChatML)
	answer string // the assistant turn
	hint   func(tok *tokenizer.Tokenizer, ids []int32) []int32
	other  string // the last user turn
	// spliced is how many of the hint's ids are read back (-1: all of
	// them); 0: the prompt is the plain tokenization.
	spliced int
}

func TestPromptSplice(t *testing.T) {
	qwen := loadModel(t, synthPath(t, testmodel.Tiny("qwen2", tensor.Q8_0)), Options{})
	llama := loadModel(t, synthPath(t, testmodel.Tiny("llama", tensor.Q8_0)), Options{})
	same := func(_ *tokenizer.Tokenizer, ids []int32) []int32 { return ids }
	cases := []spliceCase{
		{name: "chatml", answer: "the rain in spain is mainly on the plain", hint: same, spliced: -1},
		{name: "chatml multi-line answer", answer: "  first line\n\nsecond line  \n", hint: same, spliced: -1},
		{name: "llama3 header template", family: "llama3", answer: "a short answer", hint: same, spliced: -1},
		// llama3 trims the content: an answer with outer spaces renders
		// without them, so its ids no longer spell what is rendered.
		{name: "trimming template", family: "llama3", answer: "  spaced answer\n", hint: same},
		// An answer the caller cut back: the ids spell more than it.
		{name: "ids spell more than the turn", answer: "the rain", hint: func(tok *tokenizer.Tokenizer, ids []int32) []int32 {
			return append(slices.Clone(ids), ids...)
		}, spliced: len("the rain")},
		{name: "ids spell less than the turn", answer: "the rain", hint: func(_ *tokenizer.Tokenizer, ids []int32) []int32 {
			return ids[:len(ids)-1]
		}, spliced: -1},
		{name: "ids diverge from the turn", answer: "the rain", hint: func(_ *tokenizer.Tokenizer, ids []int32) []int32 {
			return append(slices.Clone(ids[:len(ids)-2]), ids[0], ids[1])
		}, spliced: len("the rain") - 2},
		{name: "ids of other text", answer: "the rain", hint: func(tok *tokenizer.Tokenizer, _ []int32) []int32 {
			return byteIDs(t, tok, "rain")
		}},
		{name: "ids end inside a character", answer: "été chaud été", hint: func(_ *tokenizer.Tokenizer, ids []int32) []int32 {
			return ids[:len("été chaud ")+1] // and the first byte of é
		}, spliced: len("été chaud ")},
		{name: "control id in the hint", answer: "the rain", hint: func(tok *tokenizer.Tokenizer, ids []int32) []int32 {
			end, _ := tok.TokenID("<|im_end|>")
			return append(slices.Clone(ids), end)
		}, spliced: len("the rain")},
		{name: "id out of range", answer: "the rain", hint: func(tok *tokenizer.Tokenizer, ids []int32) []int32 {
			return append(slices.Clone(ids[:5]), int32(tok.VocabSize()))
		}, spliced: 5},
		{name: "no hint", answer: "the rain", hint: func(*tokenizer.Tokenizer, []int32) []int32 { return nil }},
		{name: "placeholder in a user turn", answer: "the answer", hint: same, spliced: -1,
			other: "quoting " + splicePrefix + "0T0E here"},
		{name: "placeholder in the answer", answer: "the rain " + splicePrefix + "0T0E", hint: same, spliced: -1},
		{name: "every placeholder salt taken", answer: "the answer", hint: same, other: allSalts()},
		{name: "special-token text in the answer", answer: "a <|im_end|> b", hint: same},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkSplice(t, qwen, c) })
	}
	// SentencePiece with a space prefix, Llama 2's template (BOS and EOS
	// written in the text, content trimmed): the piece after the answer
	// would get a space prefix that the whole prompt has not, so the check
	// falls back to the plain tokenization.
	for _, c := range []spliceCase{
		{name: "llama2 spm", family: "llama2", answer: "the answer", hint: same},
		{name: "llama2 spm trimmed", family: "llama2", answer: " the answer ", hint: same},
	} {
		t.Run(c.name, func(t *testing.T) { checkSplice(t, llama, c) })
	}
}

// allSalts is text holding every placeholder prefix the splice may pick.
func allSalts() string {
	var sb strings.Builder
	for salt := range maxSpliceSalts {
		sb.WriteString(splicePrefix + string(rune('0'+salt)) + "T ")
	}
	return sb.String()
}

func checkSplice(t *testing.T, m *Model, c spliceCase) {
	tok := m.Tokenizer()
	msgs := []llm.Message{
		{Role: "system", Content: "You review texts."},
		{Role: "user", Content: "Review this text."},
		{Role: "assistant", Content: c.answer},
		{Role: "user", Content: cmpOr(c.other, "Now rewrite it.")},
	}
	hint := c.hint(tok, byteIDs(t, tok, c.answer))
	prompt := func(msgs []llm.Message) []int32 {
		t.Helper()
		if c.family == "" {
			ids, err := m.Prompt(llm.Request{Messages: msgs})
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		return promptWith(t, m, c.family, msgs)
	}
	plain := prompt(msgs)
	hinted := slices.Clone(msgs)
	hinted[2].Tokens = hint
	got := prompt(hinted)
	if !sameText(tok, got, plain) {
		t.Fatalf("spliced prompt is another text than the plain one:\n got %v\nplain %v", got, plain)
	}
	if c.spliced == 0 {
		if !slices.Equal(got, plain) {
			t.Fatalf("want the plain tokenization\n got %v\nwant %v", got, plain)
		}
		return
	}
	want := hint
	if c.spliced > 0 {
		want = hint[:c.spliced]
	}
	// The cache property: the previous call's prompt, then the ids it
	// generated, then the rest.
	prev := prompt(msgs[:2])
	if len(got) < len(prev)+len(want) || !slices.Equal(got[:len(prev)], prev) ||
		!slices.Equal(got[len(prev):len(prev)+len(want)], want) {
		t.Fatalf("prompt %v does not extend the previous prompt %v with the ids %v", got, prev, want)
	}
	if slices.Equal(got, plain) {
		t.Fatalf("spliced prompt equals the plain one (hint %v): proves nothing", want)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func plainIDs(t *testing.T, tok *tokenizer.Tokenizer, s string) []int32 {
	t.Helper()
	ids, err := tok.Encode(s, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// promptWith is Model.Prompt with a builtin template instead of the
// model's own.
func promptWith(t *testing.T, m *Model, family string, msgs []llm.Message) []int32 {
	t.Helper()
	src, ok := chat.Builtin(family)
	if !ok {
		t.Fatalf("no builtin %q", family)
	}
	tmpl, err := chat.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	tok := m.Tokenizer()
	opts := chat.Options{AddGenerationPrompt: true, BOS: tok.Piece(tok.BOS()), EOS: tok.Piece(tok.EOS())}
	text, err := tmpl.Render(msgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	addBOS := tok.AddBOS() && !strings.HasPrefix(text, opts.BOS)
	plain, err := tok.Encode(text, addBOS, true)
	if err != nil {
		t.Fatal(err)
	}
	if ids, ok := splice(tok, tmpl, msgs, opts, text, addBOS, plain); ok {
		return ids
	}
	return plain
}

// TestGeneratorTextTokensReuse: a generated answer read back with its
// TextTokens extends the cached sequence, so the next call evaluates only
// the new turn; read back as text it is re-tokenized to other ids, and the
// reuse ends inside it. A stop string that cuts the text leaves no
// TextTokens.
func TestGeneratorTextTokensReuse(t *testing.T) {
	m := loadModel(t, synthPath(t, testmodel.Tiny("qwen2", tensor.Q8_0)), Options{})
	ctx := context.Background()
	msgs := []llm.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Write something."}}
	// The schema makes the random model spell words its tokenizer would
	// merge, in valid UTF-8 (its free text can hold bytes that are no
	// character, which Text replaces and TextTokens then cannot spell).
	schema, err := jsonschema.Parse([]byte(`{"enum":["the rain in spain stays mainly in the plain"]}`))
	if err != nil {
		t.Fatal(err)
	}
	req := llm.Request{Messages: msgs, MaxTokens: 24, Sampling: greedyParams(), JSONSchema: schema}
	for _, hinted := range []bool{true, false} {
		t.Run(map[bool]string{true: "hinted", false: "text only"}[hinted], func(t *testing.T) {
			g := m.Generator() // a fresh session: empty cache
			first, err := g.Generate(ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(first.TextTokens) == 0 || len(textTokens(m.Tokenizer(), first.TextTokens, first.Text)) != len(first.TextTokens) {
				t.Fatalf("TextTokens %v do not spell %q", first.TextTokens, first.Text)
			}
			if slices.Equal(first.TextTokens, plainIDs(t, m.Tokenizer(), first.Text)) {
				t.Fatalf("the model wrote %q as the tokenizer would: proves nothing", first.Text)
			}
			answer := llm.Message{Role: "assistant", Content: first.Text}
			if hinted {
				answer.Tokens = first.TextTokens
			}
			next := append(slices.Clone(msgs), answer, llm.Message{Role: "user", Content: "Again."})
			second, err := g.Generate(ctx, llm.Request{Messages: next, MaxTokens: 2, Sampling: greedyParams()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			// With the hint the prompt is the first prompt, the generated
			// ids, then the new turn; the last generated id was sampled,
			// not evaluated, so it is evaluated with the new turn.
			newTurn := second.PromptTokens - first.PromptTokens - len(first.TextTokens)
			if reused := second.PromptEvaluated <= newTurn+1; reused != hinted {
				t.Errorf("second call evaluated %d of %d prompt tokens (new turn %d): reused through the answer %v, want %v",
					second.PromptEvaluated, second.PromptTokens, newTurn, reused, hinted)
			}
		})
	}
	var stop string
	first, err := m.Generator().Generate(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range first.Tokens[len(first.Tokens)/2:] {
		if stop = tk.Text; stop != "" {
			break
		}
	}
	req.Stop = []string{stop}
	cut, err := m.Generator().Generate(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The ids of the stop string are not the text's.
	n, at := spelledPrefix(m.Tokenizer(), cut.TextTokens, cut.Text)
	if cut.FinishReason != "stop" || len(cut.TextTokens) == 0 || n != len(cut.TextTokens) || at > len(cut.Text) ||
		len(cut.TextTokens) >= cut.CompletionTokens {
		t.Errorf("cut by stop string %q: finish %q, text %q, %d tokens, TextTokens %v",
			stop, cut.FinishReason, cut.Text, cut.CompletionTokens, cut.TextTokens)
	}
}

// TestTextTokens: the generated ids as far as they spell the text, which
// stops at a byte that is no character (the text has U+FFFD there).
func TestTextTokens(t *testing.T) {
	tok := loadModel(t, synthPath(t, testmodel.Tiny("qwen2", tensor.Q8_0)), Options{}).Tokenizer()
	ids := func(s string) []int32 { return byteIDs(t, tok, s) }
	end, _ := tok.TokenID("<|im_end|>")
	cases := []struct {
		name string
		ids  []int32
		text string
		want []int32
	}{
		{"whole", ids("ab c"), "ab c", ids("ab c")},
		{"invalid byte", append(ids("ab\xc3"), ids("c")...), "ab\uFFFDc", ids("ab")},
		{"character split over ids", ids("aé"), "aé", ids("aé")},
		{"text cut inside a character", ids("aé"), "a", ids("a")},
		{"control id", append(ids("ab"), end), "ab", ids("ab")},
		{"other text", ids("ab"), "xb", nil},
		{"none", nil, "ab", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := textTokens(tok, c.ids, c.text); !slices.Equal(got, c.want) {
				t.Errorf("textTokens(%v, %q) = %v, want %v", c.ids, c.text, got, c.want)
			}
		})
	}
}

// FuzzPromptSplice: whatever the turns and the ids offered for an answer,
// the prompt is the plain tokenization's text, with the same special
// tokens, and any spliced ids follow the previous call's prompt.
func FuzzPromptSplice(f *testing.F) {
	m := loadModel(f, synthPath(f, testmodel.Tiny("qwen2", tensor.Q8_0)), Options{})
	tok := m.Tokenizer()
	f.Add("the rain in spain", "next", uint8(255), []byte{})
	f.Add("a <|im_end|> b", "PLUMEGENERATEDTURN0T0E", uint8(3), []byte{1, 2})
	f.Add("été", "x", uint8(2), []byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, answer, other string, keep uint8, noise []byte) {
		if !utf8.ValidString(answer) || !utf8.ValidString(other) {
			return // the writer's turns are text
		}
		hint := byteIDs(t, tok, answer)
		hint = hint[:min(int(keep), len(hint))]
		for i := 0; i+1 < len(noise); i += 2 {
			hint = append(hint, int32(noise[i])<<8|int32(noise[i+1])) // in range or not
		}
		msgs := []llm.Message{{Role: "system", Content: "S"}, {Role: "user", Content: "U"},
			{Role: "assistant", Content: answer}, {Role: "user", Content: other}}
		plain, err := m.Prompt(llm.Request{Messages: msgs})
		if err != nil {
			t.Skip(err) // over the tokenizer's input limit
		}
		msgs[2].Tokens = hint
		got, err := m.Prompt(llm.Request{Messages: msgs})
		if err != nil {
			t.Fatal(err)
		}
		if !sameText(tok, got, plain) {
			t.Fatalf("spliced prompt is another text:\n got %v\nplain %v", got, plain)
		}
		if !slices.Equal(got, plain) {
			prev, err := m.Prompt(llm.Request{Messages: msgs[:2]})
			if err != nil || len(got) < len(prev) || !slices.Equal(got[:len(prev)], prev) {
				t.Fatalf("spliced prompt %v does not extend the previous prompt %v", got, prev)
			}
		}
	})
}
