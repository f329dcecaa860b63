// Package schema validates JSON documents against the subset of JSON Schema
// that Plume's writer uses for its structured steps (outline, metadata,
// review): type, properties, required, additionalProperties: false, items,
// minItems/maxItems, minLength/maxLength (in characters), enum, minimum and
// maximum. The local engine enforces the schema while decoding; this package
// is the check applied to every structured answer, which matters most for
// remote backends whose servers may ignore or only partly honour
// response_format.
package schema
