package remote

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrSchemaMismatch is wrapped when a server's output is not JSON valid under
// Request.JSONSchema, even after the repair retry.
var ErrSchemaMismatch = errors.New("output does not match the JSON schema")

// maxSchemaDepth caps recursion through nested instances and $ref chains, so
// a self-referencing schema or deeply nested output cannot exhaust the stack.
const maxSchemaDepth = 64

// Schema is a minimal JSON Schema validator for the keywords structured
// output uses: type, enum, const, properties, required,
// additionalProperties, items, min/maxItems, min/maxLength, minimum,
// maximum, exclusiveMinimum/Maximum, pattern, anyOf, oneOf, allOf and local
// $ref (#/$defs/…, #/definitions/…). Other keywords are ignored.
type Schema struct {
	root    any
	regexps map[string]*regexp.Regexp
}

// CompileSchema parses a JSON Schema document.
func CompileSchema(data []byte) (*Schema, error) {
	root, err := decodeJSON(data)
	if err != nil {
		return nil, fmt.Errorf("json schema: %w", err)
	}
	if _, ok := root.(map[string]any); !ok {
		if _, isBool := root.(bool); !isBool {
			return nil, fmt.Errorf("json schema: want an object, got %T", root)
		}
	}
	s := &Schema{root: root, regexps: map[string]*regexp.Regexp{}}
	if err := s.compilePatterns(root, 0); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Schema) compilePatterns(node any, depth int) error {
	if depth > maxSchemaDepth {
		return fmt.Errorf("json schema: nested deeper than %d", maxSchemaDepth)
	}
	switch n := node.(type) {
	case map[string]any:
		if p, ok := n["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("json schema: pattern %q: %w", p, err)
			}
			s.regexps[p] = re
		}
		for _, v := range n {
			if err := s.compilePatterns(v, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, v := range n {
			if err := s.compilePatterns(v, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// ValidateJSON parses data and validates it against the schema.
func (s *Schema) ValidateJSON(data []byte) error {
	v, err := decodeJSON(bytes.TrimSpace(data))
	if err != nil {
		return fmt.Errorf("not valid JSON: %w", err)
	}
	return s.validate(s.root, v, "$", 0)
}

func (s *Schema) resolve(ref string) (any, error) {
	for _, prefix := range []string{"#/$defs/", "#/definitions/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok {
			root, _ := s.root.(map[string]any)
			defs, _ := root[strings.TrimSuffix(strings.TrimPrefix(prefix, "#/"), "/")].(map[string]any)
			if d, ok := defs[name]; ok {
				return d, nil
			}
		}
	}
	if ref == "#" {
		return s.root, nil
	}
	return nil, fmt.Errorf("unsupported $ref %q", ref)
}

func (s *Schema) validate(node, v any, path string, depth int) error {
	if depth > maxSchemaDepth {
		return fmt.Errorf("%s: nested deeper than %d", path, maxSchemaDepth)
	}
	if b, ok := node.(bool); ok {
		if !b {
			return fmt.Errorf("%s: not allowed", path)
		}
		return nil
	}
	sch, ok := node.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: invalid schema node", path)
	}
	if ref, ok := sch["$ref"].(string); ok {
		target, err := s.resolve(ref)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := s.validate(target, v, path, depth+1); err != nil {
			return err
		}
	}
	if err := checkType(sch, v, path); err != nil {
		return err
	}
	if err := checkEnumConst(sch, v, path); err != nil {
		return err
	}
	if err := s.checkCombinators(sch, v, path, depth); err != nil {
		return err
	}
	switch x := v.(type) {
	case map[string]any:
		return s.checkObject(sch, x, path, depth)
	case []any:
		return s.checkArray(sch, x, path, depth)
	case string:
		return s.checkString(sch, x, path)
	case json.Number:
		return checkNumber(sch, x, path)
	}
	return nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if r, ok := ratOf(x); ok && r.IsInt() {
			return "integer"
		}
		return "number"
	}
	return "unknown"
}

func checkType(sch map[string]any, v any, path string) error {
	var want []string
	switch t := sch["type"].(type) {
	case string:
		want = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				want = append(want, s)
			}
		}
	default:
		return nil
	}
	got := jsonType(v)
	for _, w := range want {
		if w == got || (w == "number" && got == "integer") {
			return nil
		}
	}
	return fmt.Errorf("%s: expected %s, got %s", path, strings.Join(want, " or "), got)
}

