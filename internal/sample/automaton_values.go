package sample

func stepObject(f *frame, b byte) (result, *node) {
	n := f.n
	if n.free {
		return stepFreeObject(f, b)
	}
	np := int32(len(n.props))
	switch f.phase {
	case pObjOpen:
		if b == '}' && n.reqFrom[0] == np {
			f.phase = pDone
			return rOK, nil
		}
		if b == '"' && np > 0 {
			return startKey(f, b), nil
		}
	case pObjKey:
		set := n.keySet(f.next)
		if !narrow(f, set, b) {
			return rReject, nil
		}
		if litComplete(f, set) { // quoted keys are prefix-free: exactly one
			f.cnt = n.keyProp[f.next][f.lo]
			f.phase = pObjColon
		}
		return rOK, nil
	case pObjColon:
		if b == ':' {
			f.phase = pObjValue
			return rOK, nil
		}
	case pObjValue:
		f.phase, f.next = pObjAfter, f.cnt+1
		return rPush, n.props[f.cnt].schema
	case pObjAfter:
		if b == ',' && f.next < np {
			f.phase = pObjComma
			return rOK, nil
		}
		if b == '}' && n.reqFrom[f.next] == np {
			f.phase = pDone
			return rOK, nil
		}
	case pObjComma:
		if b == '"' {
			return startKey(f, b), nil
		}
	}
	return rReject, nil
}

func startKey(f *frame, b byte) result {
	set := f.n.keySet(f.next)
	f.phase, f.lo, f.hi, f.pos = pObjKey, 0, int32(len(set.vals)), 0
	if !narrow(f, set, b) {
		return rReject
	}
	return rOK
}

func stepArray(f *frame, b byte) (result, *node) {
	n := f.n
	switch f.phase {
	case pArrOpen:
		if b == ']' && n.minItems == 0 {
			f.phase = pDone
			return rOK, nil
		}
		if n.maxItems > 0 {
			f.phase, f.cnt = pArrAfter, 1
			return rPush, n.items
		}
	case pArrAfter:
		if b == ',' && f.cnt < n.maxItems {
			f.phase = pArrComma
			return rOK, nil
		}
		if b == ']' && f.cnt >= n.minItems {
			f.phase = pDone
			return rOK, nil
		}
	case pArrComma:
		f.phase = pArrAfter
		f.cnt++
		return rPush, n.items
	}
	return rReject, nil
}

// utf8Lead returns how many continuation bytes follow lead byte b and the
// allowed range of the first one (excluding overlong forms, surrogates and
// code points above U+10FFFF); need 0 means b cannot start a character.
func utf8Lead(b byte) (need int32, lo, hi int32) {
	switch {
	case b >= 0xC2 && b <= 0xDF:
		return 1, 0x80, 0xBF
	case b == 0xE0:
		return 2, 0xA0, 0xBF
	case b == 0xED:
		return 2, 0x80, 0x9F
	case b >= 0xE1 && b <= 0xEF:
		return 2, 0x80, 0xBF
	case b == 0xF0:
		return 3, 0x90, 0xBF
	case b >= 0xF1 && b <= 0xF3:
		return 3, 0x80, 0xBF
	case b == 0xF4:
		return 3, 0x80, 0x8F
	}
	return 0, 0, 0
}

func hexVal(b byte) int32 {
	switch {
	case b >= '0' && b <= '9':
		return int32(b - '0')
	case b >= 'a' && b <= 'f':
		return int32(b-'a') + 10
	case b >= 'A' && b <= 'F':
		return int32(b-'A') + 10
	}
	return -1
}

// stepString consumes one byte of a string body. Length counts characters
// the way a decoder does: a UTF-8 sequence or an escape is one, and a
// \u low surrogate right after a \u high surrogate joins it.
func stepString(f *frame, b byte) result {
	n := f.n
	switch f.phase {
	case pStrEsc:
		switch b {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			f.phase, f.cnt, f.high = pStr, f.cnt+1, false
		case 'u':
			f.phase, f.pos, f.code = pStrHex, 0, 0
		default:
			return rReject
		}
		return rOK
	case pStrHex:
		v := hexVal(b)
		if v < 0 {
			return rReject
		}
		f.code, f.pos = f.code*16+v, f.pos+1
		if f.pos == 4 {
			low := f.code >= 0xDC00 && f.code <= 0xDFFF
			if !(low && f.high) {
				f.cnt++
			}
			f.phase, f.pos, f.high = pStr, 0, f.code >= 0xD800 && f.code <= 0xDBFF
		}
		return rOK
	}
	if f.pos > 0 { // continuation byte of a multi-byte character
		if int32(b) < f.lo || int32(b) > f.hi {
			return rReject
		}
		f.pos, f.lo, f.hi = f.pos-1, 0x80, 0xBF
		return rOK
	}
	switch {
	case b == '"':
		if f.cnt < n.minLen {
			return rReject
		}
		f.phase = pDone
		return rOK
	case b < 0x20 || f.cnt >= n.maxLen:
		return rReject
	case b == '\\':
		f.phase = pStrEsc
		return rOK
	case b < 0x80:
		f.cnt, f.high = f.cnt+1, false
		return rOK
	}
	need, lo, hi := utf8Lead(b)
	if need == 0 {
		return rReject
	}
	f.cnt, f.high, f.pos, f.lo, f.hi = f.cnt+1, false, need, lo, hi
	return rOK
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// stepNumber follows JSON's number grammar with digit caps; integers stop
// before '.', 'e' and 'E'.
func stepNumber(f *frame, b byte) result {
	real := f.n.kind == kNumber
	switch f.phase {
	case pNumStart, pNumMinus:
		switch {
		case b == '-' && f.phase == pNumStart:
			f.phase = pNumMinus
		case b == '0':
			f.phase = pNumZero
		case b >= '1' && b <= '9':
			f.phase, f.cnt = pNumInt, 1
		default:
			return rReject
		}
		return rOK
	case pNumZero, pNumInt, pNumFrac:
		switch {
		case isDigit(b) && f.phase == pNumInt && f.cnt < maxIntDigits,
			isDigit(b) && f.phase == pNumFrac && f.cnt < maxFracDigits:
			f.cnt++
		case b == '.' && real && f.phase != pNumFrac:
			f.phase = pNumDot
		case (b == 'e' || b == 'E') && real:
			f.phase = pNumExp
		default:
			return rPop
		}
		return rOK
	case pNumDot, pNumExp, pNumExpSign:
		switch {
		case isDigit(b) && f.phase == pNumDot:
			f.phase, f.cnt = pNumFrac, 1
		case isDigit(b):
			f.phase, f.cnt = pNumExpDig, 1
		case (b == '+' || b == '-') && f.phase == pNumExp:
			f.phase = pNumExpSign
		default:
			return rReject
		}
		return rOK
	case pNumExpDig:
		if isDigit(b) && f.cnt < maxExpDigits {
			f.cnt++
			return rOK
		}
		return rPop
	}
	return rReject
}
