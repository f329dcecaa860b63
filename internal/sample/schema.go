package sample

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// Defaults the grammar applies where a schema sets no bound, so that a model
// cannot ramble inside a string or an array forever. (The limits on the
// schema itself are jsonschema's.)
const (
	// DefaultMaxStringLength caps strings without maxLength (in characters).
	DefaultMaxStringLength = 1024
	// DefaultMaxItems caps arrays without maxItems.
	DefaultMaxItems = 64
)

// ErrSchema is wrapped by every error of NewJSONSchema about a schema that
// jsonschema accepts but the grammar cannot enforce (anyOf alternatives that
// start with the same byte).
var ErrSchema = errors.New("sample: JSON schema cannot be compiled to a grammar")

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
	// object; a free-form object (free) has no props: any key (a string
	// of node key), up to maxItems members whose values are items
	free    bool
	key     *node
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

func litNode(vals [][]byte) *node {
	n := &node{kind: kLiteral, lits: newLitSet(vals)}
	for _, v := range n.lits.vals {
		n.first.add(v[0])
	}
	return n
}

// compileSchema builds the automaton's tree from a parsed schema. Every
// keyword has been checked by jsonschema.Parse (or set by its builders).
func compileSchema(s *jsonschema.Schema) (*node, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: no schema", ErrSchema)
	}
	return compile(s, "#", 0)
}

func compile(s *jsonschema.Schema, path string, depth int) (*node, error) {
	if depth > jsonschema.MaxDepth {
		return nil, fmt.Errorf("%w: %s nests deeper than %d", ErrSchema, path, jsonschema.MaxDepth)
	}
	switch {
	case s.Const != nil || len(s.Enum) > 0:
		vals := s.Enum
		if s.Const != nil {
			vals = []json.RawMessage{s.Const}
		}
		lits := make([][]byte, len(vals))
		for i, v := range vals {
			lits[i] = bytes.Clone(v)
		}
		return litNode(lits), nil
	case len(s.AnyOf) > 0 || len(s.OneOf) > 0:
		key, subs := "anyOf", s.AnyOf
		if len(subs) == 0 {
			key, subs = "oneOf", s.OneOf
		}
		alts := make([]*node, 0, len(subs))
		for i, sub := range subs {
			n, err := compile(sub, fmt.Sprintf("%s/%s/%d", path, key, i), depth+1)
			if err != nil {
				return nil, err
			}
			alts = append(alts, n)
		}
		return makeAnyOf(alts, path)
	case len(s.Types) == 0: // the empty schema: any JSON value, as JSON Schema says
		value, _ := freeJSON(MaxFreeDepth)
		return value, nil
	}
	types := s.Types
	if slices.Contains(types, "number") { // number already admits every integer
		types = slices.DeleteFunc(slices.Clone(types), func(t string) bool { return t == "integer" })
	}
	var alts []*node
	for _, t := range slices.Compact(slices.Sorted(slices.Values(types))) {
		n, err := simple(t, s, path, depth)
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
	}
	return makeAnyOf(alts, path)
}

func simple(t string, s *jsonschema.Schema, path string, depth int) (*node, error) {
	switch t {
	case "object":
		return object(s, path, depth)
	case "array":
		n := &node{kind: kArray, minItems: int32(deref(s.MinItems, 0))}
		n.first.add('[')
		n.maxItems = int32(deref(s.MaxItems, max(DefaultMaxItems, int(n.minItems))))
		if s.Items == nil { // no items schema: items of any JSON value
			n.items, _ = freeJSON(MaxFreeDepth)
			return n, nil
		}
		var err error
		n.items, err = compile(s.Items, path+"/items", depth+1)
		return n, err
	case "string":
		minLen := deref(s.MinLength, 0)
		n := stringNode(minLen, deref(s.MaxLength, max(DefaultMaxStringLength, minLen)))
		if n.minLen > n.maxLen {
			return nil, fmt.Errorf("%w: %s: minLength %d > maxLength %d", ErrSchema, path, n.minLen, n.maxLen)
		}
		return n, nil
	case "integer":
		return numberNode(kInteger), nil
	case "number":
		return numberNode(kNumber), nil
	case "boolean":
		return litNode([][]byte{[]byte("true"), []byte("false")}), nil
	case "null":
		return litNode([][]byte{[]byte("null")}), nil
	}
	return nil, fmt.Errorf("%w: %s: unknown type %q", ErrSchema, path, t)
}

// stringNode is a JSON string of minLen to maxLen characters.
func stringNode(minLen, maxLen int) *node {
	n := &node{kind: kString, minLen: int32(minLen), maxLen: int32(maxLen)}
	n.first.add('"')
	return n
}

// numberNode is a JSON number (k kNumber) or integer (kInteger).
func numberNode(k kind) *node {
	n := &node{kind: k}
	n.first.add('-')
	for d := byte('0'); d <= '9'; d++ {
		n.first.add(d)
	}
	return n
}

// deref returns *p, or def when p is nil.
func deref(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// object compiles the declared properties in schema order. additionalProperties
// needs nothing: only the declared properties are ever generated, which
// satisfies it either way. An object without properties whose
// additionalProperties is not false may hold anything: it compiles to a
// free-form object (see freeJSON); with additionalProperties false it is {}.
func object(s *jsonschema.Schema, path string, depth int) (*node, error) {
	if len(s.Properties) == 0 && (s.AdditionalProperties == nil || *s.AdditionalProperties) {
		_, obj := freeJSON(MaxFreeDepth)
		return obj, nil
	}
	n := &node{kind: kObject}
	n.first.add('{')
	for _, p := range s.Properties {
		sub, err := compile(p.Schema, path+"/properties/"+p.Name, depth+1)
		if err != nil {
			return nil, err
		}
		n.props = append(n.props, prop{name: p.Name, schema: sub, required: slices.Contains(s.Required, p.Name)})
	}
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
		b, err := jsonschema.Encode(p.name)
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
