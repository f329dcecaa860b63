package model

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tensor"
)

// Model is a loaded architecture: hyperparameters and weights. It is
// read-only after New and safe for concurrent use by several States.
type Model struct {
	Config  Config
	Weights *Weights
	// batches counts the prompts being evaluated, during which the
	// background copy of the weights pauses (nil: no copy).
	batches *atomic.Int32
}

// New reads the hyperparameters of f's architecture, validates them, and
// checks every tensor's presence, shape and type. The weights stay views of
// f's mapping: f must stay open while the Model is used.
func New(f *gguf.File) (*Model, error) {
	name := f.Arch()
	arch, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("%w: architecture %q is not supported (supported: %v)", ErrConfig, name, Architectures())
	}
	c, err := readConfig(f, name, arch.RopeNeox)
	if err != nil {
		return nil, err
	}
	l := &Loader{f: f}
	w := arch.Load(l, c)
	if err := l.Err(); err != nil {
		return nil, err
	}
	// get_rows dequantizes embedding rows: check the type has a dequantizer.
	row := make([]float32, c.Embd)
	if err := tensor.Dequantize(w.TokEmbd.Type, w.TokEmbd.RowData(0, make([]byte, w.TokEmbd.RowBytes())), row); err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrTensor, "token_embd.weight", err)
	}
	// The output head last: a prompt's forward pass ends with it, as a
	// product of one row, which waits for a copy under way where the
	// others have it give way; and it is the largest matrix. A second
	// model of one file runs from the mapping (the copy publishes to the
	// first one's matrices).
	batches := new(atomic.Int32)
	if err := l.CopyInBackground(batches, "output.weight", "token_embd.weight"); err != nil && !errors.Is(err, gguf.ErrCopyStarted) {
		return nil, err
	}
	return &Model{Config: c, Weights: w, batches: batches}, nil
}

// CheckTokens reports an error when an id is outside the vocabulary.
func (m *Model) CheckTokens(ids []int32) error {
	for i, id := range ids {
		if id < 0 || int(id) >= m.Config.Vocab {
			return fmt.Errorf("token %d at index %d is outside the vocabulary (size %d)", id, i, m.Config.Vocab)
		}
	}
	return nil
}
