package sample

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// MaxTokenBytes: tokens longer than this are never allowed by a grammar
// (it bounds the trie walk's recursion; real tokens are < 256 bytes).
const MaxTokenBytes = 1024

// ErrGrammar is wrapped by Accept errors (token not allowed, or accepted
// after the end).
var ErrGrammar = errors.New("sample: token rejected by grammar")

// Vocab is the byte content of a model's tokens arranged as a byte trie, so
// that a Grammar simulates shared prefixes once. It is immutable after
// NewVocab and may be shared by many Grammars and goroutines; build it once
// per model.
type Vocab struct {
	n     int      // vocabulary size
	eog   []int32  // end-of-generation ids
	label []byte   // label[i]: byte on the edge into trie node i (node 0 = root)
	end   []int32  // end[i]: one past the last node of i's subtree (preorder)
	tokLo []int32  // tokens ending at node i: ids[tokLo[i]:tokLo[i+1]]
	ids   []int32  // token ids sorted by their bytes
	bytes [][]byte // per id, for Accept
	plain []plainInfo
	// plainMax[i]: the most characters on any path of i's subtree when the
	// whole subtree is plain string content, else -1; lets Mask allow a
	// whole subtree's tokens (a contiguous range of ids) at once.
	plainMax []int32
}

// plainInfo describes the path root→node read as JSON string content that
// starts at a character boundary: chars < 0 when the path holds a quote,
// backslash, control or invalid byte; else the characters it adds and the
// pending UTF-8 continuation bytes (count and allowed range of the next).
// Mask uses it to allow plain string tokens without simulating them.
type plainInfo struct {
	chars    int32
	pend     uint8
	nlo, nhi uint8
}

// extend returns the plainInfo of p followed by byte b.
func (p plainInfo) extend(b byte) plainInfo {
	switch {
	case p.chars < 0:
		return p
	case p.pend > 0:
		if b < p.nlo || b > p.nhi {
			return plainInfo{chars: -1}
		}
		return plainInfo{chars: p.chars, pend: p.pend - 1, nlo: 0x80, nhi: 0xBF}
	case b < 0x20 || b == '"' || b == '\\':
		return plainInfo{chars: -1}
	case b < 0x80:
		return plainInfo{chars: p.chars + 1}
	}
	need, lo, hi := utf8Lead(b)
	if need == 0 {
		return plainInfo{chars: -1}
	}
	return plainInfo{chars: p.chars + 1, pend: uint8(need), nlo: uint8(lo), nhi: uint8(hi)}
}

// NewVocab builds the trie. tokenBytes[id] is what token id decodes to; nil
// or empty marks a special token that a grammar never allows. eog lists the
// end-of-generation ids, allowed only when the JSON value is complete.
func NewVocab(tokenBytes [][]byte, eog []int32) (*Vocab, error) {
	if len(tokenBytes) == 0 || len(tokenBytes) > MaxVocabSize {
		return nil, fmt.Errorf("sample: vocabulary of %d tokens outside [1, %d]", len(tokenBytes), MaxVocabSize)
	}
	for _, id := range eog {
		if id < 0 || int(id) >= len(tokenBytes) {
			return nil, fmt.Errorf("sample: end-of-generation id %d outside vocabulary [0, %d)", id, len(tokenBytes))
		}
	}
	v := &Vocab{n: len(tokenBytes), eog: slices.Clone(eog), bytes: tokenBytes}
	for id, b := range tokenBytes {
		if len(b) > 0 && len(b) <= MaxTokenBytes && !slices.Contains(eog, int32(id)) {
			v.ids = append(v.ids, int32(id))
		}
	}
	slices.SortStableFunc(v.ids, func(a, b int32) int { return bytes.Compare(tokenBytes[a], tokenBytes[b]) })
	v.buildTrie()
	return v, nil
}

