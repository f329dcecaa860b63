package chat

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// maxIndent caps tojson(indent=) and indent(width): indentation multiplies
// output size, and no template needs more than a few spaces.
const maxIndent = 64

type filterFunc func(it *interp, v value, args []value, kw *mapV) (value, error)

var filters map[string]filterFunc

func init() {
	filters = map[string]filterFunc{
		"trim": func(_ *interp, v value, args []value, kw *mapV) (value, error) {
			s, err := needString(v, "trim")
			if err != nil {
				return nil, err
			}
			return stripString("strip", s, argAt(args, kw, 0, "chars"))
		},
		"tojson":     filterToJSON,
		"length":     filterLength,
		"count":      filterLength,
		"string":     func(_ *interp, v value, _ []value, _ *mapV) (value, error) { return str(v), nil },
		"safe":       func(_ *interp, v value, _ []value, _ *mapV) (value, error) { return v, nil },
		"list":       filterList,
		"join":       filterJoin,
		"upper":      caseFilter("upper"),
		"lower":      caseFilter("lower"),
		"title":      caseFilter("title"),
		"capitalize": caseFilter("capitalize"),
		"first":      func(_ *interp, v value, _ []value, _ *mapV) (value, error) { return pick(v, 0) },
		"last":       func(_ *interp, v value, _ []value, _ *mapV) (value, error) { return pick(v, -1) },
		"reverse":    filterReverse,
		"default":    filterDefault,
		"d":          filterDefault,
		"items": func(_ *interp, v value, _ []value, _ *mapV) (value, error) {
			m, ok := v.(*mapV)
			if !ok {
				return nil, fmt.Errorf("items: expected a mapping, got %s", typeName(v))
			}
			return mapView(m, "items"), nil
		},
		"map":        filterMap,
		"selectattr": selectFilter(true, true),
		"rejectattr": selectFilter(false, true),
		"select":     selectFilter(true, false),
		"reject":     selectFilter(false, false),
		"unique":     filterUnique,
		"replace": func(_ *interp, v value, args []value, kw *mapV) (value, error) {
			s, err := needString(v, "replace")
			if err != nil {
				return nil, err
			}
			return replaceString(s, args, kw)
		},
		"int":    filterInt,
		"float":  filterFloat,
		"abs":    filterAbs,
		"sort":   filterSort,
		"indent": filterIndent,
	}
}

func needString(v value, what string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: expected a string, got %s", what, typeName(v))
	}
	return s, nil
}

func needList(v value, what string) ([]value, error) {
	switch x := v.(type) {
	case *listV:
		return x.items, nil
	case string, *mapV:
		return iterItems(v)
	}
	return nil, fmt.Errorf("%s: expected a sequence, got %s", what, typeName(v))
}

func (it *interp) evalFilter(e *filterExpr, sc *scope) (value, error) {
	v, err := it.eval(e.arg, sc)
	if err != nil {
		return nil, err
	}
	f, ok := filters[e.name]
	if !ok {
		return nil, fmt.Errorf("unknown filter %q", e.name)
	}
	args, kw, err := it.evalArgs(e.args, sc)
	if err != nil {
		return nil, err
	}
	if err := it.scan(v); err != nil {
		return nil, err
	}
	out, err := f(it, v, args, kw)
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", e.name, err)
	}
	return out, nil
}

func filterToJSON(it *interp, v value, args []value, kw *mapV) (value, error) {
	o := jsonOpts{item: ", ", key: ": "}
	ind := argAt(args, kw, 0, "indent")
	switch n := ind.(type) {
	case int64:
		if n < 0 || n > maxIndent {
			return nil, fmt.Errorf("indent %d out of range 0..%d", n, maxIndent)
		}
		if n > 0 {
			o.indent = strings.Repeat(" ", int(n))
			o.item = ","
		}
	case undefV, noneV:
	default:
		return nil, fmt.Errorf("indent must be an integer, got %s", typeName(ind))
	}
	var sb strings.Builder
	if err := writeJSON(&sb, v, o, 0, MaxStringBytes); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBudget, err)
	}
	return sb.String(), nil
}

