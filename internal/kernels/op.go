package kernels

import (
	"errors"
	"fmt"
	"math"
	"slices"

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
	// rows4 computes four consecutive weight rows times one activation row
	// (each output bit-identical to dot); nil where no such kernel exists.
	rows4 [maxType]rows4Func
	// oneRowDecode has decoding (one activation row) take the one-row dot
	// row by row instead of rows4, where that reads memory faster (each
	// row one sequential stream; see avx512VNNIKernels). Batches still
	// use rows4.
	oneRowDecode [maxType]bool
	// quad computes the four rows of an Interleaved4 group times one
	// activation row (each output bit-identical to dot); where it is set,
	// Interleave rearranges matrices of that type (see interleave.go).
	quad [maxType]quadFunc
	// packedQuad is quad for matrices MatMul multiplies with the packed
	// arithmetic (see packedDot).
	packedQuad [maxType]quadFunc
	// tile42 computes four weight rows times pairs of activation rows (each
	// output bit-identical to dot), with the block scales converted to
	// float32 beforehand by scales4 (weights) and tileActScales
	// (activations); nil where no such kernel exists.
	tile42  [maxType]tile42Func
	scales4 [maxType]scales4Func
	// tile16 computes 16 Q8_0 weight rows times groups of 16 activation
	// rows packed by packTile16 on a matrix unit (AMX), each output
	// bit-identical to dot; nil where there is none (see tile16.go).
	tile16 tile16Func
	// tile16K is tile16 for repacked Q4_K weights (see tile16k.go).
	tile16K tile16KFunc
	// tile16Q40 is tile16 for repacked Q4_0 weights (see tile16q40.go).
	tile16Q40 tile16Q40Func
	// packedCols8 computes consecutive repacked-format weight rows times a
	// group of eight activation rows, each output bit-identical to packed;
	// nil if none.
	packedCols8 [maxType]cols8Func
	// packedRows4 computes four repacked-format weight rows times one
	// activation row, each output bit-identical to packed; nil if none.
	packedRows4 [maxType]rows4Func
	// packedCols4 computes one repacked-format weight row times four
	// activation rows, each output bit-identical to packed; nil if none.
	packedCols4 [maxType]cols4Func
	// rowsDot computes out[r] = dot(row r) * scale over rows stride bytes
	// apart (each output bit-identical to dot times scale); nil if none.
	rowsDot [maxType]rowsDotFunc
	// expand converts weight rows to Q8_0 for batched products (see
	// expandQ5_0); nil for formats that are not expanded.
	expand [maxType]expandFunc
	// cols4 computes one weight row times four activation rows, each output
	// bit-identical to dot, for matrices that are not repacked; nil if none.
	cols4 [maxType]cols4Func
	// packed replaces dot for matrices llama.cpp repacks (see packedDot).
	packed [maxType]dotFunc
	// float32 vector kernels
	dotF32 func(a, b []float32) float32
	axpy   func(alpha float32, x, y []float32)
	// expGroups exponentiates the whole groups of eight of x as Softmax does
	// (x[i] = vexpf(x[i]-m)) and returns how many elements it did and their
	// float64 sum (one reduce8 per group, in order).
	expGroups func(x []float32, m float32) (int, float64)
	// maxGroups returns how many elements of x (whole groups of eight)
	// it looked at and their maximum (-Inf for none); a NaN may be missed,
	// which Softmax's result does not show (all NaN either way).
	maxGroups func(x []float32) (int, float32)
	// scaleGroups multiplies the whole groups of eight of x by s and
	// returns how many elements it did.
	scaleGroups func(x []float32, s float32) int
	// prefetch starts loading b into the cache without waiting for it; nil
	// where there is no such instruction.
	prefetch func(b []byte)
	// ropePairs rotates a prefix of RoPE's pairs (all whole groups the
	// implementation handles) and returns how many it did.
	ropePairs func(x, cs []float32, neox bool) int
	// siluGroups applies SiLUMul to the whole groups of eight of gate and
	// returns how many elements it did.
	siluGroups func(gate, up []float32) int
	// quantQ8_0 quantizes activations to Q8_0 (lengths already checked);
	// nil means tensor.QuantizeQ8_0.
	quantQ8_0 func(x []float32, dst []byte)
	// quantQ8_K is quantQ8_0 for Q8_K; nil means tensor.QuantizeQ8_K.
	quantQ8_K func(x []float32, dst []byte)
	// rowsDotF16X32 is rowsDot[F16] with the activation as fp16 values held
	// in float32 (see F16RowsDot).
	rowsDotF16X32 func(n int, w []byte, stride int, x []float32, scale float32, out []float32)
	// rowsDotF32 is F32RowsDot's loop (shapes already checked); nil means
	// one dotF32 per row.
	rowsDotF32 func(n int, w []float32, stride int, x []float32, scale float32, out []float32)
	// rowsDotF32x2 is F32RowsDot2's loop; nil means rowsDotF32 (or the
	// dotF32 loop) once per activation.
	rowsDotF32x2 func(n int, w []float32, stride int, x1, x2 []float32, scale float32, out1, out2 []float32)
	// rowsDotF32x3 is F32RowsDot3's loop; nil means rowsDotF32x2 and
	// rowsDotF32 (or their fallbacks).
	rowsDotF32x3 func(n int, w []float32, stride int, x1, x2, x3 []float32, scale float32, out1, out2, out3 []float32)
	// f32Wide: F32RowsDotN runs four to six activations on f32RowsWide
	// (AVX-512 registers); false means three at a time.
	f32Wide bool
	// roundF16 sets dst[i] to src[i] rounded to fp16 (see RoundF16); nil
	// means the generic loop.
	roundF16 func(dst, src []float32)
	// toF16 converts float32 to fp16 like tensor.F32ToF16; nil means the
	// scalar Go conversion.
	toF16 func(x []float32, dst []uint16)
}

