package quality

import (
	"strings"
	"unicode"
)

// isVowelEN reports whether r starts or continues a vowel group in English
// spelling; y counts as a vowel ("rhythm", "happy").
func isVowelEN(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// isVowelFR reports whether r is a vowel letter in French spelling,
// accented forms and ligatures included.
func isVowelFR(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'à', 'â', 'ä', 'é', 'è', 'ê', 'ë',
		'î', 'ï', 'ô', 'ö', 'ù', 'û', 'ü', 'ÿ', 'œ', 'æ':
		return true
	}
	return false
}

// letters lower-cases w and keeps only its letters.
func letters(w string) []rune {
	var out []rune
	for _, r := range strings.ToLower(w) {
		if unicode.IsLetter(r) {
			out = append(out, r)
		}
	}
	return out
}

// vowelGroups counts maximal runs of vowels in rs.
func vowelGroups(rs []rune, isVowel func(rune) bool) int {
	n, in := 0, false
	for _, r := range rs {
		v := isVowel(r)
		if v && !in {
			n++
		}
		in = v
	}
	return n
}

// SyllablesEN estimates the syllables of an English word: vowel groups, minus
// a silent final "e" (but not "-le" after a consonant: "ta-ble"), minus the
// silent "e" of "-es"/"-ed" endings that do not add a syllable ("makes",
// "jumped", but "wanted", "boxes"), plus one for vowel pairs that are read
// as two syllables ("ia": "me-di-a", "io": "ra-di-o", "eo": "vid-e-o").
// Every word with letters has at least one syllable. It is a heuristic: it
// gets the common words right, which is what readability formulas need.
func SyllablesEN(word string) int {
	rs := letters(word)
	if len(rs) == 0 {
		return 0
	}
	n := vowelGroups(rs, isVowelEN)
	s := string(rs)
	l := len(rs)
	switch {
	case l > 2 && strings.HasSuffix(s, "le") && !isVowelEN(rs[l-3]):
		// "table", "simple": the final "le" is a syllable of its own.
	case l > 2 && strings.HasSuffix(s, "e") && !strings.HasSuffix(s, "ee") && !strings.HasSuffix(s, "ye"):
		n-- // silent final e: "make", "time"
	case l > 3 && strings.HasSuffix(s, "es") && !esAddsSyllable(rs):
		n-- // "makes", "times"
	case l > 3 && strings.HasSuffix(s, "ed") && rs[l-3] != 't' && rs[l-3] != 'd' && !isVowelEN(rs[l-3]):
		n-- // "jumped", but "wanted", "needed"
	}
	n += hiatusEN(rs)
	if n < 1 {
		n = 1
	}
	return n
}

// hiatusEN counts the vowel pairs of rs read as two syllables: "ia", "io"
// and "ua" ("me-di-a", "ra-di-o", "ac-tu-al"), except in the one-syllable
// endings after c, t, s, g ("so-cial", "na-tion", "vi-sion", "re-gion") and
// after q or g for "ua" ("qual-i-ty", "lan-guage").
func hiatusEN(rs []rune) int {
	n := 0
	for i := 1; i+1 < len(rs); i++ {
		a, b := rs[i], rs[i+1]
		prev := rs[i-1]
		switch {
		case a == 'i' && (b == 'a' || b == 'o'):
			if prev != 'c' && prev != 't' && prev != 's' && prev != 'g' {
				n++
			}
		case a == 'u' && b == 'a':
			if prev != 'q' && prev != 'g' {
				n++
			}
		}
	}
	return n
}

// esAddsSyllable reports whether the "-es" ending of rs is pronounced as a
// syllable: after a sibilant ("boxes", "wishes", "places", "judges").
func esAddsSyllable(rs []rune) bool {
	l := len(rs)
	prev := rs[l-3]
	switch prev {
	case 's', 'x', 'z', 'c', 'g':
		return true
	case 'h':
		return l > 3 && (rs[l-4] == 's' || rs[l-4] == 'c')
	}
	return false
}

