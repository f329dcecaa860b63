package tokenizer

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// encodeWPM is llama.cpp's WPM branch: [CLS], WordPiece on each raw
// fragment, [SEP].
func (t *Tokenizer) encodeWPM(out []int32, frags []frag, addSpecial bool) []int32 {
	if addSpecial && t.addBOS {
		out = append(out, t.bos)
	}
	for _, f := range frags {
		if f.id >= 0 {
			out = append(out, f.id)
			continue
		}
		for _, w := range wpmWords(f.text) {
			out = t.wpmWord(out, w)
		}
	}
	if addSpecial && t.addSep && t.sep != noToken {
		out = append(out, t.sep)
	}
	return out
}

// wpmWord greedily matches the longest tokens of "▁"+word; a word with an
// unmatchable position becomes the unknown token.
func (t *Tokenizer) wpmWord(out []int32, word string) []int32 {
	w := spaceMarker + word
	start := len(out)
	for i := 0; i < len(w); {
		matched := false
		for j := min(len(w), i+t.maxTokenLen+1); j > i; j-- {
			if id, ok := t.toID[w[i:j]]; ok {
				out = append(out, id)
				i, matched = j, true
				break
			}
		}
		if !matched {
			out = out[:start]
			break
		}
	}
	if len(out) == start && t.unk != noToken {
		out = append(out, t.unk)
	}
	return out
}

// wpmWords is llm_tokenizer_wpm_session::preprocess: strip accents (first
// code point of the NFD form), lowercase, split on whitespace, drop control
// characters, and make punctuation, ASCII symbols and CJK ideographs words of
// their own.
func wpmWords(text string) []string {
	var words []string
	var cur []byte
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range codepoints(text) {
		r = nfdFirst(r)
		fl := flagsOf(r)
		if fl.isWhitespace() {
			flush()
			continue
		}
		if r == 0 || r == replacementChar || fl&flagControl != 0 {
			continue
		}
		low := unicode.ToLower(r)
		if fl.isPunct() || (r < 0x7F && fl&flagSymbol != 0) || isChineseChar(r) {
			flush()
			cur = appendCpt(cur, low)
			flush()
			continue
		}
		cur = appendCpt(cur, low)
	}
	flush()
	return words
}

// nfdFirst is llama.cpp's unicode_cpts_normalize_nfd: a code point is
// replaced by the first code point of its canonical decomposition.
func nfdFirst(r rune) rune {
	if r < 0xC0 || r >= maxCodepoint || (r >= 0xD800 && r <= 0xDFFF) {
		return r
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if norm.NFD.IsNormal(buf[:n]) {
		return r
	}
	d := norm.NFD.Bytes(buf[:n])
	first, _ := utf8.DecodeRune(d)
	return first
}

// isChineseChar is BERT's CJK ideograph test (with the 0x2B920 start that
// Hugging Face's tokenizers use).
func isChineseChar(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x20000 && r <= 0x2A6DF || r >= 0x2A700 && r <= 0x2B73F ||
		r >= 0x2B740 && r <= 0x2B81F || r >= 0x2B920 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F
}
