package retrieve

import (
	"os"
	"strings"
	"testing"
)

func corpus(t *testing.T, path string) []Passage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Split([]Doc{{Title: path, Text: string(b)}}, DefaultPassageTokens, nil)
}

// TestRankingFrenchEnglish: hand-made queries and the heading of the passage
// that must come first. The French queries use other inflections than the
// corpus (stemming, elision) and stop words that must not count.
func TestRankingFrenchEnglish(t *testing.T) {
	tests := []struct {
		lang, corpus, query, first string
	}{
		{"fr", "testdata/fr.md", "Quelle proportion de matière verte et de matière brune ?", "Les matières vertes et brunes"},
		{"fr", "testdata/fr.md", "Pourquoi retourne-t-on le tas ?", "Retourner le tas"},
		{"fr", "testdata/fr.md", "le ver de terre dans l'appartement", "Les vers de terre"},
		{"fr", "testdata/fr.md", "arrosages et paillages en période sèche", "L'arrosage du potager"},
		{"fr", "testdata/fr.md", "une poule", "Les poules"},
		{"en", "testdata/en.md", "how to feed a sourdough starter", "Sourdough starter"},
		{"en", "testdata/en.md", "baking loaves on a stone deck", "Ovens"},
		{"en", "testdata/en.md", "what does a loaf cost", "Pricing"},
		{"en", "testdata/en.md", "the bakery is opening", "Opening hours"},
		{"en", "testdata/en.md", "hire bakers for the night shift", "Hiring"},
	}
	for _, tc := range tests {
		t.Run(tc.lang+"/"+tc.query, func(t *testing.T) {
			ix, err := NewIndex(corpus(t, tc.corpus), tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			hits, err := ix.Search(tc.query, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Passage.Heading != tc.first {
				var got []string
				for _, h := range hits {
					got = append(got, h.Passage.Heading)
				}
				t.Fatalf("first %q, want %q (all: %q)", got, tc.first, got)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("hits not sorted by score: %v", hits)
				}
			}
		})
	}
}

// TestStopWordsOnly: a query of French stop words finds nothing.
func TestStopWordsOnly(t *testing.T) {
	ix, err := NewIndex(corpus(t, "testdata/fr.md"), "fr")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	hits, err := ix.Search("le la les de du et", 5)
	if err != nil || len(hits) != 0 {
		t.Errorf("hits %v err %v", hits, err)
	}
	if _, err := NewIndex(nil, "de"); err == nil {
		t.Error("German should have no analyzer")
	}
}

// TestTiesStable: identical passages tie, and the lower number wins, every time.
func TestTiesStable(t *testing.T) {
	ps := Split([]Doc{{Text: "compost heap\n\nother text"}, {Text: "compost heap"}}, 3, nil)
	for range 5 {
		ix, err := NewIndex(ps, "en")
		if err != nil {
			t.Fatal(err)
		}
		hits, err := ix.Search("compost", 5)
		ix.Close()
		if err != nil || len(hits) != 2 || hits[0].Passage.N != 1 || hits[1].Passage.N != 3 {
			t.Fatalf("hits %+v err %v", hits, err)
		}
	}
}

func TestSplit(t *testing.T) {
	long := strings.Repeat("This sentence is ten words long, give or take. ", 12)
	tests := []struct {
		name   string
		docs   []Doc
		budget int
		want   []string // heading|text prefix per passage
	}{
		{"headings cut", []Doc{{Text: "# A\n\nalpha\n\n## B\n\nbeta\n\ngamma"}}, 100, []string{"A|alpha", "B|beta\n\ngamma"}},
		{"budget cuts paragraphs", []Doc{{Text: "one two three\n\nfour five six\n\nseven"}}, 4, []string{"|one two three", "|four five six", "|seven"}},
		{"long paragraph cut at sentences", []Doc{{Text: long}}, 60, []string{"|This", "|This", "|This"}},
		{"sources numbered on", []Doc{{Text: "a"}, {Text: "b"}}, 10, []string{"|a", "|b"}},
		{"hash without space is text", []Doc{{Text: "#hashtag"}}, 10, []string{"|#hashtag"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.docs, tc.budget, nil)
			if len(got) != len(tc.want) {
				t.Fatalf("%d passages, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, p := range got {
				h, txt, _ := strings.Cut(tc.want[i], "|")
				if p.N != i+1 || p.Heading != h || !strings.HasPrefix(p.Text, txt) {
					t.Errorf("passage %d = %+v, want %q", i, p, tc.want[i])
				}
				if p.Tokens > tc.budget && strings.Count(p.Text, ". ") > 0 {
					t.Errorf("passage %d has %d tokens > %d", i, p.Tokens, tc.budget)
				}
			}
		})
	}
}

func TestWithin(t *testing.T) {
	hits := []Hit{{Passage: Passage{N: 1, Tokens: 50}}, {Passage: Passage{N: 2, Tokens: 80}}, {Passage: Passage{N: 3, Tokens: 30}}}
	got := Within(hits, 90)
	if len(got) != 2 || got[0].N != 1 || got[1].N != 3 {
		t.Errorf("got %+v", got)
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		lang, claim, passage string
		min, max             float64
	}{
		{"fr", "Les vers transforment les épluchures.", "Les vers du fumier transforment les épluchures en lombricompost.", 1, 1},
		{"fr", "La tomate aime le soleil.", "Les vers du fumier transforment les épluchures en lombricompost.", 0, 0},
		{"en", "Bakers feed the starters daily.", "Feed the starter every day: bakers do it daily.", 1, 1},
		{"en", "Bakers start at dawn and love jazz music.", "Bakers start work long before dawn.", 0.3, 0.7},
		{"en", "the and of", "anything", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.claim, func(t *testing.T) {
			got, err := Overlap(tc.lang, tc.claim, tc.passage)
			if err != nil || got < tc.min || got > tc.max {
				t.Errorf("Overlap = %v (err %v), want in [%v, %v]", got, err, tc.min, tc.max)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("# A\n\nalpha beta. gamma!\n\n## B\n\ndelta", 5)
	f.Add("#\n\n# \n\n", 1)
	f.Fuzz(func(t *testing.T, text string, budget int) {
		if len(text) > 1<<14 || budget > 1000 {
			return
		}
		ps := Split([]Doc{{Text: text}, {Text: text}}, budget, nil)
		for i, p := range ps {
			if p.N != i+1 || strings.TrimSpace(p.Text) == "" || p.Source < 0 || p.Source > 1 {
				t.Fatalf("passage %d: %+v", i, p)
			}
		}
	})
}
