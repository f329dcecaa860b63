package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrModelChanged is a memory fault while reading the mapped model file:
// another program truncated or rewrote it during the run (issue 13 item 1).
// Without the recovery the process died of SIGBUS with a Go stack trace.
var ErrModelChanged = errors.New("model file changed while in use")

// faultAddr is the runtime.Error of a memory fault, which carries the
// faulting address (see debug.SetPanicOnFault).
type faultAddr interface {
	error
	Addr() uintptr
}

// catchFault turns a memory fault raised under debug.SetPanicOnFault into
// ErrModelChanged in *err, and restores the goroutine's previous setting.
// It is deferred, with SetPanicOnFault(true)'s result as old, by every
// engine entry point that reads the weights, on the calling goroutine (the
// kernels' pool hands its workers' faults back to that goroutine). Other
// panics go on unwinding.
//
//	defer m.catchFault(debug.SetPanicOnFault(true), &err)
func (m *Model) catchFault(old bool, err *error) {
	debug.SetPanicOnFault(old)
	r := recover()
	if r == nil {
		return
	}
	if fa, ok := r.(faultAddr); ok {
		*err = fmt.Errorf("%w: %s (memory fault at %#x: %v); the file was truncated or rewritten by another program during the run: pull or copy it again",
			ErrModelChanged, m.path, fa.Addr(), fa)
		return
	}
	panic(r)
}

// forward runs the model on ids, the one place a session reads the mapped
// weights, with memory faults turned into ErrModelChanged.
func (s *Session) forward(ctx context.Context, ids []int32, all bool) (logits []float32, err error) {
	defer s.m.catchFault(debug.SetPanicOnFault(true), &err)
	return s.m.model.Forward(ctx, s.m.pool, s.st, ids, all)
}
