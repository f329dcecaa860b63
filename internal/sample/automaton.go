package sample

import "sort"

// Limits of the JSON automaton that keep every generation finite.
const (
	// MaxWhitespace is the longest whitespace run allowed between JSON
	// tokens. One byte (a space or a newline) keeps JSON readable while
	// stopping small models from spending their context on indentation:
	// with 16, the fixture models filled every gap and ran out of context
	// before closing an outline.
	MaxWhitespace = 1
	// maxIntDigits keeps integers exactly representable as float64.
	maxIntDigits = 15
	// maxFracDigits bounds fraction digits (float64 has ~16 significant).
	maxFracDigits = 15
	// maxExpDigits keeps |exponent| < 100 so values never overflow float64.
	maxExpDigits = 2
)

type phase uint8

const (
	pRootBefore phase = iota // root: before the value (whitespace)
	pRootAfter               // root: after the value (whitespace only)
	pValue                   // a value of f.n starts with the next byte
	pDone                    // value closed; cannot take more bytes
	pObjOpen                 // after '{'
	pObjKey                  // inside a key literal
	pObjColon                // after a key
	pObjValue                // after ':'
	pObjAfter                // after a member value
	pObjComma                // after ','
	pArrOpen                 // after '['
	pArrAfter                // after an item
	pArrComma                // after ','
	pStr                     // string body
	pStrEsc                  // after '\'
	pStrHex                  // inside \uXXXX
	pNumStart
	pNumMinus
	pNumZero
	pNumInt
	pNumDot
	pNumFrac
	pNumExp
	pNumExpSign
	pNumExpDig
	pLit // inside one of a literal set
)

// wsPhases are the phases where JSON allows whitespace.
var wsPhases = [...]bool{pRootBefore: true, pRootAfter: true, pObjOpen: true, pObjColon: true,
	pObjValue: true, pObjAfter: true, pObjComma: true, pArrOpen: true, pArrAfter: true, pArrComma: true,
	pLit: false}

// frame is one level of the pushdown automaton. It is a small value so that
// states can be cloned by copying a slice.
type frame struct {
	n      *node
	phase  phase
	ws     uint8 // length of the current whitespace run
	high   bool  // string: last char was a high-surrogate \u escape
	cnt    int32 // array items, string chars, number digits, object: current prop
	next   int32 // object: first prop index still allowed
	lo, hi int32 // literal/key candidate range; string: next UTF-8 byte range
	pos    int32 // literal/key bytes matched; string: pending UTF-8 bytes or hex digits
	code   int32 // string: \u code point
}

type result uint8

const (
	rReject result = iota
	rOK
	rPush // push a child value frame and retry the byte there
	rPop  // this value is complete; pop and retry the byte in the parent
)

// stack is an automaton state: frames[0] is the root.
type stack []frame

func newStack(root *node, capacity int) stack {
	s := make(stack, 1, capacity)
	s[0] = frame{n: root, phase: pRootBefore}
	return s
}

// step feeds one byte; false means the byte is not allowed (s is then
// garbage and must be discarded by the caller).
func (s *stack) step(b byte) bool {
	for {
		st := *s
		f := &st[len(st)-1]
		r, child := stepFrame(f, b)
		switch r {
		case rOK:
			return true
		case rPush:
			*s = append(st, frame{n: child, phase: pValue})
		case rPop:
			if len(st) == 1 {
				return false
			}
			*s = st[:len(st)-1]
		default:
			return false
		}
	}
}

func isWS(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }

func stepFrame(f *frame, b byte) (result, *node) {
	if wsPhases[f.phase] {
		if isWS(b) {
			if f.ws >= MaxWhitespace {
				return rReject, nil
			}
			f.ws++
			return rOK, nil
		}
		f.ws = 0
	}
	switch f.phase {
	case pRootBefore:
		f.phase = pRootAfter
		return rPush, f.n
	case pRootAfter:
		return rReject, nil
	case pValue:
		return startValue(f, b), nil
	case pDone:
		return rPop, nil
	case pObjOpen, pObjKey, pObjColon, pObjValue, pObjAfter, pObjComma:
		return stepObject(f, b)
	case pArrOpen, pArrAfter, pArrComma:
		return stepArray(f, b)
	case pStr, pStrEsc, pStrHex:
		return stepString(f, b), nil
	case pLit:
		return stepLit(f, b), nil
	}
	return stepNumber(f, b), nil
}

func startValue(f *frame, b byte) result {
	n := f.n
	for n.kind == kAnyOf {
		var next *node
		for _, a := range n.alts {
			if a.first.has(b) {
				next = a
				break
			}
		}
		if next == nil {
			return rReject
		}
		n = next
	}
	if !n.first.has(b) {
		return rReject
	}
	f.n = n
	switch n.kind {
	case kObject:
		f.phase, f.next = pObjOpen, 0
	case kArray:
		f.phase, f.cnt = pArrOpen, 0
	case kString:
		f.phase, f.cnt, f.pos, f.high = pStr, 0, 0, false
	case kInteger, kNumber:
		f.phase = pNumStart
		return stepNumber(f, b)
	case kLiteral:
		f.phase, f.lo, f.hi, f.pos = pLit, 0, int32(len(n.lits.vals)), 0
		return stepLit(f, b)
	}
	return rOK
}

// narrow restricts the candidate range [f.lo, f.hi) of set (all sharing
// f.pos bytes) to those whose next byte is b. Entries of length f.pos sort
// first, then by their byte at f.pos, so two binary searches suffice.
func narrow(f *frame, set *litSet, b byte) bool {
	v, pos := set.vals, int(f.pos)
	lo, hi := int(f.lo), int(f.hi)
	start := lo + sort.Search(hi-lo, func(i int) bool { x := v[lo+i]; return len(x) > pos && x[pos] >= b })
	end := start + sort.Search(hi-start, func(i int) bool { return v[start+i][pos] > b })
	if start == end {
		return false
	}
	f.lo, f.hi, f.pos = int32(start), int32(end), f.pos+1
	return true
}

// litComplete reports whether a candidate ends exactly here.
func litComplete(f *frame, set *litSet) bool {
	return f.lo < f.hi && len(set.vals[f.lo]) == int(f.pos)
}

func stepLit(f *frame, b byte) result {
	set := &f.n.lits
	if !narrow(f, set, b) {
		if litComplete(f, set) {
			return rPop
		}
		return rReject
	}
	if f.hi-f.lo == 1 && litComplete(f, set) {
		f.phase = pDone
	}
	return rOK
}

// canEnd reports whether the value of f is complete as it stands.
func canEnd(f *frame) bool {
	switch f.phase {
	case pDone, pNumZero, pNumInt, pNumFrac, pNumExpDig:
		return true
	case pLit:
		return litComplete(f, &f.n.lits)
	}
	return false
}

// complete reports whether the bytes so far form a complete value.
func (s stack) complete() bool {
	if s[0].phase != pRootAfter {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !canEnd(&s[i]) {
			return false
		}
	}
	return true
}

// closed reports whether the value is complete and cannot be extended.
func (s stack) closed() bool {
	if s[0].phase != pRootAfter {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i].phase != pDone {
			return false
		}
	}
	return true
}