// SyllablesFR estimates the spoken syllables of a French word:
//   - each run of vowel letters is one syllable, which makes the digraphs and
//     diphthongs one ("eau", "ou", "ai", "oi", "ei", "au", "œu", "ie" in "pied");
//   - "é" followed by a vowel starts a new syllable ("cré-er", "ré-el",
//     "po-é-sie" is handled as o|é), as does a vowel after "é" in general;
//   - a final mute "e" or "es" is silent when the word has another vowel
//     group ("table", "livres"; but "le", "les", "de" keep their syllable);
//   - a final "ent" of a verb in the third person plural is silent
//     ("parlent", "disent"); nouns and adjectives in "-ment", "-ient" and a
//     short list of common "-ent" words keep it ("moment", "client",
//     "souvent", "présent");
//   - "ue"/"ui" after "g" or "q" is read with the u silent ("que", "guide"),
//     which vowel grouping already gives.
//
// Every word with letters has at least one syllable.
func SyllablesFR(word string) int {
	rs := letters(word)
	if len(rs) == 0 {
		return 0
	}
	n := 0
	in := false
	for i, r := range rs {
		v := isVowelFR(r)
		if v && (!in || startsHiatusFR(rs, i)) {
			n++
		}
		in = v
	}
	s := string(rs)
	l := len(rs)
	groups := n
	switch {
	case groups > 1 && l > 2 && strings.HasSuffix(s, "e") && !isVowelFR(rs[l-2]):
		n-- // "table", "livre"
	case groups > 1 && l > 3 && strings.HasSuffix(s, "es") && !isVowelFR(rs[l-3]):
		n-- // "tables", "livres"
	case groups > 1 && l > 4 && strings.HasSuffix(s, "ent") && silentEnt(s):
		n-- // "parlent", "disent"
	case groups > 1 && l > 2 && strings.HasSuffix(s, "ée"), groups > 1 && strings.HasSuffix(s, "ées"):
		n-- // "année", "idées": é and the mute e form one syllable
	case groups > 1 && (strings.HasSuffix(s, "ie") || strings.HasSuffix(s, "ue") || strings.HasSuffix(s, "ies") || strings.HasSuffix(s, "ues")):
		// "vie", "rue", "sorties": the mute e is already inside the vowel group.
	}
	if n < 1 {
		n = 1
	}
	return n
}

// startsHiatusFR reports whether the vowel at rs[i], which follows another
// vowel, starts a syllable of its own: any vowel after "é" ("cré-er"), and
// "é" after a vowel ("po-é-sie"), except after the silent u of "qu"/"gu"
// ("pi-qué").
func startsHiatusFR(rs []rune, i int) bool {
	if i == 0 {
		return false
	}
	if rs[i-1] == 'é' {
		return true
	}
	if rs[i] != 'é' {
		return false
	}
	silentU := rs[i-1] == 'u' && i >= 2 && (rs[i-2] == 'q' || rs[i-2] == 'g')
	return !silentU
}

// pronouncedEnt lists common French words whose final "ent" is pronounced
// although they do not end in "-ment" or "-ient".
var pronouncedEnt = map[string]bool{
	"souvent": true, "parent": true, "parents": true, "présent": true, "accent": true,
	"talent": true, "urgent": true, "argent": true, "agent": true, "absent": true,
	"content": true, "différent": true, "excellent": true, "intelligent": true,
	"évident": true, "récent": true, "fréquent": true, "prudent": true, "suffisent": false,
	"cent": true, "dent": true, "vent": true, "lent": true, "gent": true, "adolescent": true,
	"équivalent": true, "permanent": true, "précédent": true, "transparent": true,
	"événement": true, "comment": true, "serpent": true, "torrent": true, "innocent": true,
}

// silentEnt reports whether the final "ent" of s is the silent verb ending.
func silentEnt(s string) bool {
	if strings.HasSuffix(s, "ment") || strings.HasSuffix(s, "ient") {
		return false
	}
	return !pronouncedEnt[s]
}
