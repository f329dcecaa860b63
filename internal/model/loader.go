package model

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
)

// ErrTensor reports a tensor that is missing or has the wrong shape or type.
var ErrTensor = errors.New("invalid model tensor")

// Loader hands out a file's tensors, each checked against the shape its
// architecture expects. It keeps the first error (later requests return zero
// values), so an architecture file reads as a plain list of requests
// followed by one Err check.
type Loader struct {
	f   *gguf.File
	err error
	// later are the matrices the file leaves for its background copy
	// (gguf.File.Pending), in the order requested, each with the
	// Replacement of every matrix handed out for it (kernels.Matrix.Later).
	later []laterMatrix
}

// laterMatrix is one matrix of the background copy.
type laterMatrix struct {
	name string
	m    kernels.Matrix // as handed out, without its Replacement
	reps []*kernels.Replacement
}

// Err returns the first error met.
func (l *Loader) Err() error { return l.err }

func (l *Loader) fail(name, format string, args ...any) {
	if l.err == nil {
		l.err = fmt.Errorf("%w %q: %s", ErrTensor, name, fmt.Sprintf(format, args...))
	}
}

// info finds name and checks its dims (ggml order: row length first).
func (l *Loader) info(name string, optional bool, dims ...int) (gguf.TensorInfo, bool) {
	if l.err != nil {
		return gguf.TensorInfo{}, false
	}
	ti, ok := l.f.Tensor(name)
	if !ok {
		if !optional {
			l.fail(name, "missing")
		}
		return ti, false
	}
	if len(ti.Dims) != len(dims) {
		l.fail(name, "shape %v, want %v", ti.Dims, dims)
		return ti, false
	}
	for i, d := range dims {
		if ti.Dims[i] != uint64(d) {
			l.fail(name, "shape %v, want %v", ti.Dims, dims)
			return ti, false
		}
	}
	return ti, true
}

// Matrix requests a 2-D weight of rows rows of cols elements (GGUF dims
// [cols, rows]) in a type the kernels can multiply. The data stays where
// the file has it; in a private copy not yet sealed (gguf.File.Rearrange)
// it is first interleaved where the kernels decode its type faster so
// (kernels.Interleave).
func (l *Loader) Matrix(name string, cols, rows int) kernels.Matrix {
	m, _ := l.matrix(name, false, cols, rows)
	return m
}

// OptionalMatrix is Matrix for a tensor that may be absent (ok = false).
func (l *Loader) OptionalMatrix(name string, cols, rows int) (kernels.Matrix, bool) {
	return l.matrix(name, true, cols, rows)
}

func (l *Loader) matrix(name string, optional bool, cols, rows int) (kernels.Matrix, bool) {
	ti, ok := l.info(name, optional, cols, rows)
	if !ok {
		return kernels.Matrix{}, false
	}
	if !kernels.Supported(ti.Type) {
		l.fail(name, "type %s has no matrix kernel", ti.Type)
		return kernels.Matrix{}, false
	}
	data, err := l.f.TensorData(name)
	if err != nil {
		l.fail(name, "data: %v", err)
		return kernels.Matrix{}, false
	}
	m := kernels.Matrix{Type: ti.Type, Rows: rows, Cols: cols, Data: data}
	if err := m.Check(); err != nil {
		l.fail(name, "%v", err)
		return kernels.Matrix{}, false
	}
	if kernels.Interleaves(m.Type) {
		// A private copy of the weights is laid out as the kernels decode
		// it fastest, once per tensor (tied embeddings share theirs).
		if _, err := l.f.Rearrange(name, func(data []byte) uint8 {
			copyM := m
			copyM.Data = data
			return uint8(kernels.Interleave(copyM).Layout)
		}); err != nil {
			l.fail(name, "rearranging: %v", err)
			return kernels.Matrix{}, false
		}
	}
	m.Layout = kernels.Layout(l.f.Arrangement(name))
	if err := m.Check(); err != nil {
		l.fail(name, "%v", err)
		return kernels.Matrix{}, false
	}
	if l.f.Pending(name) {
		return l.copyLater(name, m), true
	}
	return m, true
}

