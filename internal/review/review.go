package review

import (
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// MaxWords bounds the edit-distance computation (quadratic in the words):
// twice Plume's longest article (writer.MaxWords), so an editor can double
// it and still be measured exactly.
const MaxWords = 8000

// SplitFrontMatter splits Markdown into its YAML front matter (without the
// --- lines) and its body; ok is false when there is no front matter.
func SplitFrontMatter(md string) (front, body string, ok bool) {
	md = strings.ReplaceAll(md, "\r\n", "\n")
	if !strings.HasPrefix(md, "---\n") {
		return "", md, false
	}
	end := strings.Index(md[4:], "\n---\n")
	if end < 0 {
		return "", md, false
	}
	return md[4 : 4+end+1], strings.TrimLeft(md[4+end+5:], "\n"), true
}

// WordEdits is the Levenshtein distance between the words of a and b
// (insertions, deletions and substitutions of whole words). Texts over
// MaxWords words are compared on their first MaxWords words plus the
// difference in length.
func WordEdits(a, b string) int {
	wa, wb := strings.Fields(a), strings.Fields(b)
	extra := 0
	if len(wa) > MaxWords || len(wb) > MaxWords {
		la, lb := min(len(wa), MaxWords), min(len(wb), MaxWords)
		extra = max(len(wa)-la, len(wb)-lb)
		wa, wb = wa[:la], wb[:lb]
	}
	prev, cur := make([]int, len(wb)+1), make([]int, len(wb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(wa); i++ {
		cur[0] = i
		for j := 1; j <= len(wb); j++ {
			sub := prev[j-1]
			if wa[i-1] != wb[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(wb)] + extra
}

// EditRatio is WordEdits(a, b) over the longer text's word count: 0 for the
// same words, 1 for a complete rewrite.
func EditRatio(a, b string) float64 {
	n := max(len(strings.Fields(a)), len(strings.Fields(b)))
	if n == 0 {
		return 0
	}
	return float64(WordEdits(a, b)) / float64(n)
}

// Diff is the unified line diff from the model's text to the editor's ("" when
// they are the same).
func Diff(modelLabel, editorLabel, model, editor string) string {
	return udiff.Unified(modelLabel, editorLabel, model, editor)
}
