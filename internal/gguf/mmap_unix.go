//go:build unix

package gguf

import (
	"fmt"
	"math"

	"golang.org/x/sys/unix"
)

// Open maps the file at path read-only, then parses and validates it.
// TensorData returns views of the mapping. Where the file cannot be mapped
// (an empty file, a filesystem without mmap) it falls back to reading
// through the descriptor, as Parse does, and Close closes it.
//
// If another process truncates the file while it is mapped, reading a view
// faults: model files are expected to be immutable once written (the Writer
// and the hub write them atomically, the hub read-only). The engine reads
// views with debug.SetPanicOnFault and reports such a fault as an error.
//
// Errors name path once (the caller need not add it).
func Open(path string) (*File, error) {
	fd, st, err := openFD(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		fd.Close()
		return nil, fmt.Errorf("gguf: %s is not a regular file", path)
	}
	size := st.Size()
	var mem []byte
	if size > 0 && size <= math.MaxInt {
		mem, err = unix.Mmap(int(fd.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	}
	if mem == nil || err != nil {
		return parseFD(fd, size, path)
	}
	fd.Close() // the mapping outlives the descriptor
	f, err := parseMem(mem)
	if err != nil {
		_ = unix.Munmap(mem)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.release = func() error {
		if err := unix.Munmap(mem); err != nil {
			return fmt.Errorf("gguf: munmap %s: %w", path, err)
		}
		return nil
	}
	return f, nil
}