// buildTrie lays the trie out in preorder from the sorted token list: a
// node's first child is the next node and its next sibling is end[child].
func (v *Vocab) buildTrie() {
	total := 1 // upper bound on the node count: every byte of every token
	for _, id := range v.ids {
		total += len(v.bytes[id])
	}
	v.label = append(make([]byte, 0, total), 0)
	v.end = append(make([]int32, 0, total), 0)
	v.tokLo = append(make([]int32, 0, total+1), 0)
	v.plain = append(make([]plainInfo, 0, total), plainInfo{})
	parent := append(make([]int32, 0, total), -1)
	path := []int32{0} // path[d] = node at depth d on the current branch
	var prev []byte
	for k, id := range v.ids {
		b := v.bytes[id]
		lcp := 0
		for lcp < len(prev) && lcp < len(b) && prev[lcp] == b[lcp] {
			lcp++
		}
		for len(path) > lcp+1 { // close nodes off the shared prefix
			v.end[path[len(path)-1]] = int32(len(v.label))
			path = path[:len(path)-1]
		}
		for _, c := range b[lcp:] {
			v.plain = append(v.plain, v.plain[path[len(path)-1]].extend(c))
			parent = append(parent, path[len(path)-1])
			path = append(path, int32(len(v.label)))
			v.label = append(v.label, c)
			v.end = append(v.end, 0)
			v.tokLo = append(v.tokLo, int32(k))
		}
		prev = b
	}
	for _, node := range path {
		v.end[node] = int32(len(v.label))
	}
	v.tokLo = append(v.tokLo, int32(len(v.ids)))
	v.plainMax = make([]int32, len(v.label))
	for i := range v.plainMax {
		v.plainMax[i] = v.plain[i].chars
	}
	for i := len(v.label) - 1; i > 0; i-- { // children come after parents
		p := parent[i]
		if v.plainMax[i] < 0 || v.plainMax[p] < 0 {
			v.plainMax[p] = -1
		} else {
			v.plainMax[p] = max(v.plainMax[p], v.plainMax[i])
		}
	}
}

// Size returns the vocabulary size.
func (v *Vocab) Size() int { return v.n }

// Grammar constrains generation to JSON matching a schema. Use Mask before
// sampling and Accept after; it is not safe for concurrent use.
type Grammar struct {
	root     *node
	v        *Vocab
	st       stack
	finished bool     // an EOG token was accepted
	bufs     []stack  // per trie depth scratch states for Mask
	allowed  []uint64 // bitset over token ids, scratch for Mask
}

// NewJSONSchema compiles schema and builds the vocabulary trie; see
// NewJSONSchemaVocab to reuse one Vocab across grammars.
func NewJSONSchema(schema *jsonschema.Schema, tokenBytes [][]byte, eog []int32) (*Grammar, error) {
	v, err := NewVocab(tokenBytes, eog)
	if err != nil {
		return nil, err
	}
	return NewJSONSchemaVocab(schema, v)
}

// NewJSONSchemaVocab compiles schema for an existing Vocab.
func NewJSONSchemaVocab(schema *jsonschema.Schema, v *Vocab) (*Grammar, error) {
	root, err := compileSchema(schema)
	if err != nil {
		return nil, err
	}
	return &Grammar{root: root, v: v, st: newStack(root, jsonschema.MaxDepth+MaxFreeDepth+2),
		allowed: make([]uint64, (v.n+63)/64)}, nil
}

// Done reports that the output is a complete value that cannot be
// extended (or that an end-of-generation token was accepted): the caller
// can stop generating.
func (g *Grammar) Done() bool { return g.finished || g.st.closed() }

// Complete reports that the output so far is a complete, valid value
// (end-of-generation tokens are allowed), though it may still be extended
// (e.g. a top-level number).
func (g *Grammar) Complete() bool { return g.finished || g.st.complete() }

// Accept advances the grammar by token id. A token the grammar does not
// allow is an error and leaves the state unchanged.
func (g *Grammar) Accept(id int32) error {
	if id < 0 || int(id) >= g.v.n {
		return fmt.Errorf("%w: token %d outside vocabulary [0, %d)", ErrGrammar, id, g.v.n)
	}
	if g.finished {
		return fmt.Errorf("%w: token %d after end of generation", ErrGrammar, id)
	}
	if slices.Contains(g.v.eog, id) {
		if !g.st.complete() {
			return fmt.Errorf("%w: end-of-generation token %d before the JSON value is complete", ErrGrammar, id)
		}
		g.finished = true
		return nil
	}
	b := g.v.bytes[id]
	if len(b) == 0 || len(b) > MaxTokenBytes {
		return fmt.Errorf("%w: special token %d is never allowed", ErrGrammar, id)
	}
	st := append(make(stack, 0, cap(g.st)), g.st...)
	for i, c := range b {
		if !st.step(c) {
			return fmt.Errorf("%w: token %d (%q) fails at byte %d", ErrGrammar, id, b, i)
		}
	}
	g.st = st
	return nil
}

