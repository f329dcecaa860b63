package jsonschema

import "fmt"

// Violation kinds, as a ValidationError reports them.
const (
	ViolationInvalidJSON = "invalid-json" // the document is not one JSON value
	ViolationType        = "type"         // Want names the allowed types
	ViolationEnum        = "enum"
	ViolationRequired    = "required"   // Name is the missing property
	ViolationUnexpected  = "unexpected" // Name is the extra property
	ViolationMinLength   = "minLength"  // Got characters, Limit wanted at least
	ViolationMaxLength   = "maxLength"
	ViolationMinItems    = "minItems" // Got items, Limit wanted at least
	ViolationMaxItems    = "maxItems"
)

// ValidationError is the first violation Validate finds in a document, for
// callers that report it in their own words (the writer's French repair
// prompt); Error gives it in English.
type ValidationError struct {
	Path       string // "$" or "$.sections[2].heading"
	Kind       string // one of the Violation* constants
	Got, Limit int    // for the length and item counts
	Name       string // the property, for required and unexpected
	Want       string // the allowed types, for type ("a string", "an array")
	Err        error  // the decoder's error, for invalid-json
}

func (e *ValidationError) Error() string {
	switch e.Kind {
	case ViolationInvalidJSON:
		return fmt.Sprintf("not valid JSON: %v", e.Err)
	case ViolationType:
		return fmt.Sprintf("%s: want %s", e.Path, e.Want)
	case ViolationEnum:
		return fmt.Sprintf("%s: value not in enum", e.Path)
	case ViolationRequired:
		return fmt.Sprintf("%s: missing required property %q", e.Path, e.Name)
	case ViolationUnexpected:
		return fmt.Sprintf("%s: unexpected property %q", e.Path, e.Name)
	case ViolationMinLength:
		return fmt.Sprintf("%s: %d characters, at least %d wanted", e.Path, e.Got, e.Limit)
	case ViolationMaxLength:
		return fmt.Sprintf("%s: %d characters, at most %d wanted", e.Path, e.Got, e.Limit)
	case ViolationMinItems:
		return fmt.Sprintf("%s: %d items, at least %d wanted", e.Path, e.Got, e.Limit)
	case ViolationMaxItems:
		return fmt.Sprintf("%s: %d items, at most %d wanted", e.Path, e.Got, e.Limit)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Kind)
}

func (e *ValidationError) Unwrap() error { return e.Err }
