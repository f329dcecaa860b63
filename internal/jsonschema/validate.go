package jsonschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validate parses doc as JSON (exactly one value, nothing after it) and
// checks it against s. The error names the first offending path, like
// "$.sections[2].heading".
func (s *Schema) Validate(doc []byte) error {
	if len(doc) > MaxDocumentBytes {
		return fmt.Errorf("document of %d bytes is over the %d-byte limit", len(doc), MaxDocumentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return &ValidationError{Path: "$", Kind: ViolationInvalidJSON, Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &ValidationError{Path: "$", Kind: ViolationInvalidJSON, Err: errors.New("extra data after the value")}
	}
	return s.validate("$", v, 0)
}

func (s *Schema) validate(path string, v any, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: nested too deeply", path)
	}
	if len(s.Enum) > 0 && !inEnum(v, s.Enum) {
		return &ValidationError{Path: path, Kind: ViolationEnum}
	}
	if s.Const != nil && !inEnum(v, []json.RawMessage{s.Const}) {
		return fmt.Errorf("%s: expected the constant %s", path, s.Const)
	}
	if err := s.validateAlternatives(path, v, depth); err != nil {
		return err
	}
	if len(s.Types) == 0 {
		return nil
	}
	got := typeOf(v)
	if !s.Has(got) && !(got == "integer" && s.Has("number")) {
		return &ValidationError{Path: path, Kind: ViolationType, Want: wantTypes(s.Types)}
	}
	switch x := v.(type) {
	case map[string]any:
		return s.validateObject(path, x, depth)
	case []any:
		return s.validateArray(path, x, depth)
	case string:
		n := utf8.RuneCountInString(x)
		if s.MinLength != nil && n < *s.MinLength {
			return &ValidationError{Path: path, Kind: ViolationMinLength, Got: n, Limit: *s.MinLength}
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			return &ValidationError{Path: path, Kind: ViolationMaxLength, Got: n, Limit: *s.MaxLength}
		}
	}
	return nil
}

// wantTypes names the allowed types, with an article for one type.
func wantTypes(types []string) string {
	if len(types) > 1 {
		return strings.Join(types, " or ")
	}
	switch t := types[0]; t {
	case "object", "array", "integer":
		return "an " + t
	case "null":
		return "null"
	default:
		return "a " + t
	}
}

func (s *Schema) validateAlternatives(path string, v any, depth int) error {
	for _, alt := range []struct {
		kw   string
		subs []*Schema
	}{{"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		if len(alt.subs) == 0 {
			continue
		}
		matches := 0
		var first error
		for _, sub := range alt.subs {
			if err := sub.validate(path, v, depth+1); err != nil {
				first = cmpOr(first, err)
			} else {
				matches++
			}
		}
		if matches == 0 {
			return fmt.Errorf("%s: matches none of %s (first: %w)", path, alt.kw, first)
		}
		if alt.kw == "oneOf" && matches > 1 {
			return fmt.Errorf("%s: matches %d branches of oneOf", path, matches)
		}
	}
	return nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (s *Schema) validateObject(path string, obj map[string]any, depth int) error {
	for _, r := range s.Required {
		if _, ok := obj[r]; !ok {
			return &ValidationError{Path: path, Kind: ViolationRequired, Name: r}
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // so that the reported error is deterministic
	for _, k := range keys {
		ps := s.Property(k)
		if ps == nil {
			if s.AdditionalProperties != nil && !*s.AdditionalProperties {
				return &ValidationError{Path: path, Kind: ViolationUnexpected, Name: k}
			}
			continue
		}
		if err := ps.validate(path+"."+k, obj[k], depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (s *Schema) validateArray(path string, arr []any, depth int) error {
	if s.MinItems != nil && len(arr) < *s.MinItems {
		return &ValidationError{Path: path, Kind: ViolationMinItems, Got: len(arr), Limit: *s.MinItems}
	}
	if s.MaxItems != nil && len(arr) > *s.MaxItems {
		return &ValidationError{Path: path, Kind: ViolationMaxItems, Got: len(arr), Limit: *s.MaxItems}
	}
	if s.Items != nil {
		for i, x := range arr {
			if err := s.Items.validate(fmt.Sprintf("%s[%d]", path, i), x, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// typeOf names the JSON Schema type of a decoded value; a number is an
// "integer" when its value is whole (1.0 included, as the spec says).
func typeOf(v any) string {
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

// kindOf names the JSON Schema type of an encoded value.
func kindOf(lit []byte) string {
	switch lit[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	if bytes.ContainsAny(lit, ".eE") {
		return "number"
	}
	return "integer"
}

// inEnum reports whether v equals one of the encoded values.
func inEnum(v any, vals []json.RawMessage) bool {
	for _, raw := range vals {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var e any
		if dec.Decode(&e) == nil && equal(e, v, 0) {
			return true
		}
	}
	return false
}

// equal compares two decoded JSON values; numbers by value (1 == 1.0).
func equal(a, b any, depth int) bool {
	if depth > MaxDepth {
		return false
	}
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, ok1 := ratOf(x)
		ry, ok2 := ratOf(y)
		return ok1 && ok2 && rx.Cmp(ry) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i], depth+1) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv, depth+1) {
				return false
			}
		}
		return true
	}
	return a == b // nil, bool, string
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
