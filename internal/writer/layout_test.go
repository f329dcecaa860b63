package writer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// TestPromptLayoutForCache checks the layout that lets an engine's prompt
// cache reuse what calls share, in both languages: the outline, every draft
// and every review open with the same brief line; each draft repeats the
// previous draft's prompt up to its own instructions (brief, title,
// outline, notes, then the running summary, which only grows); reviews
// share the brief and the rules (a review after a revision continues that
// revision's conversation: TestReviewFollowsRevision).
func TestPromptLayoutForCache(t *testing.T) {
	for _, tc := range []struct{ lang, topic, brief, now string }{
		{"en", "How to make compost at home", "Brief: ", "\nNow write "},
		{"fr", "Comment faire son compost", "Brief : ", "\nÉcris maintenant "},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			g := &fakegen.Generator{}
			opts := testOptions(tc.topic)
			opts.Lang, opts.Notes = tc.lang, "Use a kitchen bin."
			art, _ := runArticle(t, g, opts)
			head := tc.brief + art.State.Brief + "\n"
			var drafts, reviews []string
			for _, r := range g.Requests() {
				u := r.Messages[1].Content
				switch stageOf(r) {
				case StageOutline, StageDraft, StageReview:
					if !strings.HasPrefix(u, head) {
						t.Errorf("%s prompt does not open with the brief:\n%.200s", stageOf(r), u)
					}
				}
				switch stageOf(r) {
				case StageDraft:
					drafts = append(drafts, u)
				case StageReview:
					if len(r.Messages) == 2 { // not a follow-up
						reviews = append(reviews, u)
					}
				}
			}
			if len(drafts) < 3 || len(reviews) < 3 {
				t.Fatalf("%d drafts, %d reviews", len(drafts), len(reviews))
			}
			for i := 1; i < len(drafts); i++ {
				prev, _, ok := strings.Cut(drafts[i-1], tc.now)
				if !ok || !strings.HasPrefix(drafts[i], prev) {
					t.Errorf("draft %d does not repeat draft %d's prompt before its instructions:\n%s\n---\n%s", i+1, i, drafts[i-1], drafts[i])
				}
			}
			for i := 1; i < len(reviews); i++ {
				rules, _, _ := strings.Cut(strings.TrimPrefix(reviews[i-1], head), "\n")
				if !strings.HasPrefix(reviews[i], head+rules+"\n") {
					t.Errorf("review %d does not share the brief and rules of the one before", i+1)
				}
			}
		})
	}
}

// evaluatedGen reports that half of each prompt was evaluated, as an engine
// with a prompt cache does.
type evaluatedGen struct{ *fakegen.Generator }

func (g evaluatedGen) Generate(ctx context.Context, req llm.Request, onToken func(llm.Token) error) (llm.Result, error) {
	res, err := g.Generator.Generate(ctx, req, onToken)
	res.PromptEvaluated = (res.PromptTokens + 1) / 2
	return res, err
}

