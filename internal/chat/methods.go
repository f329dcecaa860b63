package chat

import (
	"fmt"
	"strings"
	"unicode"
)

// fn builds a builtin function value.
func fn(name string, f func(it *interp, args []value, kw *mapV) (value, error)) *funcV {
	return &funcV{name: name, fn: f}
}

// argStr returns positional argument i (or keyword name) as a string, with a
// default when absent.
func argStr(args []value, kw *mapV, i int, name, def string) (string, error) {
	v := argAt(args, kw, i, name)
	switch x := v.(type) {
	case undefV, noneV:
		return def, nil
	case string:
		return x, nil
	}
	return "", fmt.Errorf("argument %s must be a string, got %s", name, typeName(v))
}

func argInt(args []value, kw *mapV, i int, name string, def int64) (int64, error) {
	v := argAt(args, kw, i, name)
	switch x := v.(type) {
	case undefV, noneV:
		return def, nil
	case int64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("argument %s must be an integer, got %s", name, typeName(v))
}

func argAt(args []value, kw *mapV, i int, name string) value {
	if i >= 0 && i < len(args) {
		return args[i]
	}
	if kw != nil {
		if v, ok := kw.get(name); ok {
			return v
		}
	}
	return undefV{}
}

// stringMethod returns the bound method name of s; calling it first pays
// for scanning s (see scan).
func stringMethod(s, name string) value {
	m, ok := stringMethodImpl(s, name).(*funcV)
	if !ok {
		return undefV{}
	}
	return fn(name, func(it *interp, args []value, kw *mapV) (value, error) {
		if err := it.scan(s); err != nil {
			return nil, err
		}
		return m.fn(it, args, kw)
	})
}

func stringMethodImpl(s, name string) value {
	switch name {
	case "upper", "lower", "title", "capitalize":
		return fn(name, func(*interp, []value, *mapV) (value, error) { return caseConvert(name, s), nil })
	case "strip", "lstrip", "rstrip":
		return fn(name, func(_ *interp, args []value, kw *mapV) (value, error) {
			return stripString(name, s, argAt(args, kw, 0, "chars"))
		})
	case "startswith", "endswith":
		return fn(name, func(_ *interp, args []value, kw *mapV) (value, error) {
			return affix(name, s, argAt(args, kw, 0, "prefix"))
		})
	case "split":
		return fn(name, func(it *interp, args []value, kw *mapV) (value, error) {
			return splitString(s, args, kw)
		})
	case "replace":
		return fn(name, func(it *interp, args []value, kw *mapV) (value, error) {
			return replaceString(s, args, kw)
		})
	case "find":
		return fn(name, func(_ *interp, args []value, kw *mapV) (value, error) {
			sub, err := argStr(args, kw, 0, "sub", "")
			if err != nil {
				return nil, err
			}
			i := strings.Index(s, sub)
			if i < 0 {
				return int64(-1), nil
			}
			return int64(runeLen(s[:i])), nil
		})
	}
	return undefV{}
}

func caseConvert(name, s string) string {
	switch name {
	case "upper":
		return strings.ToUpper(s)
	case "lower":
		return strings.ToLower(s)
	case "capitalize":
		r := []rune(strings.ToLower(s))
		if len(r) > 0 {
			r[0] = unicode.ToUpper(r[0])
		}
		return string(r)
	}
	// title: upper-case the first letter of each word
	r := []rune(s)
	prevLetter := false
	for i, c := range r {
		isWord := unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_'
		if isWord && !prevLetter {
			r[i] = unicode.ToUpper(c)
		}
		prevLetter = isWord
	}
	return string(r)
}

func stripString(name, s string, chars value) (value, error) {
	var cut func(string) string
	switch c := chars.(type) {
	case undefV, noneV:
		cut = map[string]func(string) string{
			"strip":  strings.TrimSpace,
			"lstrip": func(x string) string { return strings.TrimLeftFunc(x, unicode.IsSpace) },
			"rstrip": func(x string) string { return strings.TrimRightFunc(x, unicode.IsSpace) },
		}[name]
	case string:
		cut = map[string]func(string) string{
			"strip":  func(x string) string { return strings.Trim(x, c) },
			"lstrip": func(x string) string { return strings.TrimLeft(x, c) },
			"rstrip": func(x string) string { return strings.TrimRight(x, c) },
		}[name]
	default:
		return nil, fmt.Errorf("%s: chars must be a string, got %s", name, typeName(chars))
	}
	return cut(s), nil
}

func affix(name, s string, v value) (value, error) {
	var cands []string
	switch x := v.(type) {
	case string:
		cands = []string{x}
	case *listV:
		for _, it := range x.items {
			p, ok := it.(string)
			if !ok {
				return nil, fmt.Errorf("%s: tuple items must be strings", name)
			}
			cands = append(cands, p)
		}
	default:
		return nil, fmt.Errorf("%s: argument must be a string, got %s", name, typeName(v))
	}
	for _, c := range cands {
		if (name == "startswith" && strings.HasPrefix(s, c)) || (name == "endswith" && strings.HasSuffix(s, c)) {
			return true, nil
		}
	}
	return false, nil
}

func splitString(s string, args []value, kw *mapV) (value, error) {
	sepV := argAt(args, kw, 0, "sep")
	maxSplit, err := argInt(args, kw, 1, "maxsplit", -1)
	if err != nil {
		return nil, err
	}
	var parts []string
	switch sep := sepV.(type) {
	case undefV, noneV:
		parts = strings.Fields(s)
		if maxSplit >= 0 && int64(len(parts)) > maxSplit+1 {
			// Python keeps the remainder (left-trimmed) as the last part.
			rest := strings.TrimLeftFunc(s, unicode.IsSpace)
			parts = parts[:0]
			for i := int64(0); i < maxSplit; i++ {
				j := strings.IndexFunc(rest, unicode.IsSpace)
				parts = append(parts, rest[:j])
				rest = strings.TrimLeftFunc(rest[j:], unicode.IsSpace)
			}
			parts = append(parts, rest)
		}
	case string:
		if sep == "" {
			return nil, fmt.Errorf("split: empty separator")
		}
		n := -1
		if maxSplit >= 0 {
			n = int(min(maxSplit, int64(MaxListLen))) + 1
		}
		parts = strings.SplitN(s, sep, n)
	default:
		return nil, fmt.Errorf("split: separator must be a string, got %s", typeName(sepV))
	}
	if err := checkLen(len(parts), MaxListLen, "split result"); err != nil {
		return nil, err
	}
	l := &listV{items: make([]value, len(parts))}
	for i, p := range parts {
		l.items[i] = p
	}
	return l, nil
}

func replaceString(s string, args []value, kw *mapV) (value, error) {
	old, err := argStr(args, kw, 0, "old", "")
	if err != nil {
		return nil, err
	}
	repl, err := argStr(args, kw, 1, "new", "")
	if err != nil {
		return nil, err
	}
	count, err := argInt(args, kw, 2, "count", -1)
	if err != nil {
		return nil, err
	}
	n := strings.Count(s, old)
	if old == "" {
		n = runeLen(s) + 1
	}
	if count >= 0 && int64(n) > count {
		n = int(count)
	}
	if err := checkLen(len(s)+n*(len(repl)-len(old)), MaxStringBytes, "replace result"); err != nil {
		return nil, err
	}
	return strings.Replace(s, old, repl, n), nil
}

func mapMethod(m *mapV, name string) value {
	switch name {
	case "items", "keys", "values":
		return fn(name, func(*interp, []value, *mapV) (value, error) { return mapView(m, name), nil })
	case "get":
		return fn(name, func(_ *interp, args []value, kw *mapV) (value, error) {
			k, ok := argAt(args, kw, 0, "key").(string)
			if !ok {
				return nil, fmt.Errorf("get: key must be a string")
			}
			if v, ok := m.get(k); ok {
				return v, nil
			}
			if d := argAt(args, kw, 1, "default"); d != (undefV{}) {
				return d, nil
			}
			return noneV{}, nil
		})
	}
	return undefV{}
}

func mapView(m *mapV, name string) *listV {
	l := &listV{items: make([]value, len(m.keys))}
	for i, k := range m.keys {
		switch name {
		case "keys":
			l.items[i] = k
		case "values":
			l.items[i] = m.m[k]
		default:
			l.items[i] = &listV{items: []value{k, m.m[k]}, tuple: true}
		}
	}
	return l
}
