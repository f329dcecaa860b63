package sample

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// orderedMembers returns the members of a JSON object in document order
// (encoding/json maps lose the order, and properties are emitted in schema
// order). Duplicate names are an error.
func orderedMembers(raw []byte, path string) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("%w: %s must be an object", ErrSchema, path)
	}
	var names []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %w", ErrSchema, path, err)
		}
		name, _ := tok.(string)
		if slices.Contains(names, name) {
			return nil, nil, fmt.Errorf("%w: %s: duplicate property %q", ErrSchema, path, name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %w", ErrSchema, path, err)
		}
		names, vals = append(names, name), append(vals, v)
		if len(names) > MaxProperties {
			return nil, nil, fmt.Errorf("%w: %s has more than %d properties", ErrSchema, path, MaxProperties)
		}
	}
	return names, vals, nil
}

// encodeJSON is json.Marshal without HTML escaping and trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (c *compiler) object(m map[string]json.RawMessage, path string, depth int) (*node, error) {
	n := &node{kind: kObject}
	n.first.add('{')
	if raw, ok := m["properties"]; ok {
		names, vals, err := orderedMembers(raw, path+"/properties")
		if err != nil {
			return nil, err
		}
		for i, name := range names {
			sub, err := c.compile(vals[i], path+"/properties/"+name, depth+1)
			if err != nil {
				return nil, err
			}
			n.props = append(n.props, prop{name: name, schema: sub})
		}
	}
	if raw, ok := m["required"]; ok {
		var req []string
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, fmt.Errorf("%w: %s: required must be an array of strings", ErrSchema, path)
		}
		for _, r := range req {
			i := slices.IndexFunc(n.props, func(p prop) bool { return p.name == r })
			if i < 0 {
				return nil, fmt.Errorf("%w: %s: required property %q is not in properties", ErrSchema, path, r)
			}
			n.props[i].required = true
		}
	}
	// additionalProperties (any value) is accepted and ignored: only the
	// declared properties are ever generated, which satisfies it either way.
	if err := n.buildKeys(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSchema, path, err)
	}
	return n, nil
}

// buildKeys precomputes, for each position i, which keys may come next:
// props i.. up to and including the first required one (schema order,
// optional ones may be skipped, required ones may not).
func (n *node) buildKeys() error {
	np := len(n.props)
	n.reqFrom = make([]int32, np+1)
	n.reqFrom[np] = int32(np)
	for i := np - 1; i >= 0; i-- {
		n.reqFrom[i] = n.reqFrom[i+1]
		if n.props[i].required {
			n.reqFrom[i] = int32(i)
		}
	}
	enc := make([][]byte, np)
	for i, p := range n.props {
		b, err := encodeJSON(p.name)
		if err != nil {
			return err
		}
		enc[i] = b
	}
	n.keys = make([]litSet, np+1)
	n.keyProp = make([][]int32, np+1)
	for i := 0; i < np; i++ {
		last := min(int(n.reqFrom[i]), np-1)
		idx := make([]int32, 0, last-i+1)
		for j := i; j <= last; j++ {
			idx = append(idx, int32(j))
		}
		slices.SortFunc(idx, func(a, b int32) int { return bytes.Compare(enc[a], enc[b]) })
		vals := make([][]byte, len(idx))
		for k, j := range idx {
			vals[k] = enc[j]
		}
		n.keys[i] = litSet{vals: vals}
		n.keyProp[i] = idx
	}
	return nil
}

// keySet returns the candidate keys after props[:i].
func (n *node) keySet(i int32) *litSet { return &n.keys[i] }

func (c *compiler) literal(m map[string]json.RawMessage, path string) (*node, error) {
	if err := checkKeys(m, path, "enum", "const", "type"); err != nil {
		return nil, err
	}
	var vals []json.RawMessage
	if raw, ok := m["const"]; ok {
		vals = append(vals, raw)
	}
	if raw, ok := m["enum"]; ok {
		var e []json.RawMessage
		if err := json.Unmarshal(raw, &e); err != nil || len(e) == 0 {
			return nil, fmt.Errorf("%w: %s: enum must be a non-empty array", ErrSchema, path)
		}
		vals = append(vals, e...)
	}
	if _, both := m["const"]; both && m["enum"] != nil {
		return nil, fmt.Errorf("%w: %s: const together with enum is not supported", ErrSchema, path)
	}
	if len(vals) > MaxEnumValues {
		return nil, fmt.Errorf("%w: %s: more than %d enum values", ErrSchema, path, MaxEnumValues)
	}
	var types []string
	if raw, ok := m["type"]; ok {
		if json.Unmarshal(raw, &types) != nil {
			var one string
			if json.Unmarshal(raw, &one) != nil {
				return nil, fmt.Errorf("%w: %s: type must be a string or array of strings", ErrSchema, path)
			}
			types = []string{one}
		}
	}
	lits := make([][]byte, 0, len(vals))
	for _, raw := range vals {
		lit, err := canonical(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: enum value %s: %w", ErrSchema, path, raw, err)
		}
		if types != nil && !slices.Contains(types, jsonKind(lit)) &&
			!(jsonKind(lit) == "integer" && slices.Contains(types, "number")) {
			return nil, fmt.Errorf("%w: %s: enum value %s does not have type %v", ErrSchema, path, lit, types)
		}
		lits = append(lits, lit)
	}
	return litNode(lits), nil
}

// canonical re-encodes a JSON value compactly (numbers keep their text).
func canonical(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return encodeJSON(v)
}

// jsonKind names the JSON Schema type of an encoded value.
func jsonKind(lit []byte) string {
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
	if strings.ContainsAny(string(lit), ".eE") {
		return "number"
	}
	return "integer"
}

func (c *compiler) anyOf(m map[string]json.RawMessage, path string, depth int) (*node, error) {
	key := "anyOf"
	if m[key] == nil {
		key = "oneOf"
	}
	if err := checkKeys(m, path, key); err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(m[key], &raws); err != nil || len(raws) == 0 {
		return nil, fmt.Errorf("%w: %s: %s must be a non-empty array of schemas", ErrSchema, path, key)
	}
	alts := make([]*node, 0, len(raws))
	for i, raw := range raws {
		n, err := c.compile(raw, fmt.Sprintf("%s/%s/%d", path, key, i), depth+1)
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
	}
	return makeAnyOf(alts, path)
}

// makeAnyOf combines alternatives, which must be distinguishable by their
// first byte (the automaton commits to one alternative there). A single
// alternative is returned as is.
func makeAnyOf(alts []*node, path string) (*node, error) {
	if len(alts) == 1 {
		return alts[0], nil
	}
	n := &node{kind: kAnyOf, alts: alts}
	for i, a := range alts {
		for j := range i {
			if a.first.overlap(alts[j].first) {
				return nil, fmt.Errorf("%w: %s: alternatives %d and %d can start with the same byte; "+
					"only alternatives of different JSON types (or disjoint enums) are supported", ErrSchema, path, j, i)
			}
		}
		n.first.union(a.first)
	}
	return n, nil
}
