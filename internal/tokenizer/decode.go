package tokenizer

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// buildBytes precomputes what each token contributes to decoded text, as
// llama.cpp's token_to_piece with special=false: nothing for control,
// unknown and unused tokens, the raw text of user-defined tokens, and for
// normal tokens ▁→space (SPM, WPM), the byte of <0xNN> tokens, or the GPT-2
// byte map (BPE).
func (t *Tokenizer) buildBytes() {
	t.bytes = make([][]byte, len(t.tokens))
	for i := range t.byteTok {
		t.byteTok[i] = noToken
	}
	for id, s := range t.tokens {
		a := t.attrs[id]
		switch {
		case a&(attrControl|attrUnknown) != 0:
		case a&attrUserDefined != 0:
			t.bytes[id] = []byte(s)
		case a&attrNormal != 0 && t.kind == KindBPE:
			t.bytes[id] = byteDecode(s)
		case a&attrNormal != 0:
			t.bytes[id] = []byte(strings.ReplaceAll(s, spaceMarker, " "))
		case a&attrByte != 0 && t.kind == KindSPM:
			if b, ok := parseByteToken(s); ok {
				t.bytes[id] = []byte{b}
			}
		}
	}
	if t.kind != KindSPM {
		return
	}
	for b := 0; b < 256; b++ {
		if id, ok := t.toID["<0x"+strings.ToUpper(strconv.FormatInt(int64(b)|0x100, 16)[1:])+">"]; ok {
			t.byteTok[b] = id
		} else if id, ok := t.toID[string([]byte{byte(b)})]; ok {
			t.byteTok[b] = id
		}
	}
}

// parseByteToken reads "<0xNN>".
func parseByteToken(s string) (byte, bool) {
	if len(s) != 6 || !strings.HasPrefix(s, "<0x") || s[5] != '>' {
		return 0, false
	}
	v, err := strconv.ParseUint(s[3:5], 16, 8)
	return byte(v), err == nil
}

// byteDecode reverses the GPT-2 byte map; code points outside it are kept
// as UTF-8.
func byteDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if b, ok := unicodeToByte[r]; ok {
			out = append(out, b)
		} else {
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

// TokenBytes returns the bytes id contributes when decoded (▁→space, <0xNN>
// → that byte, GPT-2 symbols → bytes); nil for control, unknown and unused
// tokens and for ids outside the vocabulary. The slice must not be modified.
func (t *Tokenizer) TokenBytes(id int32) []byte {
	if !t.valid(id) {
		return nil
	}
	return t.bytes[id]
}

// Decode turns ids into text like llama.cpp's llama_detokenize with
// remove_special=true and unparse_special=false: control tokens produce
// nothing, a leading BOS (and trailing EOS) added by the vocabulary is
// dropped, and with SentencePiece's space prefix the first token's leading
// space is removed. Ids outside the vocabulary are skipped. The result holds
// the exact bytes of the tokens, so it may be invalid UTF-8 when ids end
// inside a character; use a StreamDecoder for incremental output.
func (t *Tokenizer) Decode(ids []int32) string {
	if t.addBOS && len(ids) > 0 && ids[0] == t.bos {
		ids = ids[1:]
	}
	if t.addEOS && len(ids) > 0 && ids[len(ids)-1] == t.eos {
		ids = ids[:len(ids)-1]
	}
	var sb strings.Builder
	stripSpace := t.addSpacePrefix
	for _, id := range ids {
		if !t.valid(id) {
			continue
		}
		b := t.bytes[id]
		if stripSpace && len(b) > 0 && b[0] == ' ' {
			b = b[1:]
		}
		stripSpace = false
		sb.Write(b)
	}
	return sb.String()
}

// StreamDecoder turns a stream of generated ids into text, emitting only
// complete UTF-8: a character split across tokens is held back until its
// last byte arrives, and bytes that cannot start or continue a character are
// emitted as U+FFFD. It does not strip the SentencePiece leading space.
type StreamDecoder struct {
	t       *Tokenizer
	pending []byte
}

// NewStreamDecoder returns a decoder for t.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder { return &StreamDecoder{t: t} }

// Add appends one token and returns the text that became complete.
func (d *StreamDecoder) Add(id int32) string {
	d.pending = append(d.pending, d.t.TokenBytes(id)...)
	return d.drain(false)
}

// Flush returns whatever is held back, with incomplete characters as U+FFFD,
// and resets the decoder.
func (d *StreamDecoder) Flush() string { return d.drain(true) }

func (d *StreamDecoder) drain(final bool) string {
	var sb strings.Builder
	p := d.pending
	for len(p) > 0 {
		r, n := utf8.DecodeRune(p)
		if r != utf8.RuneError || n > 1 {
			sb.Write(p[:n])
			p = p[n:]
			continue
		}
		if !final && !utf8.FullRune(p) {
			break // wait for the rest of the character
		}
		sb.WriteRune(utf8.RuneError)
		p = p[1:]
	}
	d.pending = append(d.pending[:0], p...)
	return sb.String()
}
