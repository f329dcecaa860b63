package testmodel

import "errors"

// ErrInvalidSpec: Build was given a Spec it cannot build.
var ErrInvalidSpec = errors.New("invalid spec")

// specError is an error of Spec.validate: its own message, of the kind
// ErrInvalidSpec.
type specError struct{ error }

func (specError) Is(target error) bool { return target == ErrInvalidSpec }
