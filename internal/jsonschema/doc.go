// Package jsonschema is Plume's one JSON Schema implementation: it parses a
// schema once (Parse, or the builders String, Array, Object and Boolean for
// schemas written in code), validates JSON documents against it (Validate),
// encodes it for servers and manifests (MarshalJSON), and hands its parsed
// tree to the sampler, which compiles it to a grammar for constrained
// decoding (sample.NewJSONSchema).
//
// It supports the subset of JSON Schema (2020-12) that constrained decoding
// can enforce token by token: type (a name or a list of names), properties,
// required, additionalProperties (a boolean), items, minItems, maxItems,
// minLength, maxLength, enum, const, anyOf and oneOf, plus the annotations
// that never constrain a value (title, description, default, examples,
// format, $schema, $id, $comment, deprecated, readOnly, writeOnly). Every
// other keyword is refused with an *UnsupportedError naming it and where it
// is, rather than silently ignored, so that a server can answer 400 with the
// keyword instead of returning JSON that does not honour it. As in JSON
// Schema, a schema that says nothing about a value allows any value: {} (or
// annotations only), an object without properties, an array without items.
//
// A schema is untrusted input: its size, nesting, property and enum counts
// and length bounds are capped (MaxSchemaBytes, MaxDepth, MaxProperties,
// MaxEnumValues, MaxStringLength, MaxItems), and so is a validated document
// (MaxDocumentBytes). A violation is an error, never a panic.
package jsonschema
