package tokenizer

import (
	"fmt"
	"strings"
)

// MaxInputBytes bounds the text one Encode call accepts. 4 MiB is about a
// million tokens, several times the longest context window of any supported
// model, while keeping the merge tables of a hostile input to a few hundred
// MB at worst.
const MaxInputBytes = 4 << 20

// Tokenizer converts between text and token ids for one vocabulary. It is
// immutable after construction and safe for concurrent use.
type Tokenizer struct {
	kind   Kind
	tokens []string
	scores []float32
	attrs  []attr
	toID   map[string]int32

	pre          *preTokenizer         // BPE only
	ranks        map[mergeKey]mergeVal // BPE only
	ignoreMerges bool                  // BPE: whole-word tokens skip merging
	byteTok      [256]int32            // SPM byte fallback: <0xNN> or the raw byte, else noToken
	bytes        [][]byte              // TokenBytes per id
	special      []int32               // st_partition candidates, longest first
	eog          map[int32]bool        // end-of-generation ids
	maxTokenLen  int                   // longest token text in bytes (WordPiece)

	bos, eos, unk, sep                     int32
	addBOS, addEOS, addSep, addSpacePrefix bool
}

// Kind reports the tokenizer algorithm.
func (t *Tokenizer) Kind() Kind { return t.kind }

// PreTokenizer reports the BPE pre-tokenizer name ("" for other kinds or the
// default one).
func (t *Tokenizer) PreTokenizer() string {
	if t.pre == nil {
		return ""
	}
	return t.pre.name
}

// VocabSize is the number of tokens.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// BOS is the beginning-of-sequence id, or -1.
func (t *Tokenizer) BOS() int32 { return t.bos }

// EOS is the end-of-sequence id, or -1.
func (t *Tokenizer) EOS() int32 { return t.eos }

// AddBOS reports whether Encode with addSpecial prepends BOS.
func (t *Tokenizer) AddBOS() bool { return t.addBOS }

// AddEOS reports whether Encode with addSpecial appends EOS.
func (t *Tokenizer) AddEOS() bool { return t.addEOS }

// IsEOG reports whether id ends generation: EOS, EOT, EOM and the well-known
// end tokens (<|im_end|>, <|eot_id|>, <end_of_turn>, <|endoftext|>, …)
// present in the vocabulary.
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }

// EOGs lists the end-of-generation ids in increasing order.
func (t *Tokenizer) EOGs() []int32 {
	out := make([]int32, 0, len(t.eog))
	for id := range int32(len(t.tokens)) {
		if t.eog[id] {
			out = append(out, id)
		}
	}
	return out
}

// IsControl reports whether id is a control token (BOS, EOS, chat markers…),
// which decodes to nothing.
func (t *Tokenizer) IsControl(id int32) bool {
	return t.valid(id) && t.attrs[id]&attrControl != 0
}

// TokenID returns the id of a token text, as stored in the vocabulary.
func (t *Tokenizer) TokenID(piece string) (int32, bool) {
	id, ok := t.toID[piece]
	return id, ok
}

// Piece returns the token text as stored (▁ and GPT-2 byte symbols
// included), or "" for an id outside the vocabulary.
func (t *Tokenizer) Piece(id int32) string {
	if !t.valid(id) {
		return ""
	}
	return t.tokens[id]
}

func (t *Tokenizer) valid(id int32) bool { return id >= 0 && int(id) < len(t.tokens) }

// Encode tokenizes text. addSpecial adds BOS/EOS (and BERT's SEP) as the
// vocabulary asks; parseSpecial lets control-token texts in the input (such
// as "<|im_start|>") become those tokens. User-defined tokens are always
// matched, as in llama.cpp.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) ([]int32, error) {
	if len(text) > MaxInputBytes {
		return nil, fmt.Errorf("tokenize: input of %d bytes %w of %d bytes", len(text), ErrInputTooLong, MaxInputBytes)
	}
	var frags []frag
	if text != "" {
		frags = t.partition(text, parseSpecial)
	}
	out := make([]int32, 0, len(text)/3+4)
	switch t.kind {
	case KindSPM:
		out = t.encodeSPM(out, frags, addSpecial)
	case KindBPE:
		if addSpecial && t.addBOS {
			out = append(out, t.bos)
		}
		for _, f := range frags {
			if f.id >= 0 {
				out = append(out, f.id)
			} else {
				out = t.encodeBPE(out, f.text)
			}
		}
		if addSpecial && t.addEOS {
			out = append(out, t.eos)
		}
	case KindWPM:
		out = t.encodeWPM(out, frags, addSpecial)
	}
	return out, nil
}

// frag is a piece of the input: either raw text (id < 0) or a special token.
type frag struct {
	id   int32
	text string
}

// partition splits text on special-token texts, longest token first over the
// whole text, like llama.cpp's tokenizer_st_partition. Without parseSpecial
// only user-defined tokens are split out.
func (t *Tokenizer) partition(text string, parseSpecial bool) []frag {
	frags := []frag{{id: -1, text: text}}
	var seen bytePairs
	seen.add(text)
	for _, id := range t.special {
		a := t.attrs[id]
		if !parseSpecial && a&(attrControl|attrUnknown) != 0 {
			continue
		}
		tok := t.tokens[id]
		if !seen.mayContain(tok) {
			continue
		}
		var next []frag
		changed := false
		for _, f := range frags {
			if f.id >= 0 || !strings.Contains(f.text, tok) {
				next = append(next, f)
				continue
			}
			changed = true
			next = splitOn(next, f.text, tok, id, a)
		}
		if changed {
			frags = next
		}
	}
	return frags
}

// splitOn appends the pieces of s around every occurrence of tok.
func splitOn(dst []frag, s, tok string, id int32, a attr) []frag {
	for {
		i := strings.Index(s, tok)
		if i < 0 {
			break
		}
		left := s[:i]
		if a&attrLStrip != 0 {
			for len(left) > 0 && isCSpace(left[len(left)-1]) {
				left = left[:len(left)-1]
			}
		}
		if left != "" {
			dst = append(dst, frag{id: -1, text: left})
		}
		dst = append(dst, frag{id: id})
		s = s[i+len(tok):]
		if a&attrRStrip != 0 {
			for len(s) > 0 && isCSpace(s[0]) {
				s = s[1:]
			}
		}
	}
	if s != "" {
		dst = append(dst, frag{id: -1, text: s})
	}
	return dst
}

// bytePairs is the set of adjacent byte pairs of a text: a quick filter that
// rules out most special tokens (Gemma has thousands) without a search.
type bytePairs [1 << 16 / 64]uint64

func (p *bytePairs) add(s string) {
	for i := 0; i+1 < len(s); i++ {
		k := uint16(s[i])<<8 | uint16(s[i+1])
		p[k>>6] |= 1 << (k & 63)
	}
}

func (p *bytePairs) has(a, b byte) bool {
	k := uint16(a)<<8 | uint16(b)
	return p[k>>6]&(1<<(k&63)) != 0
}

// mayContain is false only when s cannot occur in the text.
func (p *bytePairs) mayContain(s string) bool {
	n := len(s)
	if n < 2 {
		return true
	}
	return p.has(s[0], s[1]) && p.has(s[n-2], s[n-1]) && p.has(s[n/2-1], s[n/2])
}
