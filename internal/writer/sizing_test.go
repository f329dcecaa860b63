package writer

import (
	"context"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

func TestWorstTokens(t *testing.T) {
	tests := []struct {
		schema string
		want   int
	}{
		// value ws 2 + 10 chars + 2 quotes
		{`{"type":"string","maxLength":10}`, 14},
		// ws 2 + brackets 2 + 3 × (14 + comma 1)
		{`{"type":"array","maxItems":3,"items":{"type":"string","maxLength":10}}`, 49},
		// ws 2 + braces 2 + ("ok" 2 + 4) + boolean (2 + 5)
		{`{"type":"object","properties":{"ok":{"type":"boolean"}}}`, 17},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			got, err := WorstTokens(jsonschema.MustParse(tt.schema))
			if err != nil || got != tt.want {
				t.Errorf("WorstTokens(%s) = %d, %v; want %d", tt.schema, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{`{"type":"string"}`, `{"type":"array","items":{"type":"boolean"}}`, `{"enum":["a"]}`} {
		if _, err := WorstTokens(jsonschema.MustParse(bad)); err == nil {
			t.Errorf("WorstTokens(%s) accepted an unbounded schema", bad)
		}
	}
}

func TestFitBoundsShrinksInOrder(t *testing.T) {
	def := DefaultBounds(MaxWords)
	full, _ := WorstTokens(def.Outline())
	for _, budget := range []int{full, 3000, 1200, 600} {
		b, sch, ok := fitBounds(def, Bounds.Outline, outlineLadder, budget)
		w, err := WorstTokens(sch)
		if !ok || err != nil || w > budget {
			t.Fatalf("budget %d: ok=%v worst=%d err=%v", budget, ok, w, err)
		}
		if budget == full && b != def {
			t.Errorf("bounds shrunk although the default fits")
		}
		if budget < full && b.Subsections != 0 {
			t.Errorf("budget %d: subsections kept (%d) while other limits shrank: %+v", budget, b.Subsections, b)
		}
	}
	if _, _, ok := fitBounds(def, Bounds.Outline, outlineLadder, 100); ok {
		t.Error("an outline fitted 100 tokens")
	}
	// Metadata keeps the SEO description bounds whatever the budget.
	b, sch, ok := fitBounds(DefaultBounds(MinWords), Bounds.Metadata, metadataLadder, 500)
	d := sch.Property("description")
	if !ok || b.ExcerptChars >= MaxExcerptChars || *d.MinLength != 120 || *d.MaxLength != 156 {
		t.Errorf("metadata sizing: ok=%v %+v", ok, b)
	}
}

// A small context shrinks the outline schema (with a warning), and the
// prompts that follow still fit.
func TestSmallContextShrinksSchemas(t *testing.T) {
	g := &fakegen.Generator{}
	g.Model.ContextLength = 2048
	art, _ := runArticle(t, g, testOptions("How to make compost at home"))
	warned := false
	for _, w := range art.State.Warnings {
		warned = warned || strings.HasPrefix(w, "outline: answer limits reduced to fit")
	}
	if !warned {
		t.Errorf("no sizing warning: %q", art.State.Warnings)
	}
	for _, c := range art.Manifest.Calls {
		n, _ := countMessages(g, c.Messages)
		if n+c.MaxTokens > 2048 {
			t.Fatalf("%s call overruns: %d + %d", c.Stage, n, c.MaxTokens)
		}
		if c.JSONSchema != "" {
			if w, _ := WorstTokens(jsonschema.MustParse(c.JSONSchema)); w > c.MaxTokens {
				t.Errorf("%s: worst case %d over the budget %d", c.Stage, w, c.MaxTokens)
			}
		}
	}
}

// A repair prompt quotes at most 2000 characters of the bad answer, and
// less, or nothing (resending the original prompt), when the context is
// short; it never overruns the context.
func TestRepairFitsContext(t *testing.T) {
	long := `{"title": "` + strings.Repeat("word ", 2000)
	for _, tc := range []struct{ window, wantMsgs int }{{20000, 4}, {3000, 2}} { // the outline's budget fills up to its worst case (#18 item 6): 20000 leaves room for a quote
		first := true
		g := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
			if first && req.JSONSchema != nil && req.JSONSchema.Property("sections") != nil {
				first = false
				return long, true
			}
			return "", false
		}}
		g.Model.ContextLength = tc.window
		p := newPipeline(g)
		st, _ := p.NewState(testOptions("Compost"))
		if _, err := p.Run(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range st.Calls {
			if c.Stage != StageOutline || c.Attempt != 1 {
				continue
			}
			found = true
			n, _ := countMessages(g, c.Messages)
			if n+c.MaxTokens > tc.window || len(c.Messages) != tc.wantMsgs {
				t.Errorf("window %d: repair call has %d messages, %d + %d tokens", tc.window, len(c.Messages), n, c.MaxTokens)
			}
			if tc.wantMsgs == 4 && len([]rune(c.Messages[2].Content)) > 2002 {
				t.Errorf("quoted %d characters", len([]rune(c.Messages[2].Content)))
			}
		}
		if !found {
			t.Errorf("window %d: no repair call", tc.window)
		}
	}
}
