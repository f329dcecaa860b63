package writer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// No cut words. A string of a structured answer that reaches its schema's
// maxLength was closed by the grammar (or the server's), whatever the word
// it was in: it is trimmed back to its last whole word (wholeWords). If that
// leaves it under its minLength, the answer fails validation and the repair
// loop asks again (MaxRepairs bounds it). A drafted or revised part that
// reaches its token budget is cut back to its last complete sentence
// (lastSentence), with a warning in the manifest.

// danglingRunes may not end a trimmed string: separators and openers that
// announce a word that is no longer there.
const danglingRunes = " \t\n,;:–—-(/«\"'“‘"

// wholeWords returns s trimmed for a grammar that closed it at maxLen
// characters: when s is that long and its last rune is part of a word
// (letter, digit or mark), the word may be cut, so it is dropped; then
// dangling separators are trimmed. A string shorter than maxLen was closed by
// the model itself and is returned unchanged.
func wholeWords(s string, maxLen int) string {
	if utf8.RuneCountInString(s) < maxLen || s == "" {
		return s
	}
	if last, _ := utf8.DecodeLastRuneInString(s); isWordRune(last) {
		// Drop the last word, with its joined parts (l'arr, well-kno).
		i := strings.LastIndexFunc(s, func(r rune) bool { return !isWordRune(r) && !isJoiner(r) })
		s = s[:max(i, 0)]
	}
	return strings.TrimRight(s, danglingRunes)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// isJoiner reports the runes that join the parts of one word.
func isJoiner(r rune) bool { return r == '\'' || r == '’' || r == '-' }

// trimCutWords applies wholeWords to every string of the JSON document text
// whose schema has a maxLength. It returns the document re-encoded (members
// sorted, which decoding into the answer's struct does not see) and the
// paths of the strings it trimmed; text itself when nothing was cut.
func trimCutWords(sch *jsonschema.Schema, text string) (string, []string, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", nil, fmt.Errorf("decode: %w", err)
	}
	var cut []string
	v = trimValue(sch, v, "$", &cut)
	if len(cut) == 0 {
		return text, nil, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", nil, fmt.Errorf("encode: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), cut, nil
}

func trimValue(s *jsonschema.Schema, v any, path string, cut *[]string) any {
	switch x := v.(type) {
	case string:
		if s.MaxLength != nil {
			if t := wholeWords(x, *s.MaxLength); t != x {
				*cut = append(*cut, path)
				return t
			}
		}
	case []any:
		if s.Items != nil {
			for i := range x {
				x[i] = trimValue(s.Items, x[i], fmt.Sprintf("%s[%d]", path, i), cut)
			}
		}
	case map[string]any:
		for _, p := range s.Properties {
			if pv, ok := x[p.Name]; ok {
				x[p.Name] = trimValue(p.Schema, pv, path+"."+p.Name, cut)
			}
		}
	}
	return v
}

// closerRunes may follow a sentence's terminator inside the sentence.
const closerRunes = "\"'”’»)]*_"

// lastSentence cuts text back to the end of its last complete sentence (a
// terminator . ! ? or …, closing quotes or brackets after it, then white
// space or the end). It reports false, and returns the text cut back to its
// last whole word, when no sentence is complete.
func lastSentence(text string) (string, bool) {
	rs := []rune(strings.TrimRight(text, " \t\n"))
	for i := len(rs) - 1; i >= 0; i-- {
		if !strings.ContainsRune(".!?…", rs[i]) {
			continue
		}
		j := i + 1
		for j < len(rs) && strings.ContainsRune(closerRunes, rs[j]) {
			j++
		}
		if j == len(rs) || unicode.IsSpace(rs[j]) {
			return string(rs[:j]), true
		}
	}
	return wholeWords(string(rs), len(rs)), false
}

// budgetCut applies lastSentence to a part that reached its token budget
// and warns: the manifest says which part was cut, and to what.
func (r *run) budgetCut(stage string, i int, text string, budget int) string {
	cut, ok := lastSentence(text)
	what := "its last complete sentence"
	if !ok {
		what = "its last whole word (no sentence was complete)"
	}
	r.warn(fmt.Sprintf("%s: part %d (%s) reached its budget of %d tokens; cut back to %s",
		stage, i+1, partName(&r.st.Parts[i]), budget, what))
	return cut
}

// partName names a part in warnings.
func partName(p *Part) string {
	if p.Level == 0 {
		return "introduction"
	}
	return fmt.Sprintf("%q", p.Heading)
}
