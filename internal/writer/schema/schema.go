package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"
)

// Limits on the inputs, so that hostile documents cannot exhaust memory or
// the stack.
const (
	// MaxDocumentBytes caps a document: structured answers are at most a few
	// kilobytes; 1 MiB is far above any of them.
	MaxDocumentBytes = 1 << 20
	// MaxDepth caps nesting in schemas and documents; Plume's schemas are
	// four levels deep.
	MaxDepth = 32
)

// Schema is a parsed JSON Schema (the supported subset).
type Schema struct {
	Type                 string             `json:"type,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *bool              `json:"additionalProperties,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	MinItems             *int               `json:"minItems,omitempty"`
	MaxItems             *int               `json:"maxItems,omitempty"`
	MinLength            *int               `json:"minLength,omitempty"`
	MaxLength            *int               `json:"maxLength,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
}

// Parse reads a schema.
func Parse(data []byte) (*Schema, error) {
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("schema: %d bytes is over the %d-byte limit", len(data), MaxDocumentBytes)
	}
	var s Schema
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if err := s.check(0); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Schema) check(depth int) error {
	if depth > MaxDepth {
		return errors.New("schema: nested too deeply")
	}
	switch s.Type {
	case "", "object", "array", "string", "integer", "number", "boolean", "null":
	default:
		return fmt.Errorf("schema: unsupported type %q", s.Type)
	}
	for _, p := range s.Properties {
		if p == nil {
			return errors.New("schema: null property schema")
		}
		if err := p.check(depth + 1); err != nil {
			return err
		}
	}
	if s.Items != nil {
		return s.Items.check(depth + 1)
	}
	return nil
}

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
		return fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("not valid JSON: extra data after the value")
	}
	return s.validate("$", v, 0)
}

func (s *Schema) validate(path string, v any, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: nested too deeply", path)
	}
	if len(s.Enum) > 0 && !inEnum(v, s.Enum) {
		return fmt.Errorf("%s: value not in enum", path)
	}
	switch s.Type {
	case "":
		return nil
	case "object":
		return s.validateObject(path, v, depth)
	case "array":
		return s.validateArray(path, v, depth)
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string", path)
		}
		n := utf8.RuneCountInString(str)
		if s.MinLength != nil && n < *s.MinLength {
			return fmt.Errorf("%s: %d characters, at least %d wanted", path, n, *s.MinLength)
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			return fmt.Errorf("%s: %d characters, at most %d wanted", path, n, *s.MaxLength)
		}
	case "integer", "number":
		return s.validateNumber(path, v)
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean", path)
		}
	case "null":
		if v != nil {
			return fmt.Errorf("%s: want null", path)
		}
	}
	return nil
}

func (s *Schema) validateObject(path string, v any, depth int) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: want an object", path)
	}
	for _, r := range s.Required {
		if _, ok := obj[r]; !ok {
			return fmt.Errorf("%s: missing required property %q", path, r)
		}
	}
	// Check properties in the schema's required order first, then the rest
	// sorted, so the reported error is deterministic.
	for _, k := range sortedKeys(obj) {
		ps, ok := s.Properties[k]
		if !ok {
			if s.AdditionalProperties != nil && !*s.AdditionalProperties {
				return fmt.Errorf("%s: unexpected property %q", path, k)
			}
			continue
		}
		if err := ps.validate(path+"."+k, obj[k], depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (s *Schema) validateArray(path string, v any, depth int) error {
	arr, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s: want an array", path)
	}
	if s.MinItems != nil && len(arr) < *s.MinItems {
		return fmt.Errorf("%s: %d items, at least %d wanted", path, len(arr), *s.MinItems)
	}
	if s.MaxItems != nil && len(arr) > *s.MaxItems {
		return fmt.Errorf("%s: %d items, at most %d wanted", path, len(arr), *s.MaxItems)
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

func (s *Schema) validateNumber(path string, v any) error {
	num, ok := v.(json.Number)
	if !ok {
		return fmt.Errorf("%s: want a number", path)
	}
	if s.Type == "integer" {
		if _, err := num.Int64(); err != nil {
			return fmt.Errorf("%s: want an integer", path)
		}
	}
	f, err := num.Float64()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if s.Minimum != nil && f < *s.Minimum {
		return fmt.Errorf("%s: %v is below the minimum %v", path, f, *s.Minimum)
	}
	if s.Maximum != nil && f > *s.Maximum {
		return fmt.Errorf("%s: %v is above the maximum %v", path, f, *s.Maximum)
	}
	return nil
}

func inEnum(v any, enum []any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