// Mask sets logits[id] to −Inf for every token that cannot continue valid
// output from the current state; end-of-generation ids stay only when the
// value is complete. Ids beyond the vocabulary are masked too.
func (g *Grammar) Mask(logits []float32) {
	clear(g.allowed)
	if !g.finished {
		if len(g.bufs) == 0 {
			g.bufs = append(g.bufs, make(stack, 0, cap(g.st)))
		}
		g.bufs[0] = append(g.bufs[0][:0], g.st...)
		if top := g.st[len(g.st)-1]; top.phase == pStr && top.pos == 0 {
			g.walkPlain(0, 0)
		} else {
			g.walk(0, 0)
		}
		if g.st.complete() {
			for _, id := range g.v.eog {
				g.allowed[id>>6] |= 1 << (id & 63)
			}
		}
	}
	negInf := float32(math.Inf(-1))
	for id := range logits {
		if id >= g.v.n || g.allowed[id>>6]&(1<<(id&63)) == 0 {
			logits[id] = negInf
		}
	}
}

// walk visits the children of trie node at depth d whose state is
// g.bufs[d], marking tokens whose bytes the automaton accepts.
func (g *Grammar) walk(node int32, d int) {
	v := g.v
	if len(g.bufs) <= d+1 {
		g.bufs = append(g.bufs, make(stack, 0, cap(g.st)))
	}
	for c := node + 1; c < v.end[node]; c = v.end[c] {
		g.visit(c, d)
	}
}

// visit simulates the byte into trie node c (depth d+1) from g.bufs[d].
func (g *Grammar) visit(c int32, d int) {
	v := g.v
	st := append(g.bufs[d+1][:0], g.bufs[d]...)
	ok := st.step(v.label[c])
	g.bufs[d+1] = st
	if !ok {
		return
	}
	g.markTokens(c)
	if c+1 < v.end[c] {
		g.walk(c, d+1)
	}
}

func (g *Grammar) markTokens(c int32) {
	v := g.v
	for _, id := range v.ids[v.tokLo[c]:v.tokLo[c+1]] {
		g.allowed[id>>6] |= 1 << (id & 63)
	}
}

// walkPlain is walk for a state inside a string at a character boundary
// (g.bufs[0]): nodes whose path is plain string content are decided from
// the precomputed plainInfo; only the first non-plain byte of a path (a
// closing quote, an escape…) is simulated, from a state rebuilt in O(1).
func (g *Grammar) walkPlain(node int32, d int) {
	v := g.v
	base := &g.bufs[0][len(g.bufs[0])-1]
	if len(g.bufs) <= d+1 {
		g.bufs = append(g.bufs, make(stack, 0, cap(g.st)))
	}
	built := d == 0 // bufs[0] already is the state at the root
	for c := node + 1; c < v.end[node]; c = v.end[c] {
		if p := v.plain[c]; p.chars >= 0 {
			if base.cnt+p.chars > base.n.maxLen {
				continue // and so is every longer path
			}
			if pm := v.plainMax[c]; pm >= 0 && base.cnt+pm <= base.n.maxLen {
				for _, id := range v.ids[v.tokLo[c]:v.tokLo[v.end[c]]] { // whole subtree
					g.allowed[id>>6] |= 1 << (id & 63)
				}
				continue
			}
			g.markTokens(c)
			if c+1 < v.end[c] {
				g.walkPlain(c, d+1)
			}
			continue
		}
		if !built {
			g.bufs[d] = append(g.bufs[d][:0], g.bufs[0]...)
			p := v.plain[node]
			f := &g.bufs[d][len(g.bufs[d])-1]
			f.cnt, f.high = base.cnt+p.chars, false
			f.pos, f.lo, f.hi = int32(p.pend), int32(p.nlo), int32(p.nhi)
			built = true
		}
		g.visit(c, d)
	}
}
