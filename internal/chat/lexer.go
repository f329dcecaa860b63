package chat

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tText      tokKind = iota // raw template text
	tOpenStmt                 // {%
	tCloseStmt                // %}
	tOpenExpr                 // {{
	tCloseExpr                // }}
	tName                     // identifier or keyword
	tString                   // string literal (already unescaped)
	tInt                      // integer literal
	tFloat                    // float literal
	tOp                       // operator or punctuation
	tEOF
)

type token struct {
	kind tokKind
	val  string
	pos  int // byte offset in the preprocessed source, for error messages
}

// The preprocessing below mirrors what transformers' reference renderers do:
// a single trailing newline is dropped (keep_trailing_newline=False), blocks
// are lstripped and trimmed (lstrip_blocks=True, trim_blocks=True), and the
// {% generation %} markers used by training code are removed.
var (
	reLstripBlocks = regexp.MustCompile(`(?m)^[ \t]*(\{[#%-])`)
	reTrimBlocks   = regexp.MustCompile(`([#%-]\})\n`)
	reGeneration   = regexp.MustCompile(`(?s)(\s*)\{%(-?)\s*(?:end)?generation\s*(-?)%\}(\s*)`)
)

func preprocess(src string) string {
	src = strings.TrimSuffix(src, "\n")
	src = reLstripBlocks.ReplaceAllString(src, "$1")
	src = reTrimBlocks.ReplaceAllString(src, "$1")
	return reGeneration.ReplaceAllStringFunc(src, func(m string) string {
		sub := reGeneration.FindStringSubmatch(m)
		out := ""
		if sub[2] == "" {
			out += sub[1]
		}
		if sub[3] == "" {
			out += sub[4]
		}
		return out
	})
}

// operators, longest first so that "**" wins over "*".
var operators = []string{
	"**", "//", "==", "!=", "<=", ">=",
	"+", "-", "*", "/", "%", "<", ">", "=", "~", "|", ".", ",", ":",
	"(", ")", "[", "]", "{", "}",
}

type lexer struct {
	src    string
	pos    int
	toks   []token
	inTag  tokKind // tOpenStmt or tOpenExpr while inside a tag, else tText
	braces int     // depth of { } inside an expression tag, so "}}" of a dict is not a tag end
}

func lex(src string) ([]token, error) {
	if len(src) > MaxTemplateBytes {
		return nil, fmt.Errorf("template is %d bytes, over the %d-byte cap", len(src), MaxTemplateBytes)
	}
	if !utf8.ValidString(src) {
		return nil, fmt.Errorf("template is not valid UTF-8")
	}
	lx := &lexer{src: preprocess(src), inTag: tText}
	for lx.pos < len(lx.src) {
		if len(lx.toks) > MaxTokens {
			return nil, fmt.Errorf("template has over %d tokens", MaxTokens)
		}
		var err error
		if lx.inTag == tText {
			err = lx.lexText()
		} else {
			err = lx.lexTag()
		}
		if err != nil {
			return nil, err
		}
	}
	if lx.inTag != tText {
		return nil, fmt.Errorf("unclosed tag at end of template")
	}
	lx.toks = append(lx.toks, token{kind: tEOF, pos: lx.pos})
	return lx.toks, nil
}

func (lx *lexer) emit(k tokKind, v string, pos int) { lx.toks = append(lx.toks, token{k, v, pos}) }

// stripTrailing implements "{%-": whitespace before the tag is removed.
func (lx *lexer) stripTrailing() {
	n := len(lx.toks)
	if n > 0 && lx.toks[n-1].kind == tText {
		lx.toks[n-1].val = strings.TrimRightFunc(lx.toks[n-1].val, unicode.IsSpace)
		if lx.toks[n-1].val == "" {
			lx.toks = lx.toks[:n-1]
		}
	}
}

// skipLeading implements "-%}": whitespace after the tag is skipped.
func (lx *lexer) skipLeading() {
	for lx.pos < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		lx.pos += size
	}
}

func (lx *lexer) lexText() error {
	start := lx.pos
	for lx.pos < len(lx.src) {
		if lx.src[lx.pos] == '{' && lx.pos+1 < len(lx.src) {
			switch lx.src[lx.pos+1] {
			case '{', '%', '#':
				goto tag
			}
		}
		lx.pos++
	}
tag:
	if lx.pos > start {
		lx.emit(tText, lx.src[start:lx.pos], start)
	}
	if lx.pos >= len(lx.src) {
		return nil
	}
	open := lx.src[lx.pos : lx.pos+2]
	strip := lx.pos+2 < len(lx.src) && lx.src[lx.pos+2] == '-'
	if strip {
		lx.stripTrailing()
	}
	tagPos := lx.pos
	lx.pos += 2
	if strip {
		lx.pos++
	}
	switch open {
	case "{#":
		end := strings.Index(lx.src[lx.pos:], "#}")
		if end < 0 {
			return fmt.Errorf("unclosed comment at offset %d", tagPos)
		}
		body := lx.src[lx.pos : lx.pos+end]
		lx.pos += end + 2
		if strings.HasSuffix(body, "-") {
			lx.skipLeading()
		}
	case "{%":
		lx.emit(tOpenStmt, "{%", tagPos)
		lx.inTag = tOpenStmt
	default:
		lx.emit(tOpenExpr, "{{", tagPos)
		lx.inTag = tOpenExpr
		lx.braces = 0
	}
	return nil
}