// copyLater returns m with a Replacement for the copy the file's
// background copy will make of it (kernels.Matrix.Later).
func (l *Loader) copyLater(name string, m kernels.Matrix) kernels.Matrix {
	lm, rep := m.Later()
	for i := range l.later {
		if l.later[i].name == name {
			l.later[i].reps = append(l.later[i].reps, rep)
			return lm
		}
	}
	l.later = append(l.later, laterMatrix{name: name, m: m, reps: []*kernels.Replacement{rep}})
	return lm
}

// CopyInBackground starts the file's background copy of the matrices
// handed out (gguf.File.CopyInBackground), in the order requested, those
// named in last last: each copy is interleaved where the
// kernels decode its type faster so (kernels.Interleave), then published
// to every matrix handed out for it (kernels.Matrix.Later). Every product
// gives the same bits in either place and layout, so the model runs on
// while they move. The copy pauses while batches is above zero (prompts
// are evaluated: the copy would delay the first token); a prompt that
// needs a matrix under copy has it give way (kernels.Replacement).
func (l *Loader) CopyInBackground(batches *atomic.Int32, last ...string) error {
	if len(l.later) == 0 {
		return nil
	}
	order := make([]string, 0, len(l.later))
	c := laterCopier{batches: batches, byName: map[string]laterMatrix{}}
	for _, lm := range l.later {
		if !slices.Contains(last, lm.name) {
			order = append(order, lm.name)
		}
		c.byName[lm.name] = lm
	}
	for _, name := range last {
		if _, ok := c.byName[name]; ok {
			order = append(order, name)
		}
	}
	return l.f.CopyInBackground(order, c)
}

// laterCopier is the gguf.Copier of Loader.CopyInBackground: the matrices
// by tensor name.
type laterCopier struct {
	batches *atomic.Int32
	byName  map[string]laterMatrix
}

func (c laterCopier) Paused() bool { return c.batches.Load() > 0 }

func (c laterCopier) Start(name string) {
	for _, rep := range c.byName[name].reps {
		_ = rep.Begin() // cannot fail: each tensor is copied once
	}
}

func (c laterCopier) Yielded(name string) bool {
	for _, rep := range c.byName[name].reps {
		if rep.Yielded() {
			return true
		}
	}
	return false
}

func (c laterCopier) Done(name string, data []byte) {
	lm := c.byName[name]
	if data == nil {
		for _, rep := range lm.reps {
			rep.Abandon()
		}
		return
	}
	m := lm.m
	m.Data = data
	m = kernels.Interleave(m)
	for _, rep := range lm.reps {
		_ = rep.Publish(m) // cannot fail: m has the type and shape of the matrix handed out
	}
}

// Vector requests a 1-D tensor of n elements (norm weights, biases) and
// returns it as float32 (dequantized when stored as F16/BF16).
func (l *Loader) Vector(name string, n int) []float32 {
	return l.vector(name, false, n)
}

// OptionalVector is Vector for a tensor that may be absent (nil).
func (l *Loader) OptionalVector(name string, n int) []float32 {
	return l.vector(name, true, n)
}

func (l *Loader) vector(name string, optional bool, n int) []float32 {
	ti, ok := l.info(name, optional, n)
	if !ok {
		return nil
	}
	switch ti.Type {
	case tensor.F32, tensor.F16, tensor.BF16:
	default:
		l.fail(name, "type %s, want F32, F16 or BF16", ti.Type)
		return nil
	}
	data, err := l.f.TensorData(name)
	if err != nil {
		l.fail(name, "data: %v", err)
		return nil
	}
	out := make([]float32, n)
	if err := tensor.Dequantize(ti.Type, data, out); err != nil {
		l.fail(name, "%v", err)
		return nil
	}
	return out
}
