package chat

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

func (it *interp) eval(e expr, sc *scope) (value, error) {
	if err := it.step(); err != nil {
		return nil, err
	}
	v, err := it.evalNode(e, sc)
	if err != nil {
		return nil, err
	}
	switch e.(type) {
	case *binExpr, *filterExpr, *callExpr, *sliceExpr, *listExpr, *dictExpr:
		if err := it.charge(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// charge counts the memory of a newly built value against MaxAllocBytes.
func (it *interp) charge(v value) error {
	n := 0
	switch x := v.(type) {
	case string:
		n = len(x)
	case *listV:
		n = 16 * len(x.items)
	case *mapV:
		n = 48 * len(x.keys)
	}
	it.alloc += n
	if it.alloc > MaxAllocBytes {
		return fmt.Errorf("%w: over %d bytes allocated", ErrBudget, MaxAllocBytes)
	}
	return nil
}

func (it *interp) evalNode(e expr, sc *scope) (value, error) {
	switch e := e.(type) {
	case *litExpr:
		return e.v, nil
	case *nameExpr:
		return sc.lookup(e.name), nil
	case *listExpr:
		l := &listV{tuple: e.tuple, items: make([]value, 0, len(e.items))}
		for _, x := range e.items {
			v, err := it.eval(x, sc)
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, v)
		}
		return l, nil
	case *dictExpr:
		return it.evalDict(e, sc)
	case *attrExpr:
		obj, err := it.eval(e.obj, sc)
		if err != nil {
			return nil, err
		}
		return member(obj, e.name), nil
	case *indexExpr:
		return it.evalIndex(e, sc)
	case *sliceExpr:
		return it.evalSlice(e, sc)
	case *callExpr:
		return it.evalCall(e, sc)
	case *filterExpr:
		return it.evalFilter(e, sc)
	case *testExpr:
		return it.evalTest(e, sc)
	case *unaryExpr:
		return it.evalUnary(e, sc)
	case *binExpr:
		return it.evalBinary(e, sc)
	case *condExpr:
		c, err := it.eval(e.cond, sc)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return it.eval(e.yes, sc)
		}
		if e.no == nil {
			return undefV{}, nil
		}
		return it.eval(e.no, sc)
	}
	return nil, fmt.Errorf("unknown expression %T", e)
}

func (it *interp) evalDict(e *dictExpr, sc *scope) (value, error) {
	m := newMap()
	for i := range e.keys {
		k, err := it.eval(e.keys[i], sc)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("dict keys must be strings, got %s", typeName(k))
		}
		v, err := it.eval(e.vals[i], sc)
		if err != nil {
			return nil, err
		}
		m.set(ks, v)
	}
	return m, nil
}

// member resolves obj.name: a map entry, else a builtin method of the type.
// Unknown members are undefined, never an error, as in the reference.
func member(obj value, name string) value {
	switch x := obj.(type) {
	case *mapV:
		if v, ok := x.get(name); ok {
			return v
		}
		if x.ns {
			return undefV{}
		}
		return mapMethod(x, name)
	case string:
		return stringMethod(x, name)
	case *listV:
		if name == "length" {
			return int64(len(x.items))
		}
	case *loopV:
		return x.attr(name)
	}
	return undefV{}
}

func (it *interp) evalIndex(e *indexExpr, sc *scope) (value, error) {
	obj, err := it.eval(e.obj, sc)
	if err != nil {
		return nil, err
	}
	idx, err := it.eval(e.idx, sc)
	if err != nil {
		return nil, err
	}
	if s, ok := obj.(string); ok {
		if err := it.scan(s); err != nil {
			return nil, err
		}
	}
	switch k := idx.(type) {
	case string:
		return member(obj, k), nil
	case int64:
		switch x := obj.(type) {
		case *listV:
			if i, ok := normIndex(k, len(x.items)); ok {
				return x.items[i], nil
			}
			return undefV{}, nil
		case string:
			return runeAt(x, k), nil
		}
		return undefV{}, nil
	}
	return nil, fmt.Errorf("cannot index %s with %s", typeName(obj), typeName(idx))
}

func normIndex(i int64, n int) (int, bool) {
	if i < 0 {
		i += int64(n)
	}
	if i < 0 || i >= int64(n) {
		return 0, false
	}
	return int(i), true
}

func (it *interp) optInt(e expr, sc *scope) (*int64, error) {
	if e == nil {
		return nil, nil
	}
	v, err := it.eval(e, sc)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case int64:
		return &x, nil
	case undefV, noneV:
		return nil, nil
	}
	return nil, fmt.Errorf("slice bounds must be integers, got %s", typeName(v))
}

