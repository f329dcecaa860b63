package chat

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func (it *interp) evalTest(e *testExpr, sc *scope) (value, error) {
	v, err := it.eval(e.arg, sc)
	if err != nil {
		return nil, err
	}
	args, _, err := it.evalArgs(e.args, sc)
	if err != nil {
		return nil, err
	}
	if err := it.scan(v); err != nil {
		return nil, err
	}
	ok, err := runTest(e.name, v, args)
	if err != nil {
		return nil, err
	}
	return ok != e.neg, nil
}

func runTest(name string, v value, args []value) (bool, error) {
	if ok, known := typeTest(name, v); known {
		return ok, nil
	}
	arg := value(undefV{})
	if len(args) > 0 {
		arg = args[0]
	}
	switch name {
	case "odd", "even":
		n, ok := v.(int64)
		if !ok {
			return false, fmt.Errorf("test %s needs an integer, got %s", name, typeName(v))
		}
		return (n%2 != 0) == (name == "odd"), nil
	case "equalto", "eq", "==", "sameas":
		return equal(v, arg), nil
	case "ne", "!=":
		return !equal(v, arg), nil
	case "lower", "upper":
		s, ok := v.(string)
		if !ok {
			return false, nil
		}
		if name == "lower" {
			return s == strings.ToLower(s), nil
		}
		return s == strings.ToUpper(s), nil
	case "in":
		return contains(arg, v)
	case "lt", "<", "gt", ">", "le", "ge":
		c, err := compareValues(v, arg)
		if err != nil {
			return false, err
		}
		switch name {
		case "lt", "<":
			return c < 0, nil
		case "gt", ">":
			return c > 0, nil
		case "le":
			return c <= 0, nil
		}
		return c >= 0, nil
	}
	return false, fmt.Errorf("unknown test %q", name)
}

// typeTest runs the tests that only look at a value's type; known is false
// for other test names.
func typeTest(name string, v value) (ok, known bool) {
	switch name {
	case "defined":
		return v != (undefV{}), true
	case "undefined":
		return v == (undefV{}), true
	case "none":
		return v == (noneV{}), true
	case "string":
		_, ok = v.(string)
	case "number":
		_, ok = toFloat(v)
	case "integer":
		_, ok = v.(int64)
	case "float":
		_, ok = v.(float64)
	case "boolean":
		_, ok = v.(bool)
	case "true", "false":
		b, isBool := v.(bool)
		ok = isBool && b == (name == "true")
	case "mapping":
		_, ok = v.(*mapV)
	case "iterable": // as in the reference: lists and strings, not mappings
		switch v.(type) {
		case *listV, string:
			ok = true
		}
	case "sequence":
		switch v.(type) {
		case *listV, string, *mapV:
			ok = true
		}
	case "callable":
		_, ok = v.(*funcV)
	default:
		return false, false
	}
	return ok, true
}

// globals are the functions every template sees. None of them reaches
// outside the sandbox: strftime_now reads Options.Now, not the clock.
func (it *interp) globals() map[string]value {
	return map[string]value{
		"range":           fn("range", builtinRange),
		"namespace":       fn("namespace", builtinNamespace),
		"dict":            fn("dict", builtinDict),
		"raise_exception": fn("raise_exception", builtinRaise),
		"strftime_now": fn("strftime_now", func(it *interp, args []value, kw *mapV) (value, error) {
			f, err := argStr(args, kw, 0, "format", "")
			if err != nil {
				return nil, err
			}
			return strftime(it.now, f), nil
		}),
	}
}

func builtinRange(_ *interp, args []value, _ *mapV) (value, error) {
	var n [3]int64
	if len(args) < 1 || len(args) > 3 {
		return nil, fmt.Errorf("range takes 1 to 3 arguments, got %d", len(args))
	}
	for i, a := range args {
		x, ok := a.(int64)
		if !ok {
			return nil, fmt.Errorf("range arguments must be integers, got %s", typeName(a))
		}
		n[i] = x
	}
	start, stop, step := int64(0), n[0], int64(1)
	if len(args) >= 2 {
		start, stop = n[0], n[1]
	}
	if len(args) == 3 {
		step = n[2]
	}
	if step == 0 {
		return nil, fmt.Errorf("range step cannot be zero")
	}
	var count int64
	if step > 0 && stop > start {
		count = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		count = (start - stop - step - 1) / -step
	}
	if count < 0 || count > MaxRange {
		return nil, fmt.Errorf("%w: range of %d items exceeds %d", ErrBudget, count, MaxRange)
	}
	l := &listV{items: make([]value, count)}
	for i := int64(0); i < count; i++ {
		l.items[i] = start + i*step
	}
	return l, nil
}

func builtinNamespace(_ *interp, args []value, kw *mapV) (value, error) {
	ns := newMap()
	ns.ns = true
	if len(args) > 1 {
		return nil, fmt.Errorf("namespace takes at most one positional argument")
	}
	if len(args) == 1 {
		m, ok := args[0].(*mapV)
		if !ok {
			return nil, fmt.Errorf("namespace argument must be a mapping, got %s", typeName(args[0]))
		}
		for _, k := range m.keys {
			ns.set(k, m.m[k])
		}
	}
	for _, k := range kw.keys {
		ns.set(k, kw.m[k])
	}
	return ns, nil
}

func builtinDict(_ *interp, args []value, kw *mapV) (value, error) {
	if len(args) > 0 {
		return nil, fmt.Errorf("dict takes keyword arguments only")
	}
	m := newMap()
	for _, k := range kw.keys {
		m.set(k, kw.m[k])
	}
	return m, nil
}

func builtinRaise(_ *interp, args []value, _ *mapV) (value, error) {
	msg := ""
	if len(args) > 0 {
		msg = str(args[0])
	}
	return nil, fmt.Errorf("%w: %s", errRaised, msg)
}

// strftime supports the directives chat templates use. Month and day names
// are English, as in the reference renderer.
func strftime(t time.Time, f string) string {
	var sb strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			sb.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			sb.WriteString(strconv.Itoa(t.Year()))
		case 'y':
			fmt.Fprintf(&sb, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&sb, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&sb, "%02d", t.Day())
		case 'b':
			sb.WriteString(t.Month().String()[:3])
		case 'B':
			sb.WriteString(t.Month().String())
		case 'a':
			sb.WriteString(t.Weekday().String()[:3])
		case 'A':
			sb.WriteString(t.Weekday().String())
		case 'H':
			fmt.Fprintf(&sb, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&sb, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&sb, "%02d", t.Second())
		case '%':
			sb.WriteByte('%')
		default:
			sb.WriteByte('%')
			sb.WriteByte(f[i])
		}
	}
	return sb.String()
}
