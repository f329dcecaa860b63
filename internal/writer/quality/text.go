package quality

import (
	"strings"
	"unicode"
)

// abbreviations end with a period that does not end a sentence (lower case,
// without the final period), in English and French.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "vs": true,
	"etc": true, "e.g": true, "i.e": true, "cf": true, "fig": true, "no": true, "p": true,
	"m": true, "mme": true, "mlle": true, "env": true, "ex": true, "p.ex": true, "av": true, "apr": true,
}

// Paragraphs splits Markdown text on blank lines and returns the non-empty
// paragraphs, without heading lines (sections carry their headings).
func Paragraphs(text string) []string {
	var out []string
	var cur []string
	flush := func() {
		if p := strings.TrimSpace(strings.Join(cur, "\n")); p != "" {
			out = append(out, p)
		}
		cur = cur[:0]
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flush()
		case strings.HasPrefix(t, "#"):
			flush()
		default:
			cur = append(cur, t)
		}
	}
	flush()
	return out
}

// plainLine strips the Markdown marks that are not words: list bullets,
// numbering, block quotes, emphasis and code ticks, and link targets.
func plainLine(line string) string {
	t := strings.TrimSpace(line)
	for _, p := range []string{"- ", "* ", "+ ", "> "} {
		t = strings.TrimPrefix(t, p)
	}
	if i := strings.Index(t, ". "); i > 0 && i <= 3 && isDigits(t[:i]) {
		t = t[i+2:]
	}
	t = stripLinkTargets(t)
	return strings.NewReplacer("**", "", "__", "", "*", "", "`", "").Replace(t)
}

// stripLinkTargets turns "[text](url)" into "text".
func stripLinkTargets(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(strings.Replace(s[:i], "[", "", 1))
		s = s[i+j+1:]
	}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Sentences splits a paragraph into sentences. A sentence ends at ".", "!",
// "?" or "…" followed by white space or the end (closing quotes and
// brackets are kept with it), except after a known abbreviation or a single
// initial; each list item and each line of a list ends a sentence.
func Sentences(paragraph string) []string {
	var out []string
	for _, line := range strings.Split(paragraph, "\n") {
		out = append(out, splitSentences(plainLine(line))...)
	}
	return out
}

func splitSentences(s string) []string {
	var out []string
	rs := []rune(s)
	start := 0
	for i := 0; i < len(rs); i++ {
		if !isTerminator(rs[i]) {
			continue
		}
		j := i + 1
		for j < len(rs) && (isTerminator(rs[j]) || isCloser(rs[j])) {
			j++
		}
		if j < len(rs) && !unicode.IsSpace(rs[j]) {
			continue
		}
		if rs[i] == '.' && isAbbreviation(rs[start:i]) {
			continue
		}
		if sent := strings.TrimSpace(string(rs[start:j])); sent != "" {
			out = append(out, sent)
		}
		start, i = j, j-1
	}
	if sent := strings.TrimSpace(string(rs[start:])); sent != "" && len(Words(sent)) > 0 {
		out = append(out, sent)
	}
	return out
}

func isTerminator(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' }

func isCloser(r rune) bool {
	return r == '"' || r == '\'' || r == ')' || r == ']' || r == '»' || r == '”' || r == '’'
}

// isAbbreviation reports whether the text before a period ends with a known
// abbreviation or a single letter (an initial, "J. Smith").
func isAbbreviation(before []rune) bool {
	i := len(before)
	for i > 0 && !unicode.IsSpace(before[i-1]) && before[i-1] != '(' {
		i--
	}
	w := strings.ToLower(string(before[i:]))
	if abbreviations[w] {
		return true
	}
	rs := []rune(w)
	return len(rs) == 1 && unicode.IsLetter(rs[0])
}

// Words returns the words of s: runs of letters and digits, with inner
// apostrophes, hyphens and periods kept ("l'homme", "well-known", "3.5").
func Words(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(rs) {
			if isWordRune(rs[j]) {
				j++
				continue
			}
			if isJoiner(rs[j]) && j+1 < len(rs) && isWordRune(rs[j+1]) {
				j += 2
				continue
			}
			break
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isJoiner(r rune) bool { return r == '\'' || r == '’' || r == '-' || r == '.' }

// hasLetter reports whether w contains a letter (numbers have no syllables
// worth counting and are skipped by the readability formulas' syllable count
// but still count as words).
func hasLetter(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