func (it *interp) evalSlice(e *sliceExpr, sc *scope) (value, error) {
	obj, err := it.eval(e.obj, sc)
	if err != nil {
		return nil, err
	}
	if err := it.scan(obj); err != nil {
		return nil, err
	}
	var b [3]*int64
	for i, x := range []expr{e.start, e.stop, e.step} {
		if b[i], err = it.optInt(x, sc); err != nil {
			return nil, err
		}
	}
	switch x := obj.(type) {
	case *listV:
		idx, err := sliceIndices(len(x.items), b[0], b[1], b[2])
		if err != nil {
			return nil, err
		}
		out := &listV{items: make([]value, len(idx))}
		for i, j := range idx {
			out.items[i] = x.items[j]
		}
		return out, nil
	case string:
		r := []rune(x)
		idx, err := sliceIndices(len(r), b[0], b[1], b[2])
		if err != nil {
			return nil, err
		}
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = r[j]
		}
		return string(out), nil
	}
	return nil, fmt.Errorf("cannot slice %s", typeName(obj))
}

// sliceIndices implements Python slice semantics.
func sliceIndices(n int, start, stop, step *int64) ([]int, error) {
	st := int64(1)
	if step != nil {
		st = *step
	}
	if st == 0 {
		return nil, fmt.Errorf("slice step cannot be zero")
	}
	clamp := func(p *int64, def int64, lo, hi int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += int64(n)
		}
		return max(lo, min(hi, v))
	}
	var lo, hi int64
	if st > 0 {
		lo, hi = clamp(start, 0, 0, int64(n)), clamp(stop, int64(n), 0, int64(n))
	} else {
		lo, hi = clamp(start, int64(n)-1, -1, int64(n)-1), clamp(stop, -1, -1, int64(n)-1)
		if stop != nil && *stop < -int64(n) {
			hi = -1
		}
	}
	var out []int
	for i := lo; (st > 0 && i < hi) || (st < 0 && i > hi); i += st {
		out = append(out, int(i))
	}
	return out, nil
}

func (it *interp) evalArgs(a argList, sc *scope) ([]value, *mapV, error) {
	args := make([]value, 0, len(a.pos))
	for _, x := range a.pos {
		v, err := it.eval(x, sc)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, v)
	}
	kw := newMap()
	for i, n := range a.kwNames {
		v, err := it.eval(a.kwVals[i], sc)
		if err != nil {
			return nil, nil, err
		}
		kw.set(n, v)
	}
	return args, kw, nil
}

func (it *interp) evalCall(e *callExpr, sc *scope) (value, error) {
	fv, err := it.eval(e.fn, sc)
	if err != nil {
		return nil, err
	}
	f, ok := fv.(*funcV)
	if !ok {
		return nil, fmt.Errorf("cannot call %s", typeName(fv))
	}
	args, kw, err := it.evalArgs(e.args, sc)
	if err != nil {
		return nil, err
	}
	v, err := f.fn(it, args, kw)
	if err != nil {
		return nil, fmt.Errorf("%s(): %w", f.name, err)
	}
	return v, nil
}

func (it *interp) evalUnary(e *unaryExpr, sc *scope) (value, error) {
	x, err := it.eval(e.x, sc)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "not":
		return !truthy(x), nil
	case "-":
		switch n := x.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		}
	case "+":
		switch x.(type) {
		case int64, float64:
			return x, nil
		}
	}
	return nil, fmt.Errorf("bad operand %s for unary %s", typeName(x), e.op)
}

func (it *interp) evalBinary(e *binExpr, sc *scope) (value, error) {
	l, err := it.eval(e.l, sc)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "and":
		if !truthy(l) {
			return l, nil
		}
		return it.eval(e.r, sc)
	case "or":
		if truthy(l) {
			return l, nil
		}
		return it.eval(e.r, sc)
	}
	r, err := it.eval(e.r, sc)
	if err != nil {
		return nil, err
	}
	if err := it.scan(l, r); err != nil {
		return nil, err
	}
	switch e.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "in", "not in":
		in, err := contains(r, l)
		if err != nil {
			return nil, err
		}
		return in == (e.op == "in"), nil
	case "~":
		s := str(l) + str(r)
		return s, checkLen(len(s), MaxStringBytes, "string")
	}
	return binaryArith(e.op, l, r)
}

func contains(container, x value) (bool, error) {
	switch c := container.(type) {
	case undefV:
		return false, nil
	case *listV:
		for _, y := range c.items {
			if equal(x, y) {
				return true, nil
			}
		}
		return false, nil
	case *mapV:
		k, ok := x.(string)
		if !ok {
			return false, nil
		}
		_, found := c.get(k)
		return found, nil
	case string:
		s, ok := x.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires a string, got %s", typeName(x))
		}
		return strings.Contains(c, s), nil
	}
	return false, fmt.Errorf("'in' on %s", typeName(container))
}

