package writer

import "fmt"

// Phrases the pipeline writes into prompts and reports, per language: the
// tone named in the prompts and the problems the automatic checks hand to
// the reviewer and the reviser. A French prompt must stay French (an
// English word in it pulls the model towards English), so every phrase has
// a version in each language of prompts.Languages (TestPhrasesCoverLanguages).
const (
	phraseEmptySection   = "empty-section"
	phraseLongSection    = "long-section"    // words, limit
	phraseLongSentence   = "long-sentence"   // quoted sentence
	phraseRepeatedPhrase = "repeated-phrase" // quoted phrase
	phraseBelowStandard  = "below-standard"
)

var phrases = map[string]map[string]string{
	"en": {
		phraseEmptySection:   "the section is empty",
		phraseLongSection:    "the section has %d words; keep it under %d",
		phraseLongSentence:   "split this long sentence: %q",
		phraseRepeatedPhrase: "do not repeat the phrase %s from an earlier section",
		phraseBelowStandard:  "the reviewer judged the section below the brief's standard",
	},
	"fr": {
		phraseEmptySection:   "la section est vide",
		phraseLongSection:    "la section a %d mots ; reste sous %d",
		phraseLongSentence:   "coupe cette phrase trop longue : « %s »",
		phraseRepeatedPhrase: "ne répète pas l'expression %s d'une section précédente",
		phraseBelowStandard:  "le relecteur juge la section en dessous de ce que demande le brief",
	},
}

// toneNames is how each --tone value is named inside a prompt of each
// language (the option itself stays the English keyword, in the manifest
// and on the command line).
var toneNames = map[string]map[string]string{
	"en": {"conversational": "conversational", "expert": "expert", "neutral": "neutral", "enthusiastic": "enthusiastic"},
	"fr": {"conversational": "conversationnel", "expert": "expert", "neutral": "neutre", "enthusiastic": "enthousiaste"},
}

// phrase formats the phrase key in lang, falling back to English for a
// language without its own table (Options.Normalize accepts only languages
// with prompts, and the test keeps both tables complete).
func phrase(lang, key string, args ...any) string {
	p, ok := phrases[lang][key]
	if !ok {
		p = phrases["en"][key]
	}
	if len(args) == 0 {
		return p
	}
	return fmt.Sprintf(p, args...)
}

// toneName is the tone as a prompt of lang names it.
func toneName(lang, tone string) string {
	if n, ok := toneNames[lang][tone]; ok {
		return n
	}
	return tone
}
