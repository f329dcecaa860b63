package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// value is a template runtime value. Only these dynamic types ever occur:
// undefV, noneV, bool, int64, float64, string, *listV, *mapV, *funcV.
// Templates never see Go values: everything handed to a template is copied
// into these types first (the sandbox boundary).
type value any

type (
	undefV struct{}
	noneV  struct{}
	listV  struct {
		items []value
		tuple bool
	}
	// mapV is an insertion-ordered string-keyed map (JSON object order is
	// kept, as in the reference implementation). ns marks namespace() objects,
	// the only maps a template may assign attributes to.
	mapV struct {
		keys []string
		m    map[string]value
		ns   bool
	}
	// loopV is the "loop" variable of a for statement.
	loopV struct {
		i, n  int64
		items []value
	}
	funcV struct {
		name string
		fn   func(it *interp, args []value, kw *mapV) (value, error)
	}
)

func newMap() *mapV { return &mapV{m: map[string]value{}} }

func (m *mapV) get(k string) (value, bool) {
	v, ok := m.m[k]
	return v, ok
}

func (m *mapV) set(k string, v value) {
	if _, ok := m.m[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.m[k] = v
}

func typeName(v value) string {
	switch v.(type) {
	case undefV:
		return "undefined"
	case noneV:
		return "none"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "float"
	case string:
		return "string"
	case *listV:
		return "list"
	case *mapV:
		return "object"
	case *funcV:
		return "function"
	case *loopV:
		return "loop"
	}
	return "unknown"
}

func truthy(v value) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	case *listV:
		return len(x.items) > 0
	case *mapV:
		return len(x.keys) > 0
	case *funcV, *loopV:
		return true
	}
	return false
}

// attr returns a loop attribute, or undefined.
func (l *loopV) attr(name string) value {
	switch name {
	case "index":
		return l.i + 1
	case "index0":
		return l.i
	case "revindex":
		return l.n - l.i
	case "revindex0":
		return l.n - l.i - 1
	case "first":
		return l.i == 0
	case "last":
		return l.i == l.n-1
	case "length":
		return l.n
	case "previtem":
		if l.i > 0 {
			return l.items[l.i-1]
		}
	case "nextitem":
		if l.i < l.n-1 {
			return l.items[l.i+1]
		}
	}
	return undefV{}
}

func formatFloat(f float64) string {
	switch {
	case f == 0 && math.Signbit(f):
		return "-0.0"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// str converts a value to the text it prints as.
func str(v value) string {
	switch x := v.(type) {
	case undefV, noneV:
		return ""
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case string:
		return x
	case *listV, *mapV:
		var sb strings.Builder
		_ = writeJSON(&sb, v, jsonOpts{item: ", ", key: ": ", undefAsName: true}, 0, MaxStringBytes)
		return sb.String()
	case *funcV:
		return "[function " + x.name + "]"
	}
	return ""
}

type jsonOpts struct {
	indent      string
	item, key   string
	undefAsName bool // print undefined as "undefined" rather than null
}

// writeJSON serialises v like Python's json.dumps (as the reference does),
// refusing to write more than limit bytes.
func writeJSON(sb *strings.Builder, v value, o jsonOpts, depth, limit int) error {
	if sb.Len() > limit {
		return fmt.Errorf("tojson output over %d bytes", limit)
	}
	if depth > MaxNesting {
		return fmt.Errorf("tojson nesting deeper than %d", MaxNesting)
	}
	switch x := v.(type) {
	case undefV:
		if o.undefAsName {
			sb.WriteString("undefined")
		} else {
			sb.WriteString("null")
		}
	case noneV:
		sb.WriteString("null")
	case bool, int64:
		sb.WriteString(str(x))
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			sb.WriteString("null")
		} else {
			sb.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case string:
		writeJSONString(sb, x)
	case *listV:
		return writeJSONList(sb, x, o, depth, limit)
	case *mapV:
		return writeJSONMap(sb, x, o, depth, limit)
	default:
		return fmt.Errorf("cannot serialise %s to JSON", typeName(v))
	}
	return nil
}

func writeJSONList(sb *strings.Builder, x *listV, o jsonOpts, depth, limit int) error {
	return writeJSONSeq(sb, '[', ']', len(x.items), o, depth, func(i int) error {
		return writeJSON(sb, x.items[i], o, depth+1, limit)
	})
}

func writeJSONMap(sb *strings.Builder, x *mapV, o jsonOpts, depth, limit int) error {
	return writeJSONSeq(sb, '{', '}', len(x.keys), o, depth, func(i int) error {
		writeJSONString(sb, x.keys[i])
		sb.WriteString(o.key)
		return writeJSON(sb, x.m[x.keys[i]], o, depth+1, limit)
	})
}

// writeJSONSeq writes the n items of a list or map between open and close,
// separated and indented as o says; item writes the i-th.
func writeJSONSeq(sb *strings.Builder, open, close byte, n int, o jsonOpts, depth int, item func(i int) error) error {
	sb.WriteByte(open)
	if n == 0 {
		sb.WriteByte(close)
		return nil
	}
	for i := range n {
		if i > 0 {
			sb.WriteString(o.item)
		}
		jsonNewline(sb, o, depth+1)
		if err := item(i); err != nil {
			return err
		}
	}
	jsonNewline(sb, o, depth)
	sb.WriteByte(close)
	return nil
}

func jsonNewline(sb *strings.Builder, o jsonOpts, depth int) {
	if o.indent == "" {
		return
	}
	sb.WriteByte('\n')
	for i := 0; i < depth; i++ {
		sb.WriteString(o.indent)
	}
}

// writeJSONString escapes like JavaScript's JSON.stringify: only quotes,
// backslashes and control characters; non-ASCII text is kept as is.
func writeJSONString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(sb, `\u%04x`, r)
			} else {
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
}

// equal mirrors the reference's loose equality: numbers by value, strings and
// booleans by value, lists and maps by identity.
func equal(a, b value) bool {
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			return fa == fb
		}
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case undefV, noneV:
		switch b.(type) {
		case undefV, noneV:
			return true
		}
		return false
	}
	return a == b
}

// toFloat converts numbers (not booleans) to float64.
func toFloat(v value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// fromJSON decodes JSON into template values, keeping object key order and
// turning integral numbers into integers (as JavaScript-based references do).
func fromJSON(data []byte) (value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSONValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func decodeJSONValue(dec *json.Decoder, depth int) (value, error) {
	if depth > MaxNesting {
		return nil, fmt.Errorf("JSON nesting deeper than %d", MaxNesting)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return noneV{}, nil
	case bool:
		return t, nil
	case string:
		return t, nil
	case json.Number:
		if n, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return nil, fmt.Errorf("number %q: %w", t, err)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
		return f, nil
	case json.Delim:
		if t == '[' {
			l := &listV{}
			for dec.More() {
				v, err := decodeJSONValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, v)
			}
			_, err := dec.Token()
			return l, err
		}
		m := newMap()
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeJSONValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			m.set(kt.(string), v)
		}
		_, err := dec.Token()
		return m, err
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}
