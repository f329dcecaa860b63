package jsonschema

import (
	"bytes"
	"encoding/json"
)

// Canonical re-encodes a JSON value compactly, without HTML escaping;
// numbers keep their text. The sampler's grammar generates enum and const
// values in this form.
func Canonical(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return Encode(v)
}

// Encode is json.Marshal without HTML escaping and without the encoder's
// trailing newline: how the grammar spells keys and literal values.
func Encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// MarshalJSON encodes the schema: a parsed one as it was given (with its
// annotations), one built in code with its keywords in a fixed order
// (type, properties, required, additionalProperties, items, minItems,
// maxItems, minLength, maxLength, enum, const, anyOf, oneOf), so that the
// bytes recorded in manifests are stable.
func (s *Schema) MarshalJSON() ([]byte, error) {
	if s.src != nil {
		return bytes.Clone(s.src), nil
	}
	var b bytes.Buffer
	err := s.encode(&b)
	return b.Bytes(), err
}

// keyWriter writes the members of one JSON object.
type keyWriter struct {
	b   *bytes.Buffer
	n   int
	err error
}

func (w *keyWriter) key(k string) {
	if w.n > 0 {
		w.b.WriteByte(',')
	}
	w.n++
	w.value(k)
	w.b.WriteByte(':')
}

func (w *keyWriter) value(v any) {
	if w.err != nil {
		return
	}
	var data []byte
	data, w.err = json.Marshal(v)
	w.b.Write(data)
}

func (s *Schema) encode(b *bytes.Buffer) error {
	w := &keyWriter{b: b}
	b.WriteByte('{')
	switch len(s.Types) {
	case 0:
	case 1:
		w.key("type")
		w.value(s.Types[0])
	default:
		w.key("type")
		w.value(s.Types)
	}
	if len(s.Properties) > 0 {
		w.key("properties")
		encodeProperties(w, s.Properties)
	}
	fields := []struct {
		k  string
		v  any
		ok bool
	}{
		{"required", s.Required, len(s.Required) > 0},
		{"additionalProperties", s.AdditionalProperties, s.AdditionalProperties != nil},
	}
	for _, f := range fields {
		if f.ok {
			w.key(f.k)
			w.value(f.v)
		}
	}
	if s.Items != nil {
		w.key("items")
		if w.err == nil {
			w.err = s.Items.encode(b)
		}
	}
	for _, f := range []struct {
		k string
		v *int
	}{{"minItems", s.MinItems}, {"maxItems", s.MaxItems}, {"minLength", s.MinLength}, {"maxLength", s.MaxLength}} {
		if f.v != nil {
			w.key(f.k)
			w.value(*f.v)
		}
	}
	if len(s.Enum) > 0 {
		w.key("enum")
		w.value(s.Enum)
	}
	if s.Const != nil {
		w.key("const")
		w.value(s.Const)
	}
	for _, alt := range []struct {
		k    string
		subs []*Schema
	}{{"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		if len(alt.subs) > 0 {
			w.key(alt.k)
			encodeList(w, alt.subs)
		}
	}
	b.WriteByte('}')
	return w.err
}

// encodeProperties writes the object of props, each name to its schema,
// in order.
func encodeProperties(w *keyWriter, props []Property) {
	w.b.WriteByte('{')
	for i, p := range props {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.value(p.Name)
		w.b.WriteByte(':')
		if w.err == nil {
			w.err = p.Schema.encode(w.b)
		}
	}
	w.b.WriteByte('}')
}

// encodeList writes the array of subs (anyOf, oneOf).
func encodeList(w *keyWriter, subs []*Schema) {
	w.b.WriteByte('[')
	for i, sub := range subs {
		if i > 0 {
			w.b.WriteByte(',')
		}
		if w.err == nil {
			w.err = sub.encode(w.b)
		}
	}
	w.b.WriteByte(']')
}