func checkEnumConst(sch map[string]any, v any, path string) error {
	if c, ok := sch["const"]; ok && !jsonEqual(c, v) {
		return fmt.Errorf("%s: expected the constant %s", path, compact(c))
	}
	enum, ok := sch["enum"].([]any)
	if !ok {
		return nil
	}
	for _, e := range enum {
		if jsonEqual(e, v) {
			return nil
		}
	}
	return fmt.Errorf("%s: %s is not one of %s", path, compact(v), compact(enum))
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

func jsonEqual(a, b any) bool {
	na, okA := a.(json.Number)
	nb, okB := b.(json.Number)
	if okA && okB {
		ra, ok1 := ratOf(na)
		rb, ok2 := ratOf(nb)
		return ok1 && ok2 && ra.Cmp(rb) == 0
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func (s *Schema) checkCombinators(sch map[string]any, v any, path string, depth int) error {
	if all, ok := sch["allOf"].([]any); ok {
		for _, sub := range all {
			if err := s.validate(sub, v, path, depth+1); err != nil {
				return err
			}
		}
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		subs, ok := sch[kw].([]any)
		if !ok {
			continue
		}
		matches := 0
		var firstErr error
		for _, sub := range subs {
			if err := s.validate(sub, v, path, depth+1); err != nil {
				if firstErr == nil {
					firstErr = err
				}
			} else {
				matches++
			}
		}
		if matches == 0 {
			return fmt.Errorf("%s: matches none of %s (first: %v)", path, kw, firstErr)
		}
		if kw == "oneOf" && matches > 1 {
			return fmt.Errorf("%s: matches %d branches of oneOf", path, matches)
		}
	}
	return nil
}

func (s *Schema) checkObject(sch map[string]any, obj map[string]any, path string, depth int) error {
	props, _ := sch["properties"].(map[string]any)
	if req, ok := sch["required"].([]any); ok {
		for _, r := range req {
			if name, ok := r.(string); ok {
				if _, present := obj[name]; !present {
					return fmt.Errorf("%s: missing required property %q", path, name)
				}
			}
		}
	}
	for k, val := range obj {
		sub := path + "." + k
		if p, ok := props[k]; ok {
			if err := s.validate(p, val, sub, depth+1); err != nil {
				return err
			}
			continue
		}
		switch ap := sch["additionalProperties"].(type) {
		case bool:
			if !ap {
				return fmt.Errorf("%s: unexpected property %q", path, k)
			}
		case map[string]any:
			if err := s.validate(ap, val, sub, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Schema) checkArray(sch map[string]any, arr []any, path string, depth int) error {
	if n, ok := intKeyword(sch, "minItems"); ok && len(arr) < n {
		return fmt.Errorf("%s: %d items, want at least %d", path, len(arr), n)
	}
	if n, ok := intKeyword(sch, "maxItems"); ok && len(arr) > n {
		return fmt.Errorf("%s: %d items, want at most %d", path, len(arr), n)
	}
	if items, ok := sch["items"]; ok {
		for i, it := range arr {
			if err := s.validate(items, it, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Schema) checkString(sch map[string]any, str string, path string) error {
	n := utf8.RuneCountInString(str)
	if m, ok := intKeyword(sch, "minLength"); ok && n < m {
		return fmt.Errorf("%s: string of %d characters, want at least %d", path, n, m)
	}
	if m, ok := intKeyword(sch, "maxLength"); ok && n > m {
		return fmt.Errorf("%s: string of %d characters, want at most %d", path, n, m)
	}
	if p, ok := sch["pattern"].(string); ok && !s.regexps[p].MatchString(str) {
		return fmt.Errorf("%s: %q does not match pattern %q", path, str, p)
	}
	return nil
}

func checkNumber(sch map[string]any, num json.Number, path string) error {
	x, ok := ratOf(num)
	if !ok {
		return fmt.Errorf("%s: bad number %s", path, num)
	}
	bounds := []struct {
		kw   string
		fail func(c int) bool
		want string
	}{
		{"minimum", func(c int) bool { return c < 0 }, ">="},
		{"maximum", func(c int) bool { return c > 0 }, "<="},
		{"exclusiveMinimum", func(c int) bool { return c <= 0 }, ">"},
		{"exclusiveMaximum", func(c int) bool { return c >= 0 }, "<"},
	}
	for _, b := range bounds {
		lim, ok := sch[b.kw].(json.Number)
		if !ok {
			continue
		}
		l, ok := ratOf(lim)
		if ok && b.fail(x.Cmp(l)) {
			return fmt.Errorf("%s: %s is not %s %s", path, num, b.want, lim)
		}
	}
	return nil
}

func intKeyword(sch map[string]any, kw string) (int, bool) {
	n, ok := sch[kw].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	if err != nil || i < 0 || i > 1<<31 {
		return 0, false
	}
	return int(i), true
}

// maxExponent bounds the decimal exponent of numbers compared exactly: a
// number like 1e999999999 would otherwise make big.Rat allocate gigabytes.
const maxExponent = 400

// ratOf converts a JSON number to an exact rational, refusing huge exponents.
func ratOf(n json.Number) (*big.Rat, bool) {
	s := string(n)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(s[i+1:])
		if err != nil || exp > maxExponent || exp < -maxExponent {
			return nil, false
		}
	}
	return new(big.Rat).SetString(s)
}
