//go:build !unix

package gguf

import (
	"fmt"
	"os"
)

// Open opens and validates the file at path. On this platform there is no
// mapping: TensorData reads each tensor into a fresh buffer, and Close closes
// the file.
func Open(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("gguf: %w", err)
	}
	f, err := Parse(fd, st.Size())
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.release = fd.Close
	return f, nil
}
