//go:build !unix

package gguf

import (
	"context"
	"errors"
)

// Open opens and validates the file at path. On this platform there is no
// mapping: TensorData reads each tensor into a fresh buffer, and Close closes
// the file.
func Open(path string) (*File, error) {
	fd, st, err := openFD(path)
	if err != nil {
		return nil, err
	}
	return parseFD(fd, st.Size(), path)
}

// OpenPrivate is Open: TensorData already reads each tensor into private
// memory on this platform.
func OpenPrivate(_ context.Context, path string) (*File, error) { return Open(path) }

// OpenCopying is Open, for the same reason: no tensor is left for
// CopyInBackground.
func OpenCopying(_ context.Context, path string, _ func(*File, TensorInfo) When, _ int64) (*File, error) {
	return Open(path)
}

// run is never called here: OpenCopying leaves no tensor pending.
func (b *background) run(context.Context, []string, Copier) error {
	return errors.New("gguf: no background copy on this platform")
}
