package remote

import (
	"errors"
	"fmt"
)

// Errors of Generate, matched with errors.Is (the messages add the details).
var (
	// ErrInvalidRequest: the request was refused before anything was sent.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrIdle: the server sent nothing for Config.IdleTimeout.
	ErrIdle = errors.New("no data from the server")
	// ErrResultLimit: the completion passed MaxResultBytes or MaxResultTokens.
	ErrResultLimit = fmt.Errorf("completion over %d bytes or %d tokens", MaxResultBytes, MaxResultTokens)
)

// requestError is an error of validateRequest: its own message, of the
// kind ErrInvalidRequest.
type requestError struct{ error }

func (requestError) Is(target error) bool { return target == ErrInvalidRequest }
