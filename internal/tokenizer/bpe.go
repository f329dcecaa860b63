package tokenizer

// GPT-2's byte↔unicode map: printable Latin-1 bytes stand for themselves and
// the others are shifted to U+0100 and up, so that every byte-level token is
// printable text.
var (
	byteToUnicode [256]string
	unicodeToByte = map[rune]byte{}
)

func init() {
	printable := func(b int) bool {
		return b >= 0x21 && b <= 0x7E || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF
	}
	n := 0
	for b := 0; b < 256; b++ {
		r := rune(b)
		if !printable(b) {
			r = rune(256 + n)
			n++
		}
		byteToUnicode[b] = string(r)
		unicodeToByte[r] = byte(b)
	}
}

// byteEncode maps each byte of word to its GPT-2 symbol.
func byteEncode(word string) string {
	buf := make([]byte, 0, 2*len(word))
	for i := 0; i < len(word); i++ {
		buf = append(buf, byteToUnicode[word[i]]...)
	}
	return string(buf)
}

// bpeBigram is a candidate merge: lower rank first, then leftmost.
type bpeBigram struct {
	left, right int32
	rank        int32
	result      int32
	size        int32
}

func bpeLess(a, b bpeBigram) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.left < b.left
}

// encodeBPE is llm_tokenizer_bpe_session::tokenize on one raw fragment.
func (t *Tokenizer) encodeBPE(out []int32, text string) []int32 {
	var syms []symbol
	q := pqueue[bpeBigram]{less: bpeLess}
	for _, w := range t.pre.split(text) {
		word := byteEncode(w)
		if t.ignoreMerges {
			if id, ok := t.toID[word]; ok {
				out = append(out, id)
				continue
			}
		}
		syms = splitChars(word, syms[:0])
		for i := range syms {
			s := &syms[i]
			if id, ok := t.toID[word[s.start:s.start+s.n]]; ok {
				s.id = id
			}
		}
		q.items = q.items[:0]
		for i := int32(1); i < int32(len(syms)); i++ {
			t.addBigram(&q, syms, i-1, i)
		}
		t.mergeBPE(&q, syms)
		out = t.emitBPE(out, word, syms)
	}
	return out
}

func (t *Tokenizer) addBigram(q *pqueue[bpeBigram], syms []symbol, left, right int32) {
	if left < 0 || right < 0 {
		return
	}
	l, r := syms[left], syms[right]
	if l.id < 0 || r.id < 0 {
		return
	}
	m, ok := t.ranks[mergeKey{l.id, r.id}]
	if !ok {
		return
	}
	q.Push(bpeBigram{left: left, right: right, rank: m.rank, result: m.result, size: l.n + r.n})
}

// mergeBPE applies merges, best rank first, until none applies.
func (t *Tokenizer) mergeBPE(q *pqueue[bpeBigram], syms []symbol) {
	for q.Len() > 0 {
		b := q.Pop()
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue // outdated: a neighbour was merged since
		}
		l.n += r.n
		l.id = b.result
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = b.left
		}
		t.addBigram(q, syms, l.prev, b.left)
		t.addBigram(q, syms, b.left, l.next)
	}
}

// emitBPE outputs the final symbols; a symbol that is not a token falls back
// to its single bytes that are (llama.cpp drops the others).
func (t *Tokenizer) emitBPE(out []int32, word string, syms []symbol) []int32 {
	for i := int32(0); len(syms) > 0 && i != -1; i = syms[i].next {
		s := syms[i]
		if s.n == 0 {
			continue
		}
		if s.id >= 0 {
			out = append(out, s.id)
			continue
		}
		piece := word[s.start : s.start+s.n]
		for j := 0; j < len(piece); j++ {
			if id, ok := t.toID[piece[j:j+1]]; ok {
				out = append(out, id)
			}
		}
	}
	return out
}
