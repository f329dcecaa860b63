package kernels

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Replacement is the slot Later gives a matrix for a copy of it made
// while the matrix is in use: Begin says a copy is under way, Publish
// hands it over, Abandon gives it up.
type Replacement struct {
	shape Matrix                 // the matrix replaced (type and shape)
	done  atomic.Pointer[Matrix] // the published replacement
	copy  atomic.Pointer[copying]
}

// copying is a copy under way.
type copying struct {
	end     chan struct{} // closed when it is published or abandoned
	once    sync.Once
	yielded atomic.Bool // a product of a batch asked it to give way
}

func (c *copying) close() { c.once.Do(func() { close(c.end) }) }

// ErrReplaced is a Begin or Publish on a Replacement already published,
// or a Begin while a copy is under way.
var ErrReplaced = errors.New("matrix: a replacement was already under way or published")

// Later returns m, valid as it is, with a Replacement: a copy of m
// elsewhere in memory, in any layout (e.g. copied into huge pages and
// interleaved), published through it is what every MatMul, MatMulMulti
// and RowData of the returned matrix (or of copies of it) reads from then
// on (Current). While a copy is under way (Begin), a product of one
// activation row (a decoded token) and RowData read m, as before; one of a
// batch (a prompt), which reads the matrix far longer, asks the copy to
// give way (Yielded), waits until it has (Abandon: the copy frees what it
// had copied), and reads m, so that the batch's pages of m and a partial
// copy are not both held. m's bytes must therefore stay valid. The
// replacement must have m's type and shape and pass Check.
//
// This is how the engine moves a mapped model's matrices into private
// memory in the background without stopping generation: the kernels give
// the same bits for every layout, so a generation that spans the swap
// reads as if it had none.
func (m Matrix) Later() (Matrix, *Replacement) {
	r := &Replacement{shape: m}
	r.shape.Data, r.shape.next = nil, nil
	m.next = r
	return m, r
}

// Begin says a copy is under way: from now on products wait for Publish
// or Abandon, or ask the copy to give way (Yielded).
func (r *Replacement) Begin() error {
	if r.done.Load() != nil || !r.copy.CompareAndSwap(nil, &copying{end: make(chan struct{})}) {
		return ErrReplaced
	}
	return nil
}

// Yielded reports whether a product of a batch asked the copy under way to
// give way: the copier should then stop, free what it copied and Abandon.
func (r *Replacement) Yielded() bool {
	c := r.copy.Load()
	return c != nil && c.yielded.Load()
}

// Publish hands the copy c over to the matrix's readers, and wakes those
// waiting for it. A second replacement, or one of another type or shape,
// is an error, and the copy is abandoned.
func (r *Replacement) Publish(c Matrix) error {
	if c.Type != r.shape.Type || c.Rows != r.shape.Rows || c.Cols != r.shape.Cols {
		r.Abandon()
		return fmt.Errorf("matrix: %w: replacement %s %dx%d for %s %dx%d", ErrShape, c.Type, c.Rows, c.Cols, r.shape.Type, r.shape.Rows, r.shape.Cols)
	}
	c.next = nil
	if err := c.Check(); err != nil {
		r.Abandon()
		return err
	}
	if !r.done.CompareAndSwap(nil, &c) {
		r.Abandon()
		return ErrReplaced
	}
	r.Abandon() // ends the copy: its readers now find c
	return nil
}

// Abandon ends the copy under way, if any, and wakes its readers, who read
// the published replacement if there is one, else the original. Another
// copy may Begin afterwards.
func (r *Replacement) Abandon() {
	if c := r.copy.Swap(nil); c != nil {
		c.close()
	}
}

// Current returns the replacement published for m (Later), or m itself.
func (m Matrix) Current() Matrix {
	if m.next != nil {
		if c := m.next.done.Load(); c != nil {
			return *c
		}
	}
	return m
}

// current is Current, except that for a batch a copy under way is first
// asked to give way, and waited for until it has (or is published).
func (m Matrix) current(batch bool) Matrix {
	if batch && m.next != nil && m.next.done.Load() == nil {
		if c := m.next.copy.Load(); c != nil {
			c.yielded.Store(true)
			<-c.end
		}
	}
	return m.Current()
}

// currentAll is current of every matrix of ws: ws itself where none has a
// Replacement, else a fresh slice (the caller's is left as it was).
func currentAll(ws []Matrix, batch bool) []Matrix {
	for i := range ws {
		if ws[i].next != nil {
			out := make([]Matrix, len(ws))
			for j, w := range ws {
				out[j] = w.current(batch)
			}
			return out
		}
	}
	return ws
}
