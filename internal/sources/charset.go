package sources

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// sniffBytes is how much of the start of a file the binary check reads:
// 8 KiB is what file(1) and Git look at to tell binary from text.
const sniffBytes = 8 << 10

// maxControlShare is the share of C0 control bytes (other than tab, line
// breaks and form feed) above which content is called binary: real text
// has next to none, while even compressed data has about one byte in eight.
const maxControlShare = 0.01

// minLetterShare is the share of letters among the non-ASCII characters a
// Windows-1252 decoding must reach to be accepted as Latin-1 text: French in
// Latin-1 is mostly accented letters (é, è, à, ç) with a few « » and ’, while
// another encoding read as Windows-1252 gives mostly symbols.
const minLetterShare = 0.5

// decodeText turns raw bytes into UTF-8. A byte-order mark or a declared
// charset (Content-Type parameter, or for HTML a <meta> tag) wins; else
// valid UTF-8 is taken as is, and else Latin-1 (read as its superset
// Windows-1252) is tried. It returns the charset's name.
func decodeText(raw []byte, contentType string, isHTML bool) (string, string, error) {
	if len(raw) >= 2 && (bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) || bytes.HasPrefix(raw, []byte{0xFE, 0xFF})) {
		enc, name, _ := charset.DetermineEncoding(raw, contentType)
		out, err := enc.NewDecoder().Bytes(raw)
		if err != nil {
			return "", "", fmt.Errorf("%w: %v", ErrNotText, err)
		}
		return checkDecoded(string(out), name)
	}
	if isBinary(raw) {
		return "", "", ErrBinary
	}
	if declared(contentType, raw, isHTML) {
		enc, name, _ := charset.DetermineEncoding(raw, contentType)
		out, err := enc.NewDecoder().Bytes(raw)
		if err != nil {
			return "", "", fmt.Errorf("%w: %s: %v", ErrNotText, name, err)
		}
		return checkDecoded(string(out), name)
	}
	if utf8.Valid(raw) {
		return strings.TrimPrefix(string(raw), "\ufeff"), "utf-8", nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrNotText, err)
	}
	if !latinText(string(out)) {
		return "", "", ErrNotText
	}
	return string(out), "windows-1252", nil
}

// declared reports whether a charset is named by the Content-Type or, for
// HTML, by a byte-order mark or <meta> within the first 1024 bytes.
func declared(contentType string, raw []byte, isHTML bool) bool {
	if strings.Contains(strings.ToLower(contentType), "charset=") {
		return true
	}
	if !isHTML {
		return false
	}
	_, _, certain := charset.DetermineEncoding(raw, "text/html")
	return certain
}

// checkDecoded rejects a declared decoding that still holds control
// characters or replacement characters.
func checkDecoded(text, name string) (string, string, error) {
	bad := 0
	for _, r := range text {
		if r == utf8.RuneError || (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') {
			bad++
		}
	}
	if float64(bad) > maxControlShare*float64(utf8.RuneCountInString(text)) {
		return "", "", fmt.Errorf("%w: bad characters when read as %s", ErrNotText, name)
	}
	return strings.TrimPrefix(text, "\ufeff"), name, nil
}

// isBinary reports NUL bytes or too many control bytes in the first
// sniffBytes.
func isBinary(raw []byte) bool {
	head := raw[:min(len(raw), sniffBytes)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctl++
		}
	}
	return float64(ctl) > maxControlShare*float64(len(head))
}

// latinText reports whether a Windows-1252 decoding looks like text: no C1
// controls (bytes Windows-1252 leaves undefined) and mostly letters among
// the non-ASCII characters.
func latinText(text string) bool {
	high, letters := 0, 0
	for _, r := range text {
		if r < 0x80 {
			continue
		}
		if r <= 0x9F {
			return false
		}
		high++
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return high == 0 || float64(letters) >= minLetterShare*float64(high)
}
