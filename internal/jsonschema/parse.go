package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// annotations never constrain a value ("format" is an annotation by default
// in 2020-12); they are accepted and ignored.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"default": true, "examples": true, "format": true, "deprecated": true,
	"readOnly": true, "writeOnly": true,
}

// typeKeywords lists the constraining keywords supported per type.
var typeKeywords = map[string][]string{
	"object":  {"properties", "required", "additionalProperties"},
	"array":   {"items", "minItems", "maxItems"},
	"string":  {"minLength", "maxLength"},
	"integer": nil, "number": nil, "boolean": nil, "null": nil,
}

// Parse reads a JSON Schema document. An unsupported keyword is reported as
// an *UnsupportedError (errors.As), any other defect wraps ErrInvalid.
func Parse(data []byte) (*Schema, error) {
	if len(data) > MaxSchemaBytes {
		return nil, fmt.Errorf("%w: schema is %d bytes, limit %d", ErrInvalid, len(data), MaxSchemaBytes)
	}
	s, err := parse(data, "#", 0)
	if err != nil {
		return nil, err
	}
	s.src = bytes.TrimSpace(data)
	return s, nil
}

// members is one schema object's keywords in document order.
type members struct {
	names []string
	vals  []json.RawMessage
}

func (m *members) get(name string) (json.RawMessage, bool) {
	i := slices.Index(m.names, name)
	if i < 0 {
		return nil, false
	}
	return m.vals[i], true
}

// readObject returns the members of a JSON object in document order
// (encoding/json maps lose it); duplicate names are an error.
func readObject(raw []byte, path string, limit int) (members, error) {
	var m members
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return m, fmt.Errorf("%w: %s must be a JSON object", ErrInvalid, path)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return m, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
		}
		name, _ := tok.(string)
		if slices.Contains(m.names, name) {
			return m, fmt.Errorf("%w: %s: duplicate member %q", ErrInvalid, path, name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return m, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
		}
		m.names, m.vals = append(m.names, name), append(m.vals, v)
		if len(m.names) > limit {
			return m, fmt.Errorf("%w: %s has more than %d members", ErrInvalid, path, limit)
		}
	}
	return m, nil
}

func parse(raw []byte, path string, depth int) (*Schema, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: %s nests deeper than %d", ErrInvalid, path, MaxDepth)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && (raw[0] == 't' || raw[0] == 'f') {
		return nil, &UnsupportedError{Path: path, Keyword: string(raw), Reason: "(boolean schemas)"}
	}
	m, err := readObject(raw, path, MaxProperties+len(annotations)+len(typeKeywords))
	if err != nil {
		return nil, err
	}
	var kept members
	for i, k := range m.names {
		if !annotations[k] {
			kept.names, kept.vals = append(kept.names, k), append(kept.vals, m.vals[i])
		}
	}
	_, hasEnum := kept.get("enum")
	_, hasConst := kept.get("const")
	_, hasAnyOf := kept.get("anyOf")
	_, hasOneOf := kept.get("oneOf")
	_, hasType := kept.get("type")
	switch {
	case hasEnum || hasConst:
		return parseLiteral(&kept, path)
	case hasAnyOf || hasOneOf:
		return parseAlternatives(&kept, path, depth)
	case hasType:
		return parseTyped(&kept, path, depth)
	}
	if len(kept.names) > 0 {
		return nil, unsupported(&kept, path, nil, "")
	}
	return &Schema{}, nil // {} (or annotations only): any JSON value
}

// unsupported returns the error for the first keyword of m outside allowed,
// or nil.
func unsupported(m *members, path string, allowed []string, reason string) error {
	for _, k := range m.names {
		if slices.Contains(allowed, k) {
			continue
		}
		r := reason
		if t, ok := keywordType[k]; ok && r == "" {
			r = "here (it applies to type " + t + ")"
		}
		return &UnsupportedError{Path: path, Keyword: k, Reason: r}
	}
	return nil
}

// keywordType names the type a supported keyword applies to, for the error
// about that keyword used with another type.
var keywordType = func() map[string]string {
	o := map[string]string{}
	for t, keys := range typeKeywords {
		for _, k := range keys {
			o[k] = t
		}
	}
	return o
}()

// parseTypes reads "type": a name or a non-empty list of names.
func parseTypes(raw json.RawMessage, path string) ([]string, error) {
	var types []string
	if err := json.Unmarshal(raw, &types); err != nil {
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, fmt.Errorf("%w: %s: type must be a string or an array of strings", ErrInvalid, path)
		}
		types = []string{one}
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("%w: %s: empty type array", ErrInvalid, path)
	}
	for _, t := range types {
		if _, ok := typeKeywords[t]; !ok {
			return nil, fmt.Errorf("%w: %s: unknown type %q", ErrInvalid, path, t)
		}
	}
	return types, nil
}