func (lx *lexer) lexTag() error {
	// skip whitespace inside the tag
	for lx.pos < len(lx.src) && isSpaceByte(lx.src[lx.pos]) {
		lx.pos++
	}
	if lx.pos >= len(lx.src) {
		return nil
	}
	rest := lx.src[lx.pos:]
	closer, closeKind := "%}", tCloseStmt
	if lx.inTag == tOpenExpr {
		closer, closeKind = "}}", tCloseExpr
	}
	if lx.inTag == tOpenStmt || lx.braces == 0 {
		if strings.HasPrefix(rest, "-"+closer) {
			lx.emit(closeKind, closer, lx.pos)
			lx.pos += 3
			lx.inTag = tText
			lx.skipLeading()
			return nil
		}
		if strings.HasPrefix(rest, closer) {
			lx.emit(closeKind, closer, lx.pos)
			lx.pos += 2
			lx.inTag = tText
			return nil
		}
	}
	c := rest[0]
	switch {
	case c == '\'' || c == '"':
		return lx.lexString(c)
	case c >= '0' && c <= '9':
		return lx.lexNumber()
	case c == '_' || isLetter(c):
		start := lx.pos
		for lx.pos < len(lx.src) && (isLetter(lx.src[lx.pos]) || isDigit(lx.src[lx.pos]) || lx.src[lx.pos] == '_') {
			lx.pos++
		}
		lx.emit(tName, lx.src[start:lx.pos], start)
		return nil
	}
	for _, op := range operators {
		if strings.HasPrefix(rest, op) {
			switch op {
			case "{":
				lx.braces++
			case "}":
				lx.braces--
			}
			lx.emit(tOp, op, lx.pos)
			lx.pos += len(op)
			return nil
		}
	}
	return fmt.Errorf("unexpected character %q at offset %d", c, lx.pos)
}

var escapes = map[byte]string{
	'n': "\n", 't': "\t", 'r': "\r", 'b': "\b", 'f': "\f", 'v': "\v",
	'\'': "'", '"': "\"", '\\': "\\",
}

func (lx *lexer) lexString(quote byte) error {
	start := lx.pos
	lx.pos++
	var sb strings.Builder
	for {
		if lx.pos >= len(lx.src) {
			return fmt.Errorf("unterminated string at offset %d", start)
		}
		c := lx.src[lx.pos]
		if c == quote {
			lx.pos++
			lx.emit(tString, sb.String(), start)
			return nil
		}
		if c != '\\' {
			sb.WriteByte(c)
			lx.pos++
			continue
		}
		lx.pos++
		if lx.pos >= len(lx.src) {
			return fmt.Errorf("unterminated escape at offset %d", lx.pos)
		}
		e := lx.src[lx.pos]
		lx.pos++
		if e == 'x' || e == 'u' {
			n := 2
			if e == 'u' {
				n = 4
			}
			if lx.pos+n > len(lx.src) {
				return fmt.Errorf("short \\%c escape at offset %d", e, lx.pos)
			}
			v, err := strconv.ParseUint(lx.src[lx.pos:lx.pos+n], 16, 32)
			if err != nil {
				return fmt.Errorf("bad \\%c escape at offset %d: %w", e, lx.pos, err)
			}
			sb.WriteRune(rune(v))
			lx.pos += n
			continue
		}
		s, ok := escapes[e]
		if !ok {
			return fmt.Errorf("unknown escape \\%c at offset %d", e, lx.pos-1)
		}
		sb.WriteString(s)
	}
}

func (lx *lexer) lexNumber() error {
	start := lx.pos
	for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
		lx.pos++
	}
	prevDot := len(lx.toks) > 0 && lx.toks[len(lx.toks)-1].kind == tOp && lx.toks[len(lx.toks)-1].val == "."
	if !prevDot && lx.pos+1 < len(lx.src) && lx.src[lx.pos] == '.' && isDigit(lx.src[lx.pos+1]) {
		lx.pos++
		for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
			lx.pos++
		}
		lx.emit(tFloat, lx.src[start:lx.pos], start)
		return nil
	}
	lx.emit(tInt, lx.src[start:lx.pos], start)
	return nil
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isLetter(c byte) bool    { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
