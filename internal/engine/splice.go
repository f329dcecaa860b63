package engine

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plumewriter/plume/internal/chat"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// An assistant turn the engine generated is read back with the ids it
// generated (llm.Message.Tokens, as far as they spell its content), so that
// the prompt cache matches through it: the text re-tokenized can give other
// ids than the model sampled (a word the model wrote in two tokens that the
// tokenizer would write in one), and the cached sequence would then end at
// the first of them (issue #19).
//
// The template is rendered once more with a placeholder in place of the
// part of each such turn that its ids spell; the text between placeholders
// is tokenized piece by piece (BOS on the first piece only, special tokens
// parsed as in the whole prompt) and the generated ids are spliced in. The
// result is used only when it is the same prompt as the plain
// tokenization, segmented differently: the same bytes with the same special
// tokens at the same places (sameText). A template that trims, escapes or
// rewrites the content, ids that do not spell the start of the content, a
// tokenizer that adds a space prefix to each piece, or a special token
// spanning a piece boundary all fail a check, and the prompt is then the
// plain tokenization, exactly as without hints.

// splicePrefix starts every placeholder; a salt is appended until the
// rendered prompt does not contain it, so no text can be taken for one.
// Letters only, so that no template escape or trim alters it.
const splicePrefix = "PLUMEGENERATEDTURN"

// maxSpliceSalts bounds the search for a placeholder absent from the
// prompt: a prompt containing the prefix with each of these salts is
// crafted, not written, and simply gets the plain tokenization.
const maxSpliceSalts = 8

// splice returns the prompt ids of msgs, rendered by tmpl as text, with the
// ids of the assistant turns that carry Tokens spliced in, and whether it
// did: false means use the plain tokenization plain (already computed by
// the caller, the reference of the final check).
func splice(tok *tokenizer.Tokenizer, tmpl *chat.Template, msgs []llm.Message, opts chat.Options,
	text string, addBOS bool, plain []int32) ([]int32, bool) {
	hints := hintedTurns(tok, msgs)
	if len(hints) == 0 {
		return nil, false
	}
	prefix, ok := placeholderPrefix(text)
	if !ok {
		return nil, false
	}
	// Each placeholder stands for the part of the content its ids spell;
	// the rest of the content stays text.
	marked := slices.Clone(msgs)
	for k, h := range hints {
		m := msgs[h.msg]
		marked[h.msg] = llm.Message{Role: m.Role, Content: placeholder(prefix, k) + m.Content[h.bytes:]}
	}
	withMarks, err := tmpl.Render(marked, opts)
	if err != nil {
		return nil, false
	}
	pieces, ok := splitPlaceholders(withMarks, prefix, len(hints))
	if !ok {
		return nil, false
	}
	// Substituting the contents back must give the prompt exactly.
	var sb strings.Builder
	for k, p := range pieces {
		sb.WriteString(p)
		if k < len(hints) {
			sb.WriteString(msgs[hints[k].msg].Content[:hints[k].bytes])
		}
	}
	if sb.String() != text {
		return nil, false
	}
	out := make([]int32, 0, len(plain)+8)
	for k, p := range pieces {
		ids, err := tok.Encode(p, addBOS && k == 0, true)
		if err != nil {
			return nil, false
		}
		out = append(out, ids...)
		if k < len(hints) {
			out = append(out, hints[k].ids...)
		}
	}
	if !sameText(tok, out, plain) {
		return nil, false
	}
	return out, true
}

// textTokens is Result.TextTokens: the leading generated ids that spell
// the start of text, nil for none. All of them unless the text was cut by a
// stop string or holds bytes that are no character (which the stream
// decoder replaces by U+FFFD): the ids then stop before that point.
func textTokens(tok *tokenizer.Tokenizer, ids []int32, text string) []int32 {
	n, _ := spelledPrefix(tok, ids, text)
	if n == 0 {
		return nil
	}
	return ids[:n:n]
}

// hint is the part of an assistant turn read back as generated ids: ids,
// which spell the first bytes of msgs[msg].Content.
type hint struct {
	msg, bytes int
	ids        []int32
}

// hintedTurns lists the assistant turns with Tokens that spell the start of
// their Content, each with the longest such run of its ids (a turn the
// caller edited after generation, such as an answer cut back to its last
// sentence, keeps the ids of what is left of it; the rest is text).
func hintedTurns(tok *tokenizer.Tokenizer, msgs []llm.Message) []hint {
	var out []hint
	for i, m := range msgs {
		if m.Role != "assistant" {
			continue
		}
		if n, at := spelledPrefix(tok, m.Tokens, m.Content); n > 0 {
			out = append(out, hint{msg: i, bytes: at, ids: m.Tokens[:n]})
		}
	}
	return out
}

// spelledPrefix returns the longest run of leading ids that decode exactly
// to a prefix of text ending on a character boundary, every id a token
// that contributes bytes (no control, unknown or out-of-range id): its
// length, and the prefix's in bytes.
func spelledPrefix(tok *tokenizer.Tokenizer, ids []int32, text string) (n, at int) {
	pos := 0
	for i, id := range ids {
		if id < 0 || int(id) >= tok.VocabSize() {
			break
		}
		b := tok.TokenBytes(id)
		if len(b) == 0 || !strings.HasPrefix(text[pos:], string(b)) {
			break
		}
		pos += len(b)
		if pos == len(text) || utf8.RuneStart(text[pos]) {
			n, at = i+1, pos
		}
	}
	return n, at
}

// placeholderPrefix picks a placeholder prefix that text does not contain.
func placeholderPrefix(text string) (string, bool) {
	for salt := range maxSpliceSalts {
		p := splicePrefix + strconv.Itoa(salt) + "T"
		if !strings.Contains(text, p) {
			return p, true
		}
	}
	return "", false
}

// placeholder is the k-th placeholder: terminated, so that none is a prefix
// of another.
func placeholder(prefix string, k int) string { return prefix + strconv.Itoa(k) + "E" }

// splitPlaceholders cuts s at placeholders 0..n-1, which must each occur
// once and in order (a template that drops, repeats or reorders a turn
// fails), and returns the n+1 pieces around them.
func splitPlaceholders(s, prefix string, n int) ([]string, bool) {
	if strings.Count(s, prefix) != n {
		return nil, false
	}
	pieces := make([]string, 0, n+1)
	for k := range n {
		before, after, ok := strings.Cut(s, placeholder(prefix, k))
		if !ok {
			return nil, false
		}
		pieces = append(pieces, before)
		s = after
	}
	return append(pieces, s), true
}

// sameText reports whether a and b are the same prompt: the same bytes, and
// the same tokens without text (control, unknown) at the same byte offsets.
func sameText(tok *tokenizer.Tokenizer, a, b []int32) bool {
	ta, ma := flatten(tok, a)
	tb, mb := flatten(tok, b)
	return bytes.Equal(ta, tb) && slices.Equal(ma, mb)
}

// textless is a token without text at a byte offset of a flattened prompt.
type textless struct {
	at int
	id int32
}

// flatten concatenates the bytes of ids and lists the textless ones.
func flatten(tok *tokenizer.Tokenizer, ids []int32) ([]byte, []textless) {
	var text []byte
	var marks []textless
	for _, id := range ids {
		b := tok.TokenBytes(id)
		if len(b) == 0 {
			marks = append(marks, textless{at: len(text), id: id})
		}
		text = append(text, b...)
	}
	return text, marks
}