func parseTyped(m *members, path string, depth int) (*Schema, error) {
	raw, _ := m.get("type")
	types, err := parseTypes(raw, path)
	if err != nil {
		return nil, err
	}
	allowed := []string{"type"}
	for _, t := range types {
		allowed = append(allowed, typeKeywords[t]...)
	}
	if err := unsupported(m, path, allowed, ""); err != nil {
		return nil, err
	}
	s := &Schema{Types: types}
	if s.Has("object") {
		if err := parseObject(s, m, path, depth); err != nil {
			return nil, err
		}
	}
	if s.Has("array") {
		if err := parseArray(s, m, path, depth); err != nil {
			return nil, err
		}
	}
	if s.Has("string") {
		if s.MinLength, s.MaxLength, err = bounds(m, path, "minLength", "maxLength", MaxStringLength); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// count reads a non-negative integer keyword up to limit; nil if absent.
func count(m *members, key, path string, limit int) (*int, error) {
	raw, ok := m.get(key)
	if !ok {
		return nil, nil
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 32)
	if err != nil || v < 0 || v > int64(limit) {
		return nil, fmt.Errorf("%w: %s: %s must be an integer in [0, %d], got %s", ErrInvalid, path, key, limit, raw)
	}
	n := int(v)
	return &n, nil
}

// bounds reads a min/max pair of counts and checks min <= max.
func bounds(m *members, path, minKey, maxKey string, limit int) (lo, hi *int, err error) {
	if lo, err = count(m, minKey, path, limit); err != nil {
		return nil, nil, err
	}
	if hi, err = count(m, maxKey, path, limit); err != nil {
		return nil, nil, err
	}
	if lo != nil && hi != nil && *lo > *hi {
		return nil, nil, fmt.Errorf("%w: %s: %s %d > %s %d", ErrInvalid, path, minKey, *lo, maxKey, *hi)
	}
	return lo, hi, nil
}

func parseArray(s *Schema, m *members, path string, depth int) error {
	var err error
	if s.MinItems, s.MaxItems, err = bounds(m, path, "minItems", "maxItems", MaxItems); err != nil {
		return err
	}
	items, ok := m.get("items")
	if !ok {
		return nil // items of any JSON value
	}
	s.Items, err = parse(items, path+"/items", depth+1)
	return err
}

func parseObject(s *Schema, m *members, path string, depth int) error {
	if raw, ok := m.get("properties"); ok {
		props, err := readObject(raw, path+"/properties", MaxProperties)
		if err != nil {
			return err
		}
		for i, name := range props.names {
			sub, err := parse(props.vals[i], path+"/properties/"+name, depth+1)
			if err != nil {
				return err
			}
			s.Properties = append(s.Properties, Property{Name: name, Schema: sub})
		}
	}
	if raw, ok := m.get("required"); ok {
		if err := json.Unmarshal(raw, &s.Required); err != nil {
			return fmt.Errorf("%w: %s: required must be an array of strings", ErrInvalid, path)
		}
		for _, r := range s.Required {
			if s.Property(r) == nil {
				return fmt.Errorf("%w: %s: required property %q is not in properties", ErrInvalid, path, r)
			}
		}
	}
	if raw, ok := m.get("additionalProperties"); ok {
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return &UnsupportedError{Path: path, Keyword: "additionalProperties", Reason: "other than true or false"}
		}
		s.AdditionalProperties = &b
	}
	return nil
}

func parseLiteral(m *members, path string) (*Schema, error) {
	if err := unsupported(m, path, []string{"enum", "const", "type"}, "together with enum or const"); err != nil {
		return nil, err
	}
	_, hasEnum := m.get("enum")
	_, hasConst := m.get("const")
	if hasEnum && hasConst {
		return nil, &UnsupportedError{Path: path, Keyword: "const", Reason: "together with enum"}
	}
	s := &Schema{}
	var vals []json.RawMessage
	if raw, ok := m.get("const"); ok {
		vals = []json.RawMessage{raw}
	}
	if raw, ok := m.get("enum"); ok {
		if err := json.Unmarshal(raw, &vals); err != nil || len(vals) == 0 {
			return nil, fmt.Errorf("%w: %s: enum must be a non-empty array", ErrInvalid, path)
		}
	}
	if len(vals) > MaxEnumValues {
		return nil, fmt.Errorf("%w: %s: more than %d enum values", ErrInvalid, path, MaxEnumValues)
	}
	if raw, ok := m.get("type"); ok {
		types, err := parseTypes(raw, path)
		if err != nil {
			return nil, err
		}
		s.Types = types
	}
	for _, raw := range vals {
		lit, err := Canonical(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: enum value %s: %w", ErrInvalid, path, raw, err)
		}
		if k := kindOf(lit); s.Types != nil && !s.Has(k) && !(k == "integer" && s.Has("number")) {
			return nil, fmt.Errorf("%w: %s: enum value %s does not have type %v", ErrInvalid, path, lit, s.Types)
		}
		if hasConst {
			s.Const = lit
		} else {
			s.Enum = append(s.Enum, lit)
		}
	}
	return s, nil
}

func parseAlternatives(m *members, path string, depth int) (*Schema, error) {
	key := "anyOf"
	if _, ok := m.get(key); !ok {
		key = "oneOf"
	}
	if err := unsupported(m, path, []string{key}, "together with "+key); err != nil {
		return nil, err
	}
	raw, _ := m.get(key)
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil || len(raws) == 0 {
		return nil, fmt.Errorf("%w: %s: %s must be a non-empty array of schemas", ErrInvalid, path, key)
	}
	alts := make([]*Schema, 0, len(raws))
	for i, r := range raws {
		a, err := parse(r, fmt.Sprintf("%s/%s/%d", path, key, i), depth+1)
		if err != nil {
			return nil, err
		}
		alts = append(alts, a)
	}
	if key == "anyOf" {
		return &Schema{AnyOf: alts}, nil
	}
	return &Schema{OneOf: alts}, nil
}
