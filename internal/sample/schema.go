package sample

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// Limits of the JSON Schema compiler. They bound both the work done on an
// untrusted schema and the length of the output it can force, so that
// constrained generation always terminates.
const (
	// MaxSchemaBytes caps the schema document (real ones are a few KB).
	MaxSchemaBytes = 1 << 20
	// MaxSchemaDepth caps nesting of objects/arrays/anyOf; it also bounds
	// the automaton's stack.
	MaxSchemaDepth = 32
	// MaxProperties caps properties per object (key matching precomputes
	// O(n²) candidate lists).
	MaxProperties = 256
	// MaxEnumValues caps enum alternatives.
	MaxEnumValues = 1024
	// DefaultMaxStringLength caps strings without maxLength (in characters)
	// so a model cannot ramble inside a string forever.
	DefaultMaxStringLength = 1024
	// MaxStringLength is the largest maxLength/minLength accepted.
	MaxStringLength = 1 << 16
	// DefaultMaxItems caps arrays without maxItems.
	DefaultMaxItems = 64
	// MaxItems is the largest maxItems/minItems accepted.
	MaxItems = 4096
)

// ErrSchema is wrapped by every error of NewJSONSchema about the schema.
var ErrSchema = errors.New("sample: unsupported or invalid JSON schema")

type kind uint8

const (
	kObject kind = iota + 1
	kArray
	kString
	kInteger
	kNumber
	kLiteral // boolean, null, enum, const: a finite set of exact encodings
	kAnyOf
)

// byteSet is a set of bytes (the possible first bytes of a value).
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) union(o byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|o[0], s[1]|o[1], s[2]|o[2], s[3]|o[3]
}
func (s byteSet) overlap(o byteSet) bool {
	return s[0]&o[0] != 0 || s[1]&o[1] != 0 || s[2]&o[2] != 0 || s[3]&o[3] != 0
}

// node is one compiled schema.
type node struct {
	kind  kind
	first byteSet
	// object
	props   []prop
	reqFrom []int32   // reqFrom[i]: first required prop index >= i, or len(props)
	keys    []litSet  // keys[i]: literal set of the keys that may come next when props[:i] are behind
	keyProp [][]int32 // keyProp[i][k]: prop index of keys[i].vals[k]
	// array
	items              *node
	minItems, maxItems int32
	// string
	minLen, maxLen int32
	// literal
	lits litSet
	// anyOf
	alts []*node
}

type prop struct {
	name     string
	schema   *node
	required bool
}

// litSet is a sorted set of exact byte strings.
type litSet struct{ vals [][]byte }

func newLitSet(vals [][]byte) litSet {
	slices.SortFunc(vals, bytes.Compare)
	vals = slices.CompactFunc(vals, bytes.Equal)
	return litSet{vals: vals}
}

// annotations are keywords that never constrain the value (or, for
// "format", are annotations by default in JSON Schema 2020-12); they are
// accepted and ignored.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"default": true, "examples": true, "format": true, "deprecated": true,
	"readOnly": true, "writeOnly": true,
}

// typeKeys lists the constraining keywords understood per type.
var typeKeys = map[string][]string{
	"object":  {"properties", "required", "additionalProperties"},
	"array":   {"items", "minItems", "maxItems"},
	"string":  {"minLength", "maxLength"},
	"integer": nil, "number": nil, "boolean": nil, "null": nil,
}

type compiler struct{}

func compileSchema(schema []byte) (*node, error) {
	if len(schema) > MaxSchemaBytes {
		return nil, fmt.Errorf("%w: schema is %d bytes, limit %d", ErrSchema, len(schema), MaxSchemaBytes)
	}
	var c compiler
	return c.compile(schema, "#", 0)
}

func (c *compiler) compile(raw []byte, path string, depth int) (*node, error) {
	if depth > MaxSchemaDepth {
		return nil, fmt.Errorf("%w: %s nests deeper than %d", ErrSchema, path, MaxSchemaDepth)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%w: %s must be a JSON object (boolean schemas are not supported)", ErrSchema, path)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSchema, path, err)
	}
	for k := range m {
		if annotations[k] {
			delete(m, k)
		}
	}
	switch {
	case m["enum"] != nil || m["const"] != nil:
		return c.literal(m, path)
	case m["anyOf"] != nil || m["oneOf"] != nil:
		return c.anyOf(m, path, depth)
	case m["type"] != nil:
		return c.typed(m, path, depth)
	}
	return nil, fmt.Errorf("%w: %s needs one of type, enum, const, anyOf, oneOf", ErrSchema, path)
}

