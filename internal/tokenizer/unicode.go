package tokenizer

import "unicode"

// cptFlags mirrors llama.cpp's unicode_cpt_flags: one general category bit
// plus the whitespace helper bit. The zero value means "outside the current
// fragment" and is what the pre-tokenizers test against to stop a run.
type cptFlags uint16

const (
	flagUndefined cptFlags = 1 << iota
	flagNumber
	flagLetter
	flagSeparator
	flagMark
	flagPunct
	flagSymbol
	flagControl
	flagWhitespace
)

// maxCodepoint is one past the last Unicode code point; llama.cpp's flag table
// has this many entries and treats anything above as undefined.
const maxCodepoint = 0x110000

// replacementChar is what undecodable input becomes (llama.cpp does the same).
const replacementChar = 0xFFFD

var asciiFlags = func() (t [128]cptFlags) {
	for c := 0; c < 128; c++ {
		t[c] = computeFlags(rune(c))
	}
	return t
}()

func computeFlags(r rune) cptFlags {
	var f cptFlags
	switch {
	case r < 0 || r >= maxCodepoint:
		return flagUndefined
	case unicode.IsLetter(r):
		f = flagLetter
	case unicode.Is(unicode.N, r):
		f = flagNumber
	case unicode.IsMark(r):
		f = flagMark
	case unicode.IsPunct(r):
		f = flagPunct
	case unicode.IsSymbol(r):
		f = flagSymbol
	case unicode.Is(unicode.Z, r):
		f = flagSeparator
	case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Cs, r), unicode.Is(unicode.Co, r):
		f = flagControl
	default:
		f = flagUndefined
	}
	if unicode.Is(unicode.White_Space, r) {
		f |= flagWhitespace
	}
	return f
}

// flagsOf returns the llama.cpp flags of code point r.
func flagsOf(r rune) cptFlags {
	if r >= 0 && r < 128 {
		return asciiFlags[r]
	}
	return computeFlags(r)
}

func (f cptFlags) isLetter() bool     { return f&flagLetter != 0 }
func (f cptFlags) isNumber() bool     { return f&flagNumber != 0 }
func (f cptFlags) isWhitespace() bool { return f&flagWhitespace != 0 }
func (f cptFlags) isPunct() bool      { return f&flagPunct != 0 }

// utf8Len is llama.cpp's unicode_len_utf8: the sequence length announced by a
// lead byte, looked up on its high nibble (continuation bytes count as 1).
func utf8Len(b byte) int {
	return [16]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4}[b>>4]
}

// decodeCpt decodes one code point at s[off:] the way llama.cpp's
// unicode_cpt_from_utf8 does: the lead byte decides the length, continuation
// bytes must be 10xxxxxx, and nothing else is checked (overlong forms and
// surrogates pass). ok is false for an undecodable byte.
func decodeCpt(s string, off int) (r rune, n int, ok bool) {
	b0 := s[off]
	cont := func(i int) bool { return off+i < len(s) && s[off+i]&0xC0 == 0x80 }
	switch {
	case b0&0x80 == 0:
		return rune(b0), 1, true
	case b0&0x40 == 0:
		return 0, 1, false
	case b0&0x20 == 0:
		if !cont(1) {
			return 0, 1, false
		}
		return rune(b0&0x1F)<<6 | rune(s[off+1]&0x3F), 2, true
	case b0&0x10 == 0:
		if !cont(1) || !cont(2) {
			return 0, 1, false
		}
		return rune(b0&0x0F)<<12 | rune(s[off+1]&0x3F)<<6 | rune(s[off+2]&0x3F), 3, true
	case b0&0x08 == 0:
		if !cont(1) || !cont(2) || !cont(3) {
			return 0, 1, false
		}
		return rune(b0&0x07)<<18 | rune(s[off+1]&0x3F)<<12 | rune(s[off+2]&0x3F)<<6 | rune(s[off+3]&0x3F), 4, true
	}
	return 0, 1, false
}

// codepoints is llama.cpp's unicode_cpts_from_utf8: undecodable bytes become
// U+FFFD, one per byte.
func codepoints(s string) []rune {
	out := make([]rune, 0, len(s))
	for off := 0; off < len(s); {
		r, n, ok := decodeCpt(s, off)
		if !ok {
			r = replacementChar
		}
		out = append(out, r)
		off += n
	}
	return out
}

// appendCpt appends the UTF-8 form of r the way llama.cpp's
// unicode_cpt_to_utf8 does (surrogates are encoded as-is); values beyond
// U+10FFFF, which llama.cpp rejects, become U+FFFD.
func appendCpt(dst []byte, r rune) []byte {
	switch {
	case r >= 0 && r <= 0x7F:
		return append(dst, byte(r))
	case r >= 0x80 && r <= 0x7FF:
		return append(dst, 0xC0|byte(r>>6), 0x80|byte(r&0x3F))
	case r >= 0x800 && r <= 0xFFFF:
		return append(dst, 0xE0|byte(r>>12), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
	case r >= 0x10000 && r <= 0x10FFFF:
		return append(dst, 0xF0|byte(r>>18), 0x80|byte(r>>12&0x3F), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
	}
	return appendCpt(dst, replacementChar)
}

// toLower is unicode_tolower for the contraction checks of the llama3
// pre-tokenizer (only ASCII results matter there).
func toLower(r rune) rune { return unicode.ToLower(r) }

// isCSpace is C's isspace in the "C" locale, used by llama.cpp to strip
// whitespace around special tokens with the lstrip/rstrip attributes.
func isCSpace(b byte) bool {
	return b == ' ' || (b >= '\t' && b <= '\r')
}
