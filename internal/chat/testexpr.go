package chat

// Jinja tests: "x is defined", "x is string", "x is divisibleby(3)"…

import (
	"fmt"
	"strings"
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
