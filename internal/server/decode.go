package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// decodeBody reads r's body (capped at MaxBodyBytes), refuses JSON nested
// deeper than MaxJSONDepth, and decodes it into v.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if d := jsonDepth(body); d > MaxJSONDepth {
		return badRequest("", "request body nests %d levels deep, limit %d", d, MaxJSONDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return badRequest("", "request body is not valid JSON for this endpoint: %v", err)
	}
	if dec.More() {
		return badRequest("", "request body holds more than one JSON value")
	}
	return nil
}

// jsonDepth returns the deepest nesting of arrays and objects in data,
// skipping strings; it stops counting once past MaxJSONDepth. It does not
// validate the JSON (the decoder does that after).
func jsonDepth(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, b := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > MaxJSONDepth {
					return deepest
				}
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return deepest
}