func binaryArith(op string, l, r value) (value, error) {
	switch l.(type) {
	case undefV, noneV:
		return nil, fmt.Errorf("cannot apply %s to %s", op, typeName(l))
	}
	switch r.(type) {
	case undefV, noneV:
		return nil, fmt.Errorf("cannot apply %s to %s", op, typeName(r))
	}
	li, lInt := l.(int64)
	ri, rInt := r.(int64)
	if lInt && rInt {
		return intArith(op, li, ri)
	}
	lf, lNum := toFloat(l)
	rf, rNum := toFloat(r)
	if lNum && rNum {
		return floatArith(op, lf, rf)
	}
	ls, lStr := l.(string)
	rs, rStr := r.(string)
	switch op {
	case "+":
		if ll, ok := l.(*listV); ok {
			if rl, ok := r.(*listV); ok {
				if err := checkLen(len(ll.items)+len(rl.items), MaxListLen, "list"); err != nil {
					return nil, err
				}
				items := append(append(make([]value, 0, len(ll.items)+len(rl.items)), ll.items...), rl.items...)
				return &listV{items: items}, nil
			}
		}
		if lStr || rStr {
			s1, s2 := str(l), str(r)
			if err := checkLen(len(s1)+len(s2), MaxStringBytes, "string"); err != nil {
				return nil, err
			}
			return s1 + s2, nil
		}
	case "*":
		if lStr && rInt {
			return repeatString(ls, ri)
		}
		if rStr && lInt {
			return repeatString(rs, li)
		}
	case "<", ">", "<=", ">=":
		if lStr && rStr {
			return compareResult(op, strings.Compare(ls, rs)), nil
		}
	}
	return nil, fmt.Errorf("unsupported operand types for %s: %s and %s", op, typeName(l), typeName(r))
}

func repeatString(s string, n int64) (value, error) {
	if n <= 0 || s == "" {
		return "", nil
	}
	if n > int64(MaxStringBytes) || int64(len(s))*n > int64(MaxStringBytes) {
		return nil, fmt.Errorf("%w: string repetition of %d bytes x %d", ErrBudget, len(s), n)
	}
	return strings.Repeat(s, int(n)), nil
}

func compareResult(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

// sign returns -1 when a < b, 1 when a > b, else 0 (so a NaN compares
// as equal to anything, unlike cmp.Compare).
func sign[T int64 | float64](a, b T) int {
	if a < b {
		return -1
	} else if a > b {
		return 1
	}
	return 0
}

func intArith(op string, a, b int64) (value, error) {
	switch op {
	case "+":
		if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
			return float64(a) + float64(b), nil
		}
		return a + b, nil
	case "-":
		if (b < 0 && a > math.MaxInt64+b) || (b > 0 && a < math.MinInt64+b) {
			return float64(a) - float64(b), nil
		}
		return a - b, nil
	case "*":
		p := a * b
		if a != 0 && (p/a != b || (a == -1 && b == math.MinInt64)) {
			return float64(a) * float64(b), nil
		}
		return p, nil
	case "/":
		if b == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		return float64(a) / float64(b), nil
	case "//":
		if b == 0 {
			return nil, fmt.Errorf("integer division by zero")
		}
		return int64(math.Floor(float64(a) / float64(b))), nil
	case "%":
		if b == 0 {
			return nil, fmt.Errorf("modulo by zero")
		}
		m := a % b
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m, nil
	case "**":
		if b < 0 {
			return floatArith(op, float64(a), float64(b))
		}
		f := math.Pow(float64(a), float64(b))
		if math.Abs(f) >= 1<<63 {
			return nil, fmt.Errorf("%w: %d ** %d overflows", ErrBudget, a, b)
		}
		return int64(f), nil
	case "<", ">", "<=", ">=":
		return compareResult(op, sign(a, b)), nil
	}
	return nil, fmt.Errorf("unsupported integer operator %s", op)
}

func floatArith(op string, a, b float64) (value, error) {
	var f float64
	switch op {
	case "+":
		f = a + b
	case "-":
		f = a - b
	case "*":
		f = a * b
	case "/":
		if b == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		f = a / b
	case "//":
		if b == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		f = math.Floor(a / b)
	case "%":
		if b == 0 {
			return nil, fmt.Errorf("modulo by zero")
		}
		f = math.Mod(a, b)
		if f != 0 && (f < 0) != (b < 0) {
			f += b
		}
	case "**":
		f = math.Pow(a, b)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("%v ** %v is not a finite number", a, b)
		}
	case "<", ">", "<=", ">=":
		return compareResult(op, sign(a, b)), nil
	default:
		return nil, fmt.Errorf("unsupported float operator %s", op)
	}
	return f, nil
}

// runeLen is the length of a string as templates see it (code points).
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// runeAt returns the i-th code point of s (negative i counts from the end)
// as a string, or undefined when out of range, without allocating.
func runeAt(s string, i int64) value {
	if i < 0 { // walk back from the end: O(|i|), not O(len(s))
		for ; len(s) > 0; i++ {
			r, size := utf8.DecodeLastRuneInString(s)
			if i == -1 {
				return string(r)
			}
			s = s[:len(s)-size]
		}
		return undefV{}
	}
	for _, r := range s {
		if i == 0 {
			return string(r)
		}
		i--
	}
	return undefV{}
}
