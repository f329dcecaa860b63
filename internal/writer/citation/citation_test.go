package citation

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

const (
	passageFR = "Un tas retourné toutes les trois semaines donne un compost mûr en trois à six mois en été. Un tas laissé à lui-même demande environ un an."
	passageEN = "A deck oven bakes bread directly on a hot stone floor, which gives a thick crust. Convection ovens suit pastries better than loaves."
)

// pairs are hand-made sentence-passage pairs with the model's answer (a
// credulous model, an honest one) and the verdict that must come out.
var pairs = []struct {
	name, lang, sentence, passage string
	answer                        Answer
	want                          string
}{
	{"fr supported", "fr", "Retourné toutes les trois semaines, le tas donne un compost mûr en trois à six mois [1].", passageFR,
		Answer{Supported, "donne un compost mûr en trois à six mois"}, Supported},
	{"fr partly", "fr", "Un tas laissé à lui-même demande environ un an, et il attire les rats [1].", passageFR,
		Answer{Partly, "Un tas laissé à lui-même demande environ un an."}, Partly},
	{"fr invented, credulous model", "fr", "Les abeilles pollinisent les tomates des balcons parisiens [1].", passageFR,
		Answer{Supported, "donne un compost mûr"}, NotSupported},
	{"fr honest no", "fr", "Le compost est prêt en une semaine [2].", passageFR,
		Answer{NotSupported, ""}, NotSupported},
	{"en supported", "en", "A deck oven bakes bread on a hot stone floor and gives a thick crust [4].", passageEN,
		Answer{Supported, "A deck oven bakes bread directly on a hot stone floor"}, Supported},
	{"en invented, credulous model", "en", "Sourdough needs rye flour and a cold night [4].", passageEN,
		Answer{Supported, "thick crust"}, NotSupported},
	{"en span not in passage", "en", "Convection ovens suit pastries better than loaves [4].", passageEN,
		Answer{Supported, "convection is best for everything"}, Partly},
}

// TestCheckScripted runs the pairs through Checker with a scripted
// generator that answers what the pair says, and checks the request too.
func TestCheckScripted(t *testing.T) {
	for _, tc := range pairs {
		t.Run(tc.name, func(t *testing.T) {
			gen := &fakegen.Generator{Script: func(n int, req llm.Request) (string, bool) {
				return `{"verdict":"` + tc.answer.Verdict + `","span":"` + tc.answer.Span + `"}`, true
			}}
			c := &Checker{Gen: gen, Lang: tc.lang}
			got, err := c.Check(context.Background(), tc.sentence, tc.passage)
			if err != nil {
				t.Fatal(err)
			}
			if got.Verdict != tc.want || got.Model != tc.answer.Verdict {
				t.Errorf("verdict %q (model %q, overlap %.2f, %s), want %q", got.Verdict, got.Model, got.Overlap, got.Reason, tc.want)
			}
			if got.Verdict == Supported && got.Span == "" {
				t.Error("a supported verdict keeps its span")
			}
			reqs := gen.Requests()
			if len(reqs) != 1 || reqs[0].JSONSchema != Schema {
				t.Fatalf("requests %d, schema %v", len(reqs), reqs[0].JSONSchema)
			}
			user := reqs[0].Messages[1].Content
			if !strings.Contains(user, tc.passage) || !strings.Contains(user, Strip(tc.sentence)) || strings.Contains(user, "[1]") {
				t.Errorf("prompt: %s", user)
			}
		})
	}
}

// TestCheckSyntheticAnswer: the fake's schema-driven answer is valid JSON
// under Schema, so the grammar-constrained path parses.
func TestCheckSyntheticAnswer(t *testing.T) {
	c := &Checker{Gen: &fakegen.Generator{}, Lang: "en"}
	got, err := c.Check(context.Background(), pairs[4].sentence, pairs[4].passage)
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != Supported && got.Model != Partly && got.Model != NotSupported {
		t.Errorf("model verdict %q", got.Model)
	}
}

func TestParseAnswer(t *testing.T) {
	for _, bad := range []string{`{"verdict":"yes","span":""}`, `{"verdict":"supported"`, `{"verdict":"supported","span":"","x":1}`, ``} {
		if _, err := ParseAnswer(bad); !errors.Is(err, ErrAnswer) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestMarkers(t *testing.T) {
	tests := []struct {
		in      string
		numbers []int
		strip   string
		remove3 string
	}{
		{"Compost needs air [3].", []int{3}, "Compost needs air.", "Compost needs air."},
		{"Worms help [1, 3] and fungi too [3][4].", []int{1, 3, 4}, "Worms help and fungi too.", "Worms help [1] and fungi too [4]."},
		{"Both [3][4] here [3].", []int{3, 4}, "Both here.", "Both [4] here."},
		{"No citation here.", nil, "No citation here.", "No citation here."},
		{"A list [a] and year [2024].", []int{2024}, "A list [a] and year.", "A list [a] and year [2024]."},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Numbers(tc.in); !slices.Equal(got, tc.numbers) {
				t.Errorf("Numbers = %v, want %v", got, tc.numbers)
			}
			if got := Strip(tc.in); got != tc.strip {
				t.Errorf("Strip = %q, want %q", got, tc.strip)
			}
			if got := Remove(tc.in, 3); got != tc.remove3 {
				t.Errorf("Remove = %q, want %q", got, tc.remove3)
			}
		})
	}
	got := Renumber("a [7] b [2, 9].", func(n int) (int, bool) { m, ok := map[int]int{7: 1, 2: 2}[n]; return m, ok })
	if got != "a [1] b [2]." {
		t.Errorf("Renumber = %q", got)
	}
}

func TestSentences(t *testing.T) {
	text := "Compost needs air [1]. Worms help. [2] Fungi too!\n\nNew paragraph [3] here… End."
	want := []string{"Compost needs air [1].", "Worms help. [2]", "Fungi too!", "New paragraph [3] here…", "End."}
	got := Sentences(text)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for _, s := range got {
		if !strings.Contains(text, s) {
			t.Errorf("%q is not a substring of the text", s)
		}
	}
}

func FuzzMarkers(f *testing.F) {
	for _, s := range []string{"Compost needs air [3]. Worms help. [2] Fungi [1, 2][4] too!\n\nEnd [", "[][9999][12345] x", "…[1]… [2]."} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if len(s) > 4096 {
			return
		}
		for _, sent := range Sentences(s) {
			if !strings.Contains(s, sent) {
				t.Fatalf("sentence %q is not a substring of %q", sent, s)
			}
		}
		if len(Numbers(Strip(s))) != 0 {
			t.Fatalf("Strip(%q) keeps markers", s)
		}
		for _, k := range Numbers(Remove(s, n)) {
			if k == n {
				t.Fatalf("Remove(%q, %d) keeps it", s, n)
			}
		}
	})
}