func filterLength(_ *interp, v value, _ []value, _ *mapV) (value, error) {
	switch x := v.(type) {
	case string:
		return int64(runeLen(x)), nil
	case *listV:
		return int64(len(x.items)), nil
	case *mapV:
		return int64(len(x.keys)), nil
	}
	return nil, fmt.Errorf("length of %s", typeName(v))
}

func filterList(_ *interp, v value, _ []value, _ *mapV) (value, error) {
	items, err := needList(v, "list")
	if err != nil {
		return nil, err
	}
	return &listV{items: append([]value(nil), items...)}, nil
}

func filterJoin(it *interp, v value, args []value, kw *mapV) (value, error) {
	items, err := needList(v, "join")
	if err != nil {
		return nil, err
	}
	sep, err := argStr(args, kw, 0, "d", "")
	if err != nil {
		return nil, err
	}
	attr, err := argStr(args, kw, 1, "attribute", "")
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	for i, x := range items {
		if i > 0 {
			sb.WriteString(sep)
		}
		if attr != "" {
			x = member(x, attr)
		}
		sb.WriteString(str(x))
		if sb.Len() > MaxStringBytes {
			return nil, fmt.Errorf("%w: join result over %d bytes", ErrBudget, MaxStringBytes)
		}
	}
	return sb.String(), nil
}

func caseFilter(name string) filterFunc {
	return func(_ *interp, v value, _ []value, _ *mapV) (value, error) {
		s, err := needString(v, name)
		if err != nil {
			return nil, err
		}
		return caseConvert(name, s), nil
	}
}

func pick(v value, i int64) (value, error) {
	items, err := needList(v, "first/last")
	if err != nil {
		return nil, err
	}
	if j, ok := normIndex(i, len(items)); ok {
		return items[j], nil
	}
	return undefV{}, nil
}

func filterReverse(_ *interp, v value, _ []value, _ *mapV) (value, error) {
	if s, ok := v.(string); ok {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r), nil
	}
	items, err := needList(v, "reverse")
	if err != nil {
		return nil, err
	}
	out := make([]value, len(items))
	for i, x := range items {
		out[len(items)-1-i] = x
	}
	return &listV{items: out}, nil
}

func filterDefault(_ *interp, v value, args []value, kw *mapV) (value, error) {
	def := argAt(args, kw, 0, "default_value")
	if _, ok := def.(undefV); ok {
		def = ""
	}
	boolean := truthy(argAt(args, kw, 1, "boolean"))
	if _, undef := v.(undefV); undef || (boolean && !truthy(v)) {
		return def, nil
	}
	return v, nil
}

func filterMap(it *interp, v value, args []value, kw *mapV) (value, error) {
	items, err := needList(v, "map")
	if err != nil {
		return nil, err
	}
	out := &listV{items: make([]value, 0, len(items))}
	if attr, ok := argAt(nil, kw, -1, "attribute").(string); ok {
		def := argAt(nil, kw, -1, "default")
		for _, x := range items {
			y := member(x, attr)
			if _, undef := y.(undefV); undef && def != (undefV{}) {
				y = def
			}
			out.items = append(out.items, y)
		}
		return out, nil
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("map needs a filter name or attribute=")
	}
	name, ok := args[0].(string)
	f, known := filters[name]
	if !ok || !known {
		return nil, fmt.Errorf("map: unknown filter %v", args[0])
	}
	for _, x := range items {
		if err := it.step(); err != nil {
			return nil, err
		}
		y, err := f(it, x, args[1:], kw)
		if err != nil {
			return nil, err
		}
		out.items = append(out.items, y)
	}
	return out, nil
}

