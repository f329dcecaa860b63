package gguf

import "fmt"

// Rearrange lets the caller rewrite the bytes of the named tensor in place,
// once, in a file from OpenPrivate (or a tensor OpenCopying copied) that is
// not sealed yet: it calls fn with
// them and records the tag fn returns (0 meaning "as in the file"), which
// Arrangement reports from then on, so that whoever reads the tensor
// later knows its bytes are no longer the file's. A model loader uses it to
// lay weights out the way its kernels read fastest. Elsewhere (a mapped
// file, a sealed copy, a tensor already rearranged) fn is not called and
// Rearrange reports false.
func (f *File) Rearrange(name string, fn func(data []byte) uint8) (bool, error) {
	i, ok := f.tIdx[name]
	if !ok {
		return false, fmt.Errorf("gguf: tensor %q: %w", name, ErrNotFound)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false, fmt.Errorf("gguf: tensor %q: %w", name, ErrClosed)
	}
	if f.seal == nil || f.mem == nil {
		return false, nil
	}
	if _, done := f.arranged[name]; done {
		return false, nil
	}
	data := f.own[name]
	if data == nil {
		if f.own != nil {
			return false, nil // a tensor OpenCopying left mapped
		}
		t := f.Tensors[i]
		start := f.DataOffset + int64(t.Offset) // validated: inside the file
		end := start + int64(t.Size)
		data = f.mem[start:end:end]
	}
	if f.arranged == nil {
		f.arranged = map[string]uint8{}
	}
	f.arranged[name] = fn(data)
	return true, nil
}

// Arrangement returns the tag Rearrange recorded for the named tensor: 0
// when its bytes are as in the file.
func (f *File) Arrangement(name string) uint8 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.arranged[name]
}

// Seal makes a private copy read-only, as a mapping is: no tensor can be
// rearranged afterwards, and a stray write faults instead of corrupting
// the weights. It does nothing for other files, or a second time.
func (f *File) Seal() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seal == nil || f.closed {
		return nil
	}
	err := f.seal()
	f.seal = nil
	if err != nil {
		return fmt.Errorf("gguf: sealing the weights: %w", err)
	}
	return nil
}
