package sample

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"unicode/utf8"
)

// validateJSON is an independent, test-only JSON Schema validator for the
// subset NewJSONSchema supports. It works on the generic decoding of both
// the schema and the instance, sharing no code with the compiler.
func validateJSON(schema map[string]any, v any) error {
	if c, ok := schema["const"]; ok && !jsonEqual(c, v) {
		return fmt.Errorf("%v != const %v", v, c)
	}
	if e, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return jsonEqual(x, v) }) {
		return fmt.Errorf("%v not in enum %v", v, e)
	}
	if alts, ok := schema["anyOf"].([]any); ok && countValid(alts, v) == 0 {
		return fmt.Errorf("%v matches no anyOf alternative", v)
	}
	if alts, ok := schema["oneOf"].([]any); ok && countValid(alts, v) != 1 {
		return fmt.Errorf("%v matches %d oneOf alternatives", v, countValid(alts, v))
	}
	if t, ok := schema["type"]; ok {
		var types []any
		if s, isStr := t.(string); isStr {
			types = []any{s}
		} else {
			types = t.([]any)
		}
		if !slices.ContainsFunc(types, func(x any) bool { return hasType(x.(string), v) }) {
			return fmt.Errorf("%#v is not of type %v", v, types)
		}
	}
	switch x := v.(type) {
	case string:
		n := float64(utf8.RuneCountInString(x))
		if m, ok := schema["minLength"].(float64); ok && n < m {
			return fmt.Errorf("%q shorter than %v", x, m)
		}
		if m, ok := schema["maxLength"].(float64); ok && n > m {
			return fmt.Errorf("%q longer than %v", x, m)
		}
	case []any:
		return validateArray(schema, x)
	case map[string]any:
		return validateObject(schema, x)
	}
	return nil
}

func countValid(alts []any, v any) int {
	n := 0
	for _, a := range alts {
		if validateJSON(a.(map[string]any), v) == nil {
			n++
		}
	}
	return n
}

func hasType(t string, v any) bool {
	switch x := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case float64:
		return t == "number" || (t == "integer" && x == math.Trunc(x))
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	}
	return false
}

func jsonEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

func validateArray(schema map[string]any, x []any) error {
	n := float64(len(x))
	if m, ok := schema["minItems"].(float64); ok && n < m {
		return fmt.Errorf("array of %d < minItems %v", len(x), m)
	}
	if m, ok := schema["maxItems"].(float64); ok && n > m {
		return fmt.Errorf("array of %d > maxItems %v", len(x), m)
	}
	if items, ok := schema["items"].(map[string]any); ok {
		for i, e := range x {
			if err := validateJSON(items, e); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	}
	return nil
}

func validateObject(schema map[string]any, x map[string]any) error {
	props, _ := schema["properties"].(map[string]any)
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			if _, has := x[r.(string)]; !has {
				return fmt.Errorf("missing required %q", r)
			}
		}
	}
	for k, e := range x {
		ps, ok := props[k].(map[string]any)
		if !ok {
			if ap, isBool := schema["additionalProperties"].(bool); isBool && !ap {
				return fmt.Errorf("unexpected property %q", k)
			}
			continue
		}
		if err := validateJSON(ps, e); err != nil {
			return fmt.Errorf("property %q: %w", k, err)
		}
	}
	return nil
}

func mustSchemaMap(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}
