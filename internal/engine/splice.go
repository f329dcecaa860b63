package engine

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/plumewriter/plume/internal/chat"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// An assistant turn the engine generated is read back with the ids it
// generated (llm.Message.Tokens), so that the prompt cache matches through
// it: the text re-tokenized can give other ids than the model sampled (a
// word the model wrote in two tokens that the tokenizer would write in
// one), and the cached sequence would then end at the first of them
// (issue #19).
//
// The template is rendered once more with a placeholder in place of each
// such turn; the text between placeholders is tokenized piece by piece
// (BOS on the first piece only, special tokens parsed as in the whole
// prompt) and the generated ids are spliced in. The result is used only
// when it is the same prompt as the plain tokenization, segmented
// differently: the same bytes with the same special tokens at the same
// places (sameText). A template that trims, escapes or rewrites the content,
// ids that do not spell the content, a tokenizer that adds a space prefix to
// each piece, or a special token spanning a piece boundary all fail a check,
// and the prompt is then the plain tokenization, exactly as without hints.

// splicePrefix starts every placeholder; a salt is appended until the
// rendered prompt does not contain it, so no text can be taken for one.
// Letters only, so that no template escape or trim alters it.
const splicePrefix = "PLUMEGENERATEDTURN"

// maxSpliceSalts bounds the search for a placeholder absent from the
// prompt: a prompt containing the prefix with each of these salts is
// crafted, not written, and simply gets the plain tokenization.
const maxSpliceSalts = 8

// splice returns the prompt ids of msgs, rendered by tmpl as text, with the
// ids of the assistant turns that carry valid Tokens spliced in, and
// whether it did: false means use the plain tokenization plain (already
// computed by the caller, the reference of the final check).
func splice(tok *tokenizer.Tokenizer, tmpl *chat.Template, msgs []llm.Message, opts chat.Options,
	text string, addBOS bool, plain []int32) ([]int32, bool) {
	hinted := hintedTurns(tok, msgs)
	if len(hinted) == 0 {
		return nil, false
	}
	prefix, ok := placeholderPrefix(text)
	if !ok {
		return nil, false
	}
	marked := slices.Clone(msgs)
	for k, i := range hinted {
		marked[i] = llm.Message{Role: msgs[i].Role, Content: placeholder(prefix, k)}
	}
	withMarks, err := tmpl.Render(marked, opts)
	if err != nil {
		return nil, false
	}
	pieces, ok := splitPlaceholders(withMarks, prefix, len(hinted))
	if !ok {
		return nil, false
	}
	// Substituting the contents back must give the prompt exactly.
	var sb strings.Builder
	for k, p := range pieces {
		sb.WriteString(p)
		if k < len(hinted) {
			sb.WriteString(msgs[hinted[k]].Content)
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
		if k < len(hinted) {
			out = append(out, msgs[hinted[k]].Tokens...)
		}
	}
	if !sameText(tok, out, plain) {
		return nil, false
	}
	return out, true
}

// textTokens is Result.TextTokens: the generated ids when whole (no stop
// string cut them, no error) and spelling text exactly, else nil.
func textTokens(tok *tokenizer.Tokenizer, ids []int32, text string, whole bool) []int32 {
	if !whole || !spells(tok, ids, text) {
		return nil
	}
	return ids
}

// hintedTurns lists the assistant turns whose Tokens spell their Content
// exactly, each a real token with text; other hints are ignored.
func hintedTurns(tok *tokenizer.Tokenizer, msgs []llm.Message) []int {
	var out []int
	for i, m := range msgs {
		if m.Role != "assistant" || len(m.Tokens) == 0 || m.Content == "" {
			continue
		}
		if spells(tok, m.Tokens, m.Content) {
			out = append(out, i)
		}
	}
	return out
}

// spells reports whether ids decode exactly to text, every id being a token
// that contributes bytes (no control, unknown or out-of-range id).
func spells(tok *tokenizer.Tokenizer, ids []int32, text string) bool {
	rest := text
	for _, id := range ids {
		if id < 0 || int(id) >= tok.VocabSize() {
			return false
		}
		b := tok.TokenBytes(id)
		if len(b) == 0 || !strings.HasPrefix(rest, string(b)) {
			return false
		}
		rest = rest[len(b):]
	}
	return rest == ""
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
