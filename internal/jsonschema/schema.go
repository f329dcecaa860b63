package jsonschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// Limits of a parsed schema. They bound the work done on an untrusted schema
// and the length of the output it can ask a model for, so that constrained
// generation always terminates.
const (
	// MaxSchemaBytes caps the schema document (real ones are a few KB).
	MaxSchemaBytes = 1 << 20
	// MaxDepth caps the nesting of schemas (objects, arrays, anyOf); it also
	// bounds the sampler automaton's stack and the validator's recursion.
	// Plume's own schemas are four levels deep.
	MaxDepth = 32
	// MaxProperties caps properties per object (the grammar's key matching
	// precomputes O(n²) candidate lists).
	MaxProperties = 256
	// MaxEnumValues caps enum alternatives.
	MaxEnumValues = 1024
	// MaxStringLength is the largest maxLength/minLength accepted.
	MaxStringLength = 1 << 16
	// MaxItems is the largest maxItems/minItems accepted.
	MaxItems = 4096
	// MaxDocumentBytes caps a validated document: structured answers are at
	// most a few kilobytes; 1 MiB is far above any of them.
	MaxDocumentBytes = 1 << 20
)

// ErrUnsupported is wrapped by *UnsupportedError.
var ErrUnsupported = errors.New("unsupported JSON Schema keyword")

// ErrInvalid is wrapped by every error of Parse about a malformed schema.
var ErrInvalid = errors.New("invalid JSON Schema")

// UnsupportedError reports a keyword this package does not implement (or
// does not implement where it was used), at Path ("#/properties/title").
type UnsupportedError struct {
	Path    string
	Keyword string
	Reason  string // why, when the keyword is supported elsewhere
}

func (e *UnsupportedError) Error() string {
	msg := fmt.Sprintf("json schema: %s: keyword %q is not supported", e.Path, e.Keyword)
	if e.Reason != "" {
		msg += " " + e.Reason
	}
	return msg
}

func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// Schema is a parsed JSON Schema. A schema from Parse is read-only; the
// builders return schemas that may be adjusted before first use.
type Schema struct {
	// Types are the allowed JSON types ("object", "array", "string",
	// "integer", "number", "boolean", "null"), in document order; empty
	// when the schema is an enum, const, anyOf or oneOf without type, and
	// in the empty schema {}, which allows any JSON value.
	Types []string
	// Properties are the declared object members, in document order (the
	// order the grammar generates them in).
	Properties           []Property
	Required             []string
	AdditionalProperties *bool
	Items                *Schema // nil: items of any JSON value
	MinItems, MaxItems   *int
	MinLength, MaxLength *int // in characters (Unicode code points)
	// Enum and Const hold compact encodings of the allowed values.
	Enum  []json.RawMessage
	Const json.RawMessage
	AnyOf []*Schema
	OneOf []*Schema

	src []byte // the parsed document (root only), sent as given
}

// Property is one member of Schema.Properties.
type Property struct {
	Name   string
	Schema *Schema
}

// MustParse is Parse for schemas written in code and tests; it panics on an
// error.
func MustParse(doc string) *Schema {
	s, err := Parse([]byte(doc))
	if err != nil {
		panic(err)
	}
	return s
}

// Property returns the schema of the named property, or nil.
func (s *Schema) Property(name string) *Schema {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// String is the schema of a string of minLen to maxLen characters.
func String(minLen, maxLen int) *Schema {
	return &Schema{Types: []string{"string"}, MinLength: &minLen, MaxLength: &maxLen}
}

// Boolean is the schema of true or false.
func Boolean() *Schema { return &Schema{Types: []string{"boolean"}} }

// Array is the schema of an array of minItems to maxItems items.
func Array(items *Schema, minItems, maxItems int) *Schema {
	return &Schema{Types: []string{"array"}, Items: items, MinItems: &minItems, MaxItems: &maxItems}
}

// Object is the schema of an object with exactly the given properties
// (additionalProperties false), of which required must be present. The
// properties are kept sorted by name, so that the encoding (recorded in
// manifests) and the generated key order do not depend on map order.
func Object(props map[string]*Schema, required ...string) *Schema {
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	s := &Schema{Types: []string{"object"}, Required: required, AdditionalProperties: new(bool)}
	for _, k := range names {
		s.Properties = append(s.Properties, Property{Name: k, Schema: props[k]})
	}
	return s
}

// Has reports whether t is one of the schema's types.
func (s *Schema) Has(t string) bool {
	for _, x := range s.Types {
		if x == t {
			return true
		}
	}
	return false
}