// selectFilter builds select/reject (test on the item) and
// selectattr/rejectattr (test on an attribute of the item).
func selectFilter(keep, byAttr bool) filterFunc {
	return func(it *interp, v value, args []value, kw *mapV) (value, error) {
		items, err := needList(v, "select")
		if err != nil {
			return nil, err
		}
		attr := ""
		if byAttr {
			if len(args) == 0 {
				return nil, fmt.Errorf("selectattr needs an attribute name")
			}
			s, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("attribute name must be a string")
			}
			attr, args = s, args[1:]
		}
		testName := ""
		if len(args) > 0 {
			s, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("test name must be a string")
			}
			testName, args = s, args[1:]
		}
		out := &listV{}
		for _, x := range items {
			if err := it.step(); err != nil {
				return nil, err
			}
			y := x
			if byAttr {
				y = member(x, attr)
			}
			ok := truthy(y)
			if testName != "" {
				if ok, err = runTest(testName, y, args); err != nil {
					return nil, err
				}
			}
			if ok == keep {
				out.items = append(out.items, x)
			}
		}
		return out, nil
	}
}

func filterUnique(it *interp, v value, _ []value, _ *mapV) (value, error) {
	items, err := needList(v, "unique")
	if err != nil {
		return nil, err
	}
	out := &listV{}
	for _, x := range items {
		dup := false
		for _, y := range out.items {
			if err := it.step(); err != nil {
				return nil, err
			}
			if equal(x, y) {
				dup = true
				break
			}
		}
		if !dup {
			out.items = append(out.items, x)
		}
	}
	return out, nil
}

func filterInt(_ *interp, v value, args []value, kw *mapV) (value, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.Abs(x) >= 1<<63 {
			return argAt(args, kw, 0, "default"), nil
		}
		return int64(x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	if d := argAt(args, kw, 0, "default"); d != (undefV{}) {
		return d, nil
	}
	return int64(0), nil
}

func filterFloat(_ *interp, v value, args []value, kw *mapV) (value, error) {
	if f, ok := toFloat(v); ok {
		return f, nil
	}
	if s, ok := v.(string); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f, nil
		}
	}
	if d := argAt(args, kw, 0, "default"); d != (undefV{}) {
		return d, nil
	}
	return 0.0, nil
}

func filterAbs(_ *interp, v value, _ []value, _ *mapV) (value, error) {
	switch x := v.(type) {
	case int64:
		if x == math.MinInt64 {
			return nil, fmt.Errorf("abs overflows")
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	}
	return nil, fmt.Errorf("abs of %s", typeName(v))
}

func filterSort(it *interp, v value, args []value, kw *mapV) (value, error) {
	items, err := needList(v, "sort")
	if err != nil {
		return nil, err
	}
	rev := truthy(argAt(args, kw, 0, "reverse"))
	attr, _ := argAt(nil, kw, -1, "attribute").(string)
	out := append([]value(nil), items...)
	var cmpErr error
	sort.SliceStable(out, func(i, j int) bool {
		if cmpErr == nil {
			cmpErr = it.step()
		}
		a, b := out[i], out[j]
		if attr != "" {
			a, b = member(a, attr), member(b, attr)
		}
		c, err := compareValues(a, b)
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		if rev {
			return c > 0
		}
		return c < 0
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	return &listV{items: out}, nil
}

func compareValues(a, b value) (int, error) {
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			switch {
			case fa < fb:
				return -1, nil
			case fa > fb:
				return 1, nil
			}
			return 0, nil
		}
	}
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return strings.Compare(sa, sb), nil
	}
	return 0, fmt.Errorf("cannot compare %s with %s", typeName(a), typeName(b))
}

func filterIndent(_ *interp, v value, args []value, kw *mapV) (value, error) {
	s, err := needString(v, "indent")
	if err != nil {
		return nil, err
	}
	width, err := argInt(args, kw, 0, "width", 4)
	if err != nil {
		return nil, err
	}
	if width < 0 || width > maxIndent {
		return nil, fmt.Errorf("indent width %d out of range 0..%d", width, maxIndent)
	}
	first := truthy(argAt(args, kw, 1, "first"))
	pad := strings.Repeat(" ", int(width))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if (i > 0 || first) && l != "" {
			lines[i] = pad + l
		}
	}
	out := strings.Join(lines, "\n")
	return out, checkLen(len(out), MaxStringBytes, "indent result")
}
