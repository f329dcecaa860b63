package review

import (
	"math"
	"strings"
	"testing"
)

func TestWordEdits(t *testing.T) {
	tests := []struct {
		a, b  string
		edits int
		ratio float64
	}{
		{"", "", 0, 0},
		{"the cat sat", "the cat sat", 0, 0},
		{"the cat sat", "the dog sat", 1, 1.0 / 3},
		{"the cat sat", "the cat sat down", 1, 1.0 / 4},
		{"a b c d", "", 4, 1},
		{"one two three", "three two one", 2, 2.0 / 3},
		{"same  words\nother spacing", "same words other spacing", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.a+"|"+tc.b, func(t *testing.T) {
			if got := WordEdits(tc.a, tc.b); got != tc.edits {
				t.Errorf("WordEdits = %d, want %d", got, tc.edits)
			}
			if got := EditRatio(tc.a, tc.b); math.Abs(got-tc.ratio) > 1e-12 {
				t.Errorf("EditRatio = %v, want %v", got, tc.ratio)
			}
		})
	}
}

func TestWordEditsLong(t *testing.T) {
	a := strings.Repeat("w ", MaxWords+10)
	if got := WordEdits(a, strings.Repeat("w ", MaxWords)); got != 10 {
		t.Errorf("long: %d, want 10", got)
	}
}

func TestSplitFrontMatter(t *testing.T) {
	front, body, ok := SplitFrontMatter("---\ntitle: x\n---\n\nBody.\n")
	if !ok || front != "title: x\n" || body != "Body.\n" {
		t.Errorf("%q %q %v", front, body, ok)
	}
	if _, body, ok := SplitFrontMatter("No front matter.\n"); ok || body != "No front matter.\n" {
		t.Errorf("without: %q %v", body, ok)
	}
	if _, _, ok := SplitFrontMatter("---\nunterminated\n"); ok {
		t.Error("unterminated front matter accepted")
	}
}

func TestDiff(t *testing.T) {
	if d := Diff("model", "editor", "a\nb\n", "a\nb\n"); d != "" {
		t.Errorf("same text: %q", d)
	}
	d := Diff("model", "editor", "a\nb\nc\n", "a\nB\nc\n")
	for _, want := range []string{"--- model", "+++ editor", "-b", "+B"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}
