package chat

// Global functions: range, namespace, dict, raise_exception, strftime_now.

import "fmt"

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
