package kernels

import (
	"errors"
	"fmt"
	"math"

	"github.com/plumewriter/plume/internal/tensor"
)

// ErrShape reports operands whose sizes do not fit together.
var ErrShape = errors.New("shape mismatch")

// ErrUnsupported reports a weight type without a dot-product kernel.
var ErrUnsupported = errors.New("unsupported weight type")

// maxType bounds the ggml type ids indexed by the kernel tables.
const maxType = 40

// dotFunc computes one weight row (n elements) · one activation row of the
// weight type's VecDotType. Lengths are validated by the caller.
type dotFunc func(n int, w, x []byte) float32

// kernelSet is one implementation of every kernel. The generic set is the
// reference; a CPU-specific set replaces entries with faster code whose
// results stay within the tests' tolerances of the generic ones.
type kernelSet struct {
	name string
	dot  [maxType]dotFunc
	// float32 vector kernels
	dotF32 func(a, b []float32) float32
	axpy   func(alpha float32, x, y []float32)
}

// active is the kernel set chosen at start-up (selectKernels, per platform).
var active = selectKernels()

// Path names the kernel implementation in use, e.g. "generic".
func Path() string { return active.name }

// vecDotTypes maps a weight type to the activation type of its dot product,
// as ggml's type_traits_cpu[t].vec_dot_type.
var vecDotTypes = map[tensor.Type]tensor.Type{
	tensor.F32: tensor.F32, tensor.F16: tensor.F16, tensor.BF16: tensor.BF16,
	tensor.Q4_0: tensor.Q8_0, tensor.Q5_0: tensor.Q8_0, tensor.Q8_0: tensor.Q8_0,
	tensor.Q4_1: tensor.Q8_1, tensor.Q5_1: tensor.Q8_1,
	tensor.Q2_K: tensor.Q8_K, tensor.Q3_K: tensor.Q8_K, tensor.Q4_K: tensor.Q8_K,
	tensor.Q5_K: tensor.Q8_K, tensor.Q6_K: tensor.Q8_K,
}

// VecDotType returns the type activations are converted to before a dot
// product with weights of type t: Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for
// Q4_1/Q5_1, Q8_K for the K-quants, and the weight type itself for F32, F16
// and BF16. It returns t unchanged for types without a kernel (see Supported).
func VecDotType(t tensor.Type) tensor.Type {
	if vt, ok := vecDotTypes[t]; ok {
		return vt
	}
	return t
}

// Supported reports whether weights of type t have a dot-product kernel.
func Supported(t tensor.Type) bool {
	_, ok := vecDotTypes[t]
	return ok && active.dot[t] != nil
}

// QuantizeRow converts the float32 activations x to type vt (a VecDotType)
// exactly as llama.cpp's CPU backend does before the dot product, writing
// RowSize(vt, len(x)) bytes to dst.
func QuantizeRow(vt tensor.Type, x []float32, dst []byte) error {
	if err := tensor.CheckRow(vt, len(x), dst); err != nil {
		return fmt.Errorf("quantize row: %w", err)
	}
	switch vt {
	case tensor.F32:
		copy(dst, f32bytes(x))
	case tensor.F16:
		h := u16view(dst)
		for i, v := range x {
			h[i] = tensor.F32ToF16(v)
		}
	case tensor.BF16:
		h := u16view(dst)
		for i, v := range x {
			h[i] = tensor.F32ToBF16(v)
		}
	case tensor.Q8_0:
		return tensor.QuantizeQ8_0(x, dst)
	case tensor.Q8_1:
		return tensor.QuantizeQ8_1(x, dst)
	case tensor.Q8_K:
		return tensor.QuantizeQ8_K(x, dst)
	default:
		return fmt.Errorf("quantize row: %w: %s is not an activation type", ErrUnsupported, vt)
	}
	return nil
}

// CheckVecDot validates the operands of VecDot.
func CheckVecDot(t tensor.Type, n int, w, x []byte) error {
	if !Supported(t) {
		return fmt.Errorf("vec dot: %w %s", ErrUnsupported, t)
	}
	if err := tensor.CheckRow(t, n, w); err != nil {
		return fmt.Errorf("vec dot weights: %w", err)
	}
	if err := tensor.CheckRow(VecDotType(t), n, x); err != nil {
		return fmt.Errorf("vec dot activations: %w", err)
	}
	return nil
}

// VecDot returns the dot product of one weight row of n elements of type t
// with one activation row of type VecDotType(t) (from QuantizeRow). Integer
// formats multiply integers per block and scale in float32, like ggml's
// ggml_vec_dot_*_q8_* functions; float formats multiply in float32. Partial
// sums are added in a fixed order, so the result is deterministic.
// Invalid operands (see CheckVecDot) give NaN rather than a panic.
func VecDot(t tensor.Type, n int, w, x []byte) float32 {
	if CheckVecDot(t, n, w, x) != nil {
		return float32(math.NaN())
	}
	return active.dot[t](n, w, x)
}