// checkKeys errors on keywords outside allowed.
func checkKeys(m map[string]json.RawMessage, path string, allowed ...string) error {
	var bad []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("%w: %s: unsupported keyword(s) %q", ErrSchema, path, bad)
	}
	return nil
}

func (c *compiler) typed(m map[string]json.RawMessage, path string, depth int) (*node, error) {
	var types []string
	if err := json.Unmarshal(m["type"], &types); err != nil {
		var one string
		if err := json.Unmarshal(m["type"], &one); err != nil {
			return nil, fmt.Errorf("%w: %s: type must be a string or array of strings", ErrSchema, path)
		}
		types = []string{one}
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("%w: %s: empty type array", ErrSchema, path)
	}
	if slices.Contains(types, "number") { // number already admits every integer
		types = slices.DeleteFunc(types, func(t string) bool { return t == "integer" })
	}
	allowed := []string{"type"}
	for _, t := range types {
		keys, ok := typeKeys[t]
		if !ok {
			return nil, fmt.Errorf("%w: %s: unknown type %q", ErrSchema, path, t)
		}
		allowed = append(allowed, keys...)
	}
	if err := checkKeys(m, path, allowed...); err != nil {
		return nil, err
	}
	var alts []*node
	for _, t := range slices.Compact(slices.Sorted(slices.Values(types))) {
		n, err := c.simple(t, m, path, depth)
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
	}
	return makeAnyOf(alts, path)
}

func (c *compiler) simple(t string, m map[string]json.RawMessage, path string, depth int) (*node, error) {
	n := &node{}
	switch t {
	case "object":
		return c.object(m, path, depth)
	case "array":
		return c.array(m, path, depth)
	case "string":
		return stringNode(m, path)
	case "integer", "number":
		n.kind = kNumber
		if t == "integer" {
			n.kind = kInteger
		}
		n.first.add('-')
		for d := byte('0'); d <= '9'; d++ {
			n.first.add(d)
		}
		return n, nil
	case "boolean":
		return litNode([][]byte{[]byte("true"), []byte("false")}), nil
	default: // "null"
		return litNode([][]byte{[]byte("null")}), nil
	}
}

func litNode(vals [][]byte) *node {
	n := &node{kind: kLiteral, lits: newLitSet(vals)}
	for _, v := range n.lits.vals {
		n.first.add(v[0])
	}
	return n
}

// count reads a non-negative integer keyword, def if absent.
func count(m map[string]json.RawMessage, key, path string, def, limit int32) (int32, error) {
	raw, ok := m[key]
	if !ok {
		return def, nil
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 32)
	if err != nil || v < 0 || v > int64(limit) {
		return 0, fmt.Errorf("%w: %s: %s must be an integer in [0, %d], got %s", ErrSchema, path, key, limit, raw)
	}
	return int32(v), nil
}

func stringNode(m map[string]json.RawMessage, path string) (*node, error) {
	n := &node{kind: kString}
	n.first.add('"')
	var err error
	if n.minLen, err = count(m, "minLength", path, 0, MaxStringLength); err != nil {
		return nil, err
	}
	if n.maxLen, err = count(m, "maxLength", path, max(DefaultMaxStringLength, n.minLen), MaxStringLength); err != nil {
		return nil, err
	}
	if n.minLen > n.maxLen {
		return nil, fmt.Errorf("%w: %s: minLength %d > maxLength %d", ErrSchema, path, n.minLen, n.maxLen)
	}
	return n, nil
}

func (c *compiler) array(m map[string]json.RawMessage, path string, depth int) (*node, error) {
	n := &node{kind: kArray}
	n.first.add('[')
	var err error
	if n.minItems, err = count(m, "minItems", path, 0, MaxItems); err != nil {
		return nil, err
	}
	if n.maxItems, err = count(m, "maxItems", path, max(DefaultMaxItems, n.minItems), MaxItems); err != nil {
		return nil, err
	}
	if n.minItems > n.maxItems {
		return nil, fmt.Errorf("%w: %s: minItems %d > maxItems %d", ErrSchema, path, n.minItems, n.maxItems)
	}
	items, ok := m["items"]
	if !ok {
		return nil, fmt.Errorf("%w: %s: array needs an items schema", ErrSchema, path)
	}
	if n.items, err = c.compile(items, path+"/items", depth+1); err != nil {
		return nil, err
	}
	return n, nil
}