// rowsDotFunc computes out[r] = dot(n, w[r*stride:], x) * scale for every r
// (lengths already checked).
type rowsDotFunc func(n int, w []byte, stride int, x []byte, scale float32, out []float32)

// rows4Func computes out[r] = dot(n, w[r*rowBytes:], x) for r = 0..3 (four
// consecutive weight rows times one activation row), bit for bit.
type rows4Func func(n int, w []byte, rowBytes int, x []byte, out *[4]float32)

// cols4Func computes out[a] = dot(n, w, x[a*xBytes:]) for a = 0..3 (one
// weight row times four activation rows), bit for bit.
type cols4Func func(n int, w []byte, x []byte, xBytes int, out *[4]float32)

// cols8Func computes out[a*ostride+r] = dot(n, w[r*RowSize(n):],
// x[a*xBytes:]) for the rows consecutive weight rows r and eight activation
// rows a, bit for bit. scratch is the kernel's to grow and reuse across
// calls.
type cols8Func func(n int, w []byte, rows int, x []byte, xBytes int, out []float32, ostride int, scratch *[]byte)

// tile42Func computes out[i*ostride+r] = dot(n, w[r*rowBytes:],
// x[i*xBytes:]) for r = 0..3 and the 2*pairs activation rows i, bit for
// bit. ws holds the weight rows' block scales as scales4 gives them and xs
// the activation rows' (row i at xs[i*n/32:]), as float32.
type tile42Func func(n int, w []byte, rowBytes int, ws []float32, x []byte, xBytes int, xs []float32, pairs int, out []float32, ostride int)

// scales4Func converts the block scales of four weight rows (rowBytes
// apart, n elements each) to float32, block-major: out[4*b+r] is block b of
// row r.
type scales4Func func(n int, w []byte, rowBytes int, out []float32)

// EnvKernels names the environment variable that caps the kernel set chosen
// at start-up: "generic", "avx2", "avx512", "avxvnni", "avx512vnni" or
// "amx" (amd64), "neon", "dotprod" or "i8mm" (arm64). Every set gives
// the same bits, so it changes speed only; the test command uses it to run
// the AVX2 set natively on CPUs that would pick a faster one, and parity
// runs can match llama.cpp's haswell build on any CPU. (Read here rather
// than in internal/config because the choice is made at package init.)
const EnvKernels = "PLUME_KERNELS"

// CapNames returns the values of EnvKernels this build acts on (another
// value, or one of another platform, caps nothing: internal/config warns
// about it). A name is a cap, not a request: on a CPU without that set the
// engine takes the fastest set below it.
func CapNames() []string { return slices.Clone(capNames) }

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
	if int(t) < maxType && fast[t].known {
		return fast[t].vt
	}
	if vt, ok := vecDotTypes[t]; ok {
		return vt
	}
	return t
}

// typeInfo caches, per weight type with a kernel, what VecDot validates on
// every call (map lookups cost more than a 64-element dot product).
type typeInfo struct {
	known             bool
	vt                tensor.Type
	block, size       int // weight block elements and bytes
	actBlock, actSize int // activation block elements and bytes
}

var fast = func() (f [maxType]typeInfo) {
	for t, vt := range vecDotTypes {
		if int(t) >= maxType || int(vt) >= maxType {
			continue
		}
		f[t] = typeInfo{known: true, vt: vt, block: t.BlockSize(), size: t.TypeSize(),
			actBlock: vt.BlockSize(), actSize: vt.TypeSize()}
	}
	return f
}()

// rowOK reports whether buf is exactly one row of n elements of a block
// format (block elements, size bytes each).
func rowOK(n, block, size int, buf []byte) bool {
	return n >= 0 && block > 0 && n%block == 0 && len(buf) == n/block*size
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
		if active.toF16 != nil {
			active.toF16(x, h)
			return nil
		}
		for i, v := range x {
			h[i] = tensor.F32ToF16(v)
		}
	case tensor.BF16:
		h := u16view(dst)
		for i, v := range x {
			h[i] = tensor.F32ToBF16(v)
		}
	case tensor.Q8_0:
		if active.quantQ8_0 != nil {
			active.quantQ8_0(x, dst)
			return nil
		}
		return tensor.QuantizeQ8_0(x, dst)
	case tensor.Q8_1:
		return tensor.QuantizeQ8_1(x, dst)
	case tensor.Q8_K:
		if active.quantQ8_K != nil {
			active.quantQ8_K(x, dst)
			return nil
		}
		return tensor.QuantizeQ8_K(x, dst)
	default:
		return fmt.Errorf("quantize row: %w: %s is not an activation type", ErrUnsupported, vt)
	}
	return nil
}

// CheckVecDot validates the operands of VecDot.
func CheckVecDot(t tensor.Type, n int, w, x []byte) error {
	if int(t) < maxType && fast[t].known && active.dot[t] != nil {
		fi := &fast[t]
		if rowOK(n, fi.block, fi.size, w) && rowOK(n, fi.actBlock, fi.actSize, x) {
			return nil
		}
	}
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
