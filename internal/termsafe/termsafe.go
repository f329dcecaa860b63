package termsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// isControl reports whether r is a C0 control (U+0000–U+001F), DEL
// (U+007F) or a C1 control (U+0080–U+009F; U+009B is a one-byte CSI on
// terminals that honour 8-bit controls).
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// needsEscape reports whether r must be escaped when printed, given which
// of tab and newline are allowed through.
func needsEscape(r rune, keepNewline bool) bool {
	switch r {
	case '\t':
		return false
	case '\n':
		return !keepNewline
	case utf8.RuneError:
		return true // an invalid byte: shown as \xNN rather than passed raw
	}
	return isControl(r) || r == '\u2028' || r == '\u2029'
}

// String returns s with every control character escaped, including
// newline, for one-line fields (a model name, a licence, a table cell).
// Tab is kept. Invalid UTF-8 bytes are escaped as \xNN.
func String(s string) string { return escape(s, false) }

// Text returns s with every control character escaped except newline and
// tab, for multi-line text (a chat template, an article, model output).
// A carriage return is escaped too: it would let text overwrite the line
// before it.
func Text(s string) string { return escape(s, true) }

func escape(s string, keepNewline bool) string {
	if clean(s, keepNewline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r, keepNewline) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r, keepNewline):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports whether s needs no escaping (the common case, no copy).
func clean(s string, keepNewline bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || needsEscape(r, keepNewline) {
			return false
		}
		i += size
	}
	return true
}

// Article returns s with NUL and the C0 controls other than tab and newline
// (and DEL) removed, for text written into an article file. A carriage
// return is removed too (CRLF becomes LF). Unicode text, C1 included, is
// left as it is: a file is not a terminal, and escaping would change the
// author's words.
func Article(s string) string {
	drop := func(r rune) bool { return (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f }
	if strings.IndexFunc(s, drop) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if drop(r) {
			return -1
		}
		return r
	}, s)
}

// Writer escapes everything written through it with Text, for streams of
// untrusted text (model output) going to a terminal. A UTF-8 sequence split
// across writes is held back until it is complete, so a multi-byte
// character is never escaped as invalid.
type Writer struct {
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer over w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it; it reports len(p) on success.
func (t *Writer) Write(p []byte) (int, error) {
	buf := append(t.pending, p...)
	cut := len(buf)
	// Hold back an incomplete trailing UTF-8 sequence (at most 3 bytes).
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-3; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	t.pending = append(t.pending[:0:0], buf[cut:]...)
	if _, err := io.WriteString(t.w, Text(string(buf[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes any held-back bytes (escaped: they were not valid UTF-8).
func (t *Writer) Flush() error {
	if len(t.pending) == 0 {
		return nil
	}
	s := Text(string(t.pending))
	t.pending = nil
	_, err := io.WriteString(t.w, s)
	return err
}
