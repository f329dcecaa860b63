package tokenizer

import "strings"

// spaceMarker is SentencePiece's visible space, U+2581 "▁".
const spaceMarker = "\u2581"

// encodeSPM is llama.cpp's SPM branch of llama_vocab::tokenize: a space is
// prefixed to raw text at the start and after each special token, spaces
// become ▁, and each raw fragment is merged independently.
func (t *Tokenizer) encodeSPM(out []int32, frags []frag, addSpecial bool) []int32 {
	prevSpecial := true // prefix with a space if first
	if addSpecial && t.addBOS {
		out = append(out, t.bos)
	}
	for _, f := range frags {
		if f.id >= 0 {
			out = append(out, f.id)
			prevSpecial = true
			continue
		}
		text := f.text
		if t.addSpacePrefix && prevSpecial {
			text = " " + text
		}
		out = t.spmSession(out, strings.ReplaceAll(text, " ", spaceMarker))
		prevSpecial = false
	}
	if addSpecial && t.addEOS {
		out = append(out, t.eos)
	}
	return out
}

// symbol is a span of the text being merged, linked to its neighbours.
type symbol struct {
	start, n   int32
	prev, next int32
	id         int32 // BPE: token id of the span, or noToken
}

// spmBigram is a candidate merge of two adjacent symbols.
type spmBigram struct {
	left, right int32
	score       float32
	size        int32
}

// spmLess pops the highest score first and, on ties, the leftmost pair.
func spmLess(a, b spmBigram) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.left < b.left
}

// splitChars cuts text into symbols of one UTF-8 sequence each, using the
// lead byte's announced length (llama.cpp's unicode_len_utf8).
func splitChars(text string, syms []symbol) []symbol {
	for off := 0; off < len(text); {
		n := min(utf8Len(text[off]), len(text)-off)
		next := int32(len(syms) + 1)
		if off+n == len(text) {
			next = -1
		}
		syms = append(syms, symbol{start: int32(off), n: int32(n), prev: int32(len(syms) - 1), next: next, id: noToken})
		off += n
	}
	return syms
}

// spmSession is llm_tokenizer_spm_session::tokenize on one escaped fragment.
func (t *Tokenizer) spmSession(out []int32, text string) []int32 {
	syms := splitChars(text, make([]symbol, 0, len(text)))
	q := pqueue[spmBigram]{items: make([]spmBigram, 0, len(syms)), less: spmLess}
	tryAdd := func(left, right int32) {
		if left < 0 || right < 0 {
			return
		}
		l, r := syms[left], syms[right]
		id, ok := t.toID[text[l.start:l.start+l.n+r.n]]
		if !ok {
			return
		}
		q.Push(spmBigram{left: left, right: right, score: t.scores[id], size: l.n + r.n})
	}
	for i := int32(1); i < int32(len(syms)); i++ {
		tryAdd(i-1, i)
	}
	for q.Len() > 0 {
		b := q.Pop()
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue // one side was merged since
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = b.left
		}
		tryAdd(l.prev, b.left)
		tryAdd(b.left, l.next)
	}
	for i := int32(0); len(syms) > 0 && i != -1; i = syms[i].next {
		s := syms[i]
		out = t.spmResegment(out, text[s.start:s.start+s.n])
	}
	return out
}

// spmResegment emits the token of a final symbol, or its bytes. (llama.cpp's
// rev_merge recursion never triggers: a merged symbol is always a token.)
func (t *Tokenizer) spmResegment(out []int32, piece string) []int32 {
	if id, ok := t.toID[piece]; ok {
		return append(out, id)
	}
	for i := 0; i < len(piece); i++ {
		if t.byteTok[piece[i]] == noToken {
			// No <0xNN> token and no single-byte token: llama.cpp throws
			// here (token_to_id.at); we emit the unknown token once for the
			// whole character instead.
			if t.unk != noToken {
				out = append(out, t.unk)
			}
			return out
		}
	}
	for i := 0; i < len(piece); i++ {
		out = append(out, t.byteTok[piece[i]])
	}
	return out
}
