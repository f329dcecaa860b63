package writer

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// readbackContext is a window with room for a review → revise → review
// conversation, as on the real models (Qwen2.5's trained context).
const readbackContext = 32768

// turnSlack is what a review after a revision may evaluate besides its new
// user turn, the template's markers around it and the rewrite's ids not
// read back: the revision's last generated id (sampled, never evaluated)
// and a token on each side of the turn's text that the tokenizer may merge
// with the markers' newlines.
const turnSlack = 3

// TestReviewReadsRevisionBack writes an article on a synthetic Qwen2-shaped
// model (ChatML template) with the prompt cache on and checks each call
// that continues the previous one's conversation (a revise after its
// review, a review after the revision): the previous answer, its assistant
// turn, is read back as the ids the engine generated for it (as far as
// they spell the turn), so the prompt extends the previous call's cached
// sequence through them and the call evaluates only what follows: for a
// review after a revision, its new user turn and a few tokens. Re-tokenized
// as text, the answers end the reuse earlier (the grammar-constrained
// review answers are spelled with other ids than the tokenizer's). With
// the cache off, and resumed after an interruption, the run writes the
// same article.
func TestReviewReadsRevisionBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "synth-qwen2-Q4_K.gguf")
	spec := testmodel.Base("qwen2", tensor.Q4_K)
	spec.Context = readbackContext
	if err := testmodel.WriteFile(spec, path); err != nil {
		t.Fatal(err)
	}
	m, err := engine.Load(path, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	opts := testOptions("Pourquoi le compost change un petit jardin")
	opts.Lang, opts.Words, opts.Seed = "fr", MinWords, 5
	art, _ := runArticle(t, m.Generator(), opts)
	calls := art.State.Calls
	reviews, readBack, asText, lastReview := 0, 0, 0, 0
	for i := 1; i < len(calls); i++ {
		prev, cur := calls[i-1], calls[i]
		if cur.Part != prev.Part || len(cur.Messages) != len(prev.Messages)+2 ||
			!slices.EqualFunc(cur.Messages[:len(prev.Messages)], prev.Messages, sameTurn) {
			continue // not a continued conversation
		}
		reuse, plainReuse := checkReadBack(t, m, i, prev, cur, art.State.Timings[i])
		readBack += reuse
		asText += plainReuse
		if prev.Stage == StageRevise {
			reviews, lastReview = reviews+1, i
		}
	}
	t.Logf("answers read back: %d of their tokens reused as generated, %d re-tokenized", readBack, asText)
	if reviews == 0 {
		t.Fatal("no review followed a revision: the test needs a run with revisions")
	}
	if readBack <= asText {
		t.Errorf("the answers read back reuse %d tokens, no more than re-tokenized (%d)", readBack, asText)
	}
	// The read-back does not depend on the cache: with it off, every
	// prompt is evaluated whole and the article is the same.
	off, err := engine.Load(path, engine.Options{Threads: 1, NoPromptCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	uncached, _ := runArticle(t, off.Generator(), opts)
	for i, tm := range uncached.State.Timings {
		if tm.PromptEvaluated != tm.PromptTokens {
			t.Fatalf("cache off: call %d evaluated %d of %d prompt tokens", i, tm.PromptEvaluated, tm.PromptTokens)
		}
	}
	if same, diff, err := art.Manifest.Compare(uncached.Manifest); !same || !bytes.Equal(uncached.Markdown, art.Markdown) {
		t.Errorf("the article written with the cache off differs in %v (%v)", diff, err)
	}
	// The ids are not checkpointed: a run interrupted at a review after a
	// revision resumes that part's review from its first call, which
	// generates them again, and writes the same article.
	p := newPipeline(&crashGen{Generator: m.Generator().(*engine.Generator), left: lastReview})
	sv := &saver{}
	p.Checkpoint = sv.checkpoint
	st, err := p.NewState(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(context.Background(), st); !errors.Is(err, errCrash) {
		t.Fatalf("interrupted run: %v, want the crash", err)
	}
	resumed, err := newPipeline(m.Generator()).Run(context.Background(), sv.load(t))
	if err != nil {
		t.Fatal(err)
	}
	if same, diff, err := art.Manifest.Compare(resumed.Manifest); !same || !bytes.Equal(resumed.Markdown, art.Markdown) {
		t.Errorf("the run resumed at call %d differs from the uninterrupted one in %v (%v)", lastReview, diff, err)
	}
}

// errCrash is crashGen's failure.
var errCrash = errors.New("crash")

// crashGen fails every call after the first left ones (an engine
// generator still, whose window the writer sizes).
type crashGen struct {
	*engine.Generator
	left int
}

func (g *crashGen) Generate(ctx context.Context, req llm.Request, on func(llm.Token) error) (llm.Result, error) {
	if g.left == 0 {
		return llm.Result{}, errCrash
	}
	g.left--
	return g.Generator.Generate(ctx, req, on)
}

// checkReadBack checks call i (cur), which continues prev's conversation,
// and returns how many of prev's answer ids its prompt reuses, as sent and
// with that answer re-tokenized as text.
func checkReadBack(t *testing.T, m *engine.Model, i int, prev, cur Call, tm Timing) (reuse, plainReuse int) {
	t.Helper()
	// prompt is the engine's prompt of msgs, with the ids of the turns
	// before index hinted.
	prompt := func(msgs []Message, hinted int) []int32 {
		t.Helper()
		req := llm.Request{Messages: make([]llm.Message, len(msgs))}
		for i, msg := range msgs {
			req.Messages[i] = llm.Message{Role: msg.Role, Content: msg.Content}
			if i < hinted {
				req.Messages[i].Tokens = msg.Tokens
			}
		}
		ids, err := m.Prompt(req)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// What prev left in the cache: its prompt and the ids it generated
	// (TextTokens: as far as they spell its text).
	prevPrompt := prompt(prev.Messages, len(prev.Messages))
	cached := append(slices.Clone(prevPrompt), prev.OutputTokens...)
	sent := prompt(cur.Messages, len(cur.Messages))
	plain := prompt(cur.Messages, len(prev.Messages)) // the answer as text
	reuse, plainReuse = commonPrefix(sent, cached), commonPrefix(plain, cached)
	t.Logf("call %d (%s after %s): %d sent, %d evaluated; previous prompt %d + %d ids of its answer; reusable %d (as text %d)",
		i, cur.Stage, prev.Stage, tm.PromptTokens, tm.PromptEvaluated, len(prevPrompt), len(prev.OutputTokens), reuse, plainReuse)
	if tm.PromptTokens != len(sent) || reuse < len(prevPrompt) {
		t.Fatalf("call %d: prompt of %d tokens (recorded %d) does not extend the previous prompt (%d reusable of %d)",
			i, len(sent), tm.PromptTokens, reuse, len(prevPrompt))
	}
	// The engine reuses all of it but the last generated id, which was
	// sampled, not evaluated.
	unread := len(cached) - reuse // answer ids that do not spell the turn
	if tm.PromptEvaluated > len(sent)-reuse+1 {
		t.Errorf("call %d evaluated %d tokens, want at most the %d after the reusable prefix + 1", i, tm.PromptEvaluated, len(sent)-reuse)
	}
	if cur.Stage == StageReview && prev.Stage == StageRevise {
		// The rewrite read back leaves the new user turn to evaluate,
		// the template's few tokens around it, and the ids of the
		// rewrite's end if cleaning changed it.
		user := countTokens(t, m, cur.Messages[len(cur.Messages)-1].Content)
		markup := countTokens(t, m, "<|im_end|>\n<|im_start|>user\n") + countTokens(t, m, "<|im_end|>\n<|im_start|>assistant\n")
		if tm.PromptEvaluated > user+markup+unread+turnSlack {
			t.Errorf("review %d evaluated %d tokens, want at most its new turn's %d + %d of ChatML + %d ids of the rewrite not read back + %d",
				i, tm.PromptEvaluated, user, markup, unread, turnSlack)
		}
	}
	return reuse - len(prevPrompt), plainReuse - len(prevPrompt)
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// countTokens counts the tokens of text (special tokens parsed).
func countTokens(t *testing.T, m *engine.Model, text string) int {
	t.Helper()
	n, err := m.Generator().CountTokens(text)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRewriteTurn(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"leading space kept", " hc hc.", " hc hc."},
		{"leading newlines kept, lines cleaned", "\n\nText.  \n\n\nMore.", "\n\nText.\n\nMore."},
		{"no leading space", "Text.", "Text."},
		{"heading dropped: no white space kept", "# Title\nText.", "Text."},
		{"indented heading dropped", "  # Title\n\nText.", "Text."},
		{"blank answer", " \n ", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rewriteTurn(c.raw, cleanText(c.raw)); got != c.want {
				t.Errorf("rewriteTurn(%q) = %q, want %q", c.raw, got, c.want)
			}
		})
	}
}

// TestCountMessagesReadBack: a turn with more generated ids than its text
// re-tokenizes to counts its ids, so that a conversation checked to fit the
// window still fits when the engine reads the ids back.
func TestCountMessagesReadBack(t *testing.T) {
	g := &fakegen.Generator{} // 4 bytes a token
	text := "twelve bytes"    // 3 tokens
	cases := []struct {
		name   string
		tokens []int32
		want   int
	}{
		{"no ids", nil, 3},
		{"fewer ids", make([]int32, 2), 3},
		{"more ids", make([]int32, 12), 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := countMessages(g, []Message{{Role: "assistant", Content: text, Tokens: c.tokens}})
			if err != nil {
				t.Fatal(err)
			}
			if want := TemplateOverheadTokens + MessageOverheadTokens + c.want; n != want {
				t.Errorf("countMessages = %d, want %d", n, want)
			}
		})
	}
}

func TestTurnIDs(t *testing.T) {
	res := llm.Result{Text: "ab cd ef", TextTokens: []int32{1, 2, 3, 4},
		Tokens: []llm.Token{{ID: 1, Text: "ab"}, {ID: 2, Text: " cd"}, {ID: 3, Text: " ef"}, {ID: 4, Text: ""}, {ID: 9}}}
	cases := []struct {
		n    int
		want []int32
	}{
		{0, []int32{}},
		{2, []int32{1}},
		{3, []int32{1, 2}},    // the id that reaches past the cut stays: the engine checks the spelling
		{5, []int32{1, 2}},    // "ab cd"
		{8, []int32{1, 2, 3}}, // the whole text; the id after it spells nothing
		{20, []int32{1, 2, 3, 4}},
	}
	for _, c := range cases {
		if got := turnIDs(res, c.n); !slices.Equal(got, c.want) {
			t.Errorf("turnIDs(%d) = %v, want %v", c.n, got, c.want)
		}
	}
	if got := turnIDs(llm.Result{Text: "x"}, 1); got != nil {
		t.Errorf("no ids: %v", got)
	}
}
