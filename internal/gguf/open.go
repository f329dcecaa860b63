package gguf

import (
	"fmt"
	"os"
)

// openFD opens the file at path for Open and returns it with its metadata.
func openFD(path string) (*os.File, os.FileInfo, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("gguf: %w", err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, nil, fmt.Errorf("gguf: %w", err)
	}
	return fd, st, nil
}

// parseFD parses the size bytes of fd by reading through it, without a
// mapping: TensorData reads each tensor into a fresh buffer, and Close
// closes fd. On error fd is closed, and the error names path.
func parseFD(fd *os.File, size int64, path string) (*File, error) {
	f, err := Parse(fd, size)
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.release = fd.Close
	return f, nil
}
