package writer

import (
	"strings"
	"unicode"
)

// Stop words that are frequent in one language and rare in the other. The
// lists avoid words shared by both ("a", "on", "son", "me", "est"…).
var (
	stopEN = map[string]bool{
		"the": true, "and": true, "of": true, "to": true, "in": true, "is": true, "for": true,
		"with": true, "how": true, "what": true, "why": true, "your": true, "you": true,
		"this": true, "that": true, "are": true, "from": true, "best": true,
		"my": true, "it": true, "an": true, "or": true, "at": true, "be": true, "can": true,
		"do": true, "should": true, "when": true, "which": true, "who": true, "about": true,
	}
	stopFR = map[string]bool{
		"le": true, "la": true, "les": true, "des": true, "du": true, "de": true, "un": true,
		"une": true, "et": true, "pour": true, "dans": true, "avec": true, "sur": true,
		"comment": true, "pourquoi": true, "quoi": true, "votre": true, "vos": true, "nos": true,
		"sont": true, "qui": true, "que": true, "au": true, "aux": true,
		"ce": true, "cette": true, "ces": true, "il": true, "elle": true, "nous": true,
		"vous": true, "ou": true, "mais": true, "quand": true, "faire": true, "bien": true,
	}
)

// frenchLetters appear in French words and almost never in English ones.
const frenchLetters = "éèêëàâçîïôûùœ"

// DetectLanguage guesses whether text is French or English: each French stop
// word or elided article ("l'", "d'", "qu'") scores one for French, each
// English stop word one for English, and each letter with a French diacritic
// ("é", "ç"…) one for French. The higher score wins; no evidence at all, or a
// tie, gives English. The second result says "detected" or "default".
func DetectLanguage(text string) (lang, source string) {
	fr, en := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	}) {
		w = strings.ReplaceAll(w, "’", "'")
		if i := strings.IndexByte(w, '\''); i > 0 && i <= 3 {
			switch w[:i] {
			case "l", "d", "qu", "j", "n", "s", "c", "m", "t":
				fr++
				w = w[i+1:]
			}
		}
		if stopFR[w] {
			fr++
		}
		if stopEN[w] {
			en++
		}
		for _, r := range w {
			if strings.ContainsRune(frenchLetters, r) {
				fr++
			}
		}
	}
	switch {
	case fr > en:
		return "fr", "detected"
	case en > fr:
		return "en", "detected"
	}
	return "en", "default"
}
