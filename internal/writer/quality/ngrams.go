package quality

import (
	"fmt"
	"sort"
	"strings"
)

// RepeatedNgrams finds word n-grams (lower-cased) that occur in more than one
// section, the sign of a draft that repeats itself. The rule lists each
// repeated phrase with the sections it appears in, in first-seen order.
func RepeatedNgrams(sections []Section, n int) Rule {
	r := Rule{ID: RuleRepeatedNgrams, Pass: true,
		Message: fmt.Sprintf("no %d-word phrase repeated across sections", n)}
	type seen struct {
		first int   // order of first appearance, for a stable listing
		secs  []int // sections, ascending, no duplicates
	}
	grams := map[string]*seen{}
	order := 0
	for i, s := range sections {
		ws := lowerWords(s.Text)
		for j := 0; j+n <= len(ws); j++ {
			g := strings.Join(ws[j:j+n], " ")
			e, ok := grams[g]
			if !ok {
				e = &seen{first: order}
				order++
				grams[g] = e
			}
			if len(e.secs) == 0 || e.secs[len(e.secs)-1] != i {
				e.secs = append(e.secs, i)
			}
		}
	}
	type rep struct {
		gram  string
		first int
		secs  []int
	}
	var reps []rep
	for g, e := range grams {
		if len(e.secs) > 1 {
			reps = append(reps, rep{g, e.first, e.secs})
		}
	}
	sort.Slice(reps, func(a, b int) bool { return reps[a].first < reps[b].first })
	for _, x := range reps {
		r.Where = appendWhere(r.Where, fmt.Sprintf("%q in sections %s", x.gram, joinInts(x.secs)))
	}
	if len(reps) > 0 {
		r.Pass = false
		r.Message = fmt.Sprintf("%d %d-word phrase(s) repeated across sections", len(reps), n)
	}
	return r
}

func lowerWords(text string) []string {
	var out []string
	for _, p := range Paragraphs(text) {
		for _, w := range Words(plainLine(p)) {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
