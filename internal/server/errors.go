package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/plumewriter/plume/internal/chat"
	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/sample"
)

// OpenAI error types, the "type" field of an error body.
const (
	typeInvalidRequest = "invalid_request_error"
	typeAuthentication = "authentication_error"
	typePermission     = "permission_error"
	typeNotFound       = "not_found_error"
	typeServer         = "server_error"
	typeOverloaded     = "overloaded_error"
)

// Error is an API error: an HTTP status and OpenAI's error body
// {"error": {"message", "type", "param", "code"}}.
type Error struct {
	Status  int    `json:"-"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Param   string `json:"param,omitempty"`
	Code    string `json:"code,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header when > 0.
	RetryAfter int `json:"-"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message) }

// badRequest is a 400 about param.
func badRequest(param, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typeInvalidRequest, Param: param, Message: fmt.Sprintf(format, args...)}
}

// errBusy is the 503 of a request that finds every slot and queue place
// taken.
func errBusy() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Type: typeOverloaded, Code: "server_busy", RetryAfter: RetryAfter,
		Message: "all slots and queue places are taken; retry later"}
}

// apiError maps an error from decoding, validation or generation to the
// API error the client gets. Errors the client caused (a prompt longer
// than the context, sampling parameters out of range, a schema the grammar
// cannot enforce, a conversation the chat template rejects) are 400s that
// say why; anything else is a 500 whose details stay in the server's log.
func apiError(err error) *Error {
	var ae *Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Type: typeInvalidRequest, Code: "request_too_large",
			Message: fmt.Sprintf("request body is over %d bytes", mbe.Limit)}
	case errors.Is(err, engine.ErrContextLength):
		return &Error{Status: http.StatusBadRequest, Type: typeInvalidRequest, Code: "context_length_exceeded", Param: "messages",
			Message: "the prompt does not fit in the model's context window (" + err.Error() + "); shorten it, nothing was truncated"}
	case errors.Is(err, sample.ErrParams):
		return badRequest("", "%v", err)
	case errors.Is(err, sample.ErrSchema):
		return badRequest("response_format", "%v", err)
	case chat.IsRaised(err):
		return badRequest("messages", "the model's chat template rejected the conversation: %v", err)
	}
	return &Error{Status: http.StatusInternalServerError, Type: typeServer, Message: "internal error"}
}

// writeError sends err as OpenAI's error JSON with its status; internal
// errors are logged, not sent.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	e := apiError(err)
	if e.Status >= 500 && e.Type == typeServer {
		log.Error("request failed", "err", err)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, e.Status, map[string]*Error{"error": e})
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client may be gone; nothing left to tell it
}