// TestPromptTokensRecorded checks that each call's prompt tokens sent and
// evaluated reach the manifest's timings, their stage totals and a call
// event.
func TestPromptTokensRecorded(t *testing.T) {
	g := evaluatedGen{&fakegen.Generator{}}
	p := newPipeline(g)
	var events []Event
	p.Events = func(e Event) {
		if e.Type == EventCall {
			events = append(events, e)
		}
	}
	st, err := p.NewState(testOptions("How to make compost at home"))
	if err != nil {
		t.Fatal(err)
	}
	art, err := p.Run(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	ts := art.State.Timings
	if len(ts) != len(art.State.Calls) || len(events) != len(ts) {
		t.Fatalf("%d timings, %d call events for %d calls", len(ts), len(events), len(art.State.Calls))
	}
	totals := map[string][2]int{}
	for i, tm := range ts {
		c, e := art.State.Calls[i], events[i]
		if tm.PromptTokens != c.PromptTokens || tm.PromptEvaluated != (c.PromptTokens+1)/2 || tm.PromptTokens == 0 {
			t.Errorf("call %d: timing records %d sent, %d evaluated; the call sent %d", i, tm.PromptTokens, tm.PromptEvaluated, c.PromptTokens)
		}
		if e.Stage != c.Stage || e.PromptTokens != tm.PromptTokens || e.PromptEvaluated != tm.PromptEvaluated || e.Tokens != c.CompletionTokens {
			t.Errorf("call %d: event %+v, call %s %d+%d tokens", i, e, c.Stage, c.PromptTokens, c.CompletionTokens)
		}
		tot := totals[tm.Stage]
		totals[tm.Stage] = [2]int{tot[0] + tm.PromptTokens, tot[1] + tm.PromptEvaluated}
	}
	m := buildManifest(art.State, g.Info(), "test", []byte("x"), art.Quality, 1)
	for _, s := range m.Run.Stages {
		if want := totals[s.Stage]; s.PromptTokens != want[0] || s.PromptEvaluated != want[1] {
			t.Errorf("stage %s totals %d/%d, want %d/%d", s.Stage, s.PromptTokens, s.PromptEvaluated, want[0], want[1])
		}
	}
}

// conversation is every message of a request, as the model reads it.
func conversation(req llm.Request) string {
	var b strings.Builder
	for _, m := range req.Messages {
		b.WriteString(m.Role + ": " + m.Content + "\n")
	}
	return b.String()
}

// TestReviewFollowsRevision checks the layout of a part's review → revise
// → review chain in both languages, with two revise passes: each call's
// messages are the previous call's messages plus its answer as the
// assistant's turn (so an engine's cached sequence, prompt and output, is
// a prefix of the next prompt), and the review after a revision asks the
// first review's question about "the rewrite above" instead of quoting it.
func TestReviewFollowsRevision(t *testing.T) {
	for _, tc := range []struct{ lang, topic, text, above string }{
		{"en", "How to make compost at home", "\nText:\n", "\nText: your rewrite above.\n"},
		{"fr", "Comment faire son compost", "\nTexte :\n", "\nTexte : ta réécriture ci-dessus.\n"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			g := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
				switch stageOf(req) {
				case StageReview:
					return `{"pass":false,"problems":["too vague"]}`, true
				case StageRevise:
					return fmt.Sprintf("Rewrite number %d is shorter.", n), true
				}
				return "", false
			}}
			opts := testOptions(tc.topic)
			opts.Lang, opts.MaxRevise = tc.lang, MaxRevisePasses
			art, _ := runArticle(t, g, opts)
			calls := art.Manifest.Calls
			chains := 0
			for i, c := range calls {
				if c.Stage != StageReview || c.Attempt != 0 {
					continue
				}
				chains++
				// review, revise, review, revise, review of the same part
				chain := calls[i : i+1+2*MaxRevisePasses]
				first := chain[0].Messages[1].Content
				question, _, ok := strings.Cut(first, tc.text)
				if len(chain[0].Messages) != 2 || !ok {
					t.Fatalf("call %d: the first review is not a quoted-text prompt: %d messages\n%s", i, len(chain[0].Messages), first)
				}
				for j := 1; j < len(chain); j++ {
					prev, cur := chain[j-1], chain[j]
					want := append(append([]Message(nil), prev.Messages...), Message{Role: "assistant", Content: prev.Output})
					if prev.Stage == StageRevise {
						want[len(want)-1].Content = rewriteTurn(prev.Output, cleanText(prev.Output))
					}
					if cur.Part != c.Part || len(cur.Messages) != len(want)+1 || !slices.EqualFunc(cur.Messages[:len(want)], want, sameTurn) {
						t.Fatalf("call %d (%s, part %d) does not continue call %d's conversation (%d messages)",
							i+j, cur.Stage, cur.Part, i+j-1, len(cur.Messages))
					}
					q := cur.Messages[len(cur.Messages)-1].Content
					switch cur.Stage {
					case StageReview:
						// The same question, without the brief (above) and
						// without quoting the text (the rewrite above).
						rules, _, _ := strings.Cut(q, "\n")
						answer := first[strings.LastIndex(first, "\n\n"):] // the JSON instructions
						if !strings.Contains(question, "\n"+rules+"\n") || !strings.HasSuffix(q, strings.TrimSuffix(tc.above, "\n")+answer) {
							t.Errorf("call %d: the review after a revision asks\n%s\nnot the first review's question\n%s", i+j, q, first)
						}
					case StageRevise:
						if strings.Contains(q, prev.Messages[len(prev.Messages)-1].Content) || !strings.Contains(q, "too vague") {
							t.Errorf("call %d: revise prompt quotes the text or lacks the problem:\n%s", i+j, q)
						}
					}
				}
			}
			if chains != len(art.State.Parts) {
				t.Errorf("%d review chains, want one per part (%d)", chains, len(art.State.Parts))
			}
		})
	}
}

// sameTurn compares the recorded part of two messages (Tokens, the
// engine's ids of an answer, are not recorded).
func sameTurn(a, b Message) bool { return a.Role == b.Role && a.Content == b.Content }
